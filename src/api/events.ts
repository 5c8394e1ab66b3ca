import type { MessageData } from './websocket-events.js';

/**
 * The WHATWG event objects a WebSocket dispatches to addEventListener and
 * on<event> listeners. They work on every supported Node version (Node 20 has
 * no global CloseEvent).
 */
export class WebSocketEvent {
  /** `'open'`, `'message'`, `'close'` or `'error'`. */
  readonly type: string;
  /** The WebSocket that dispatched the event (null until dispatched). */
  target: unknown = null;
  /** When the event was made, ms since the epoch. */
  readonly timeStamp = Date.now();

  constructor(type: string) {
    this.type = type;
  }

  /** The same as `target`. */
  get currentTarget(): unknown {
    return this.target;
  }
}

/** The second argument of `new MessageEvent(type, init)`. */
export interface MessageEventInit {
  /** The message (default ''). */
  data?: MessageData;
  /** The origin of the message (default ''). */
  origin?: string;
}

/** A message, as `'message'` listeners of `addEventListener` and `onmessage` get it. */
export class MessageEvent extends WebSocketEvent {
  /** Text as a string; binary shaped by the socket's `binaryType` (a `Buffer` by default); `''` when constructed without data. */
  readonly data: MessageData;
  /** '' on WebSocket messages (WHATWG). */
  readonly origin: string;
  /** Always '' (WHATWG, for EventSource). */
  readonly lastEventId = '';
  /** Always null (WHATWG, for windows and workers). */
  readonly source = null;
  /** Always empty (WHATWG, for MessagePorts). */
  readonly ports: readonly unknown[] = [];

  constructor(type: string, init: MessageEventInit = {}) {
    super(type);
    this.data = init.data ?? '';
    this.origin = init.origin ?? '';
  }
}

/** The second argument of `new CloseEvent(type, init)`. */
export interface CloseEventInit {
  /** The close code (default 0). */
  code?: number;
  /** The close reason (default ''). */
  reason?: string;
  /** Whether the closing handshake completed (default false). */
  wasClean?: boolean;
}

/** The end of a connection, as `'close'` listeners of `addEventListener` and `onclose` get it. */
export class CloseEvent extends WebSocketEvent {
  /** The code of the first Close frame received (1005 if it had no body, 1006 if none came). */
  readonly code: number;
  /** Its reason ('' when none). */
  readonly reason: string;
  /** Whether the closing handshake completed before the socket closed. */
  readonly wasClean: boolean;

  constructor(type: string, init: CloseEventInit = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

/** The second argument of `new ErrorEvent(type, init)`. */
export interface ErrorEventInit {
  /** The error (default null). */
  error?: unknown;
  /** Its message (default ''). */
  message?: string;
}

/** An error, as `'error'` listeners of `addEventListener` and `onerror` get it (a close event follows). */
export class ErrorEvent extends WebSocketEvent {
  /** The error (a `WebSocketError` with a `code` for errors socketeer raises). */
  readonly error: unknown;
  /** The error's message. */
  readonly message: string;

  constructor(type: string, init: ErrorEventInit = {}) {
    super(type);
    this.error = init.error ?? null;
    this.message = init.message ?? '';
  }
}
