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
  readonly timeStamp = Date.now();

  constructor(type: string) {
    this.type = type;
  }

  get currentTarget(): unknown {
    return this.target;
  }
}

export interface MessageEventInit {
  data?: MessageData;
  origin?: string;
}

export class MessageEvent extends WebSocketEvent {
  /** Text as a string; binary shaped by the socket's `binaryType` (a `Buffer` by default); `''` when constructed without data. */
  readonly data: MessageData;
  readonly origin: string;
  readonly lastEventId = '';
  readonly source = null;
  readonly ports: readonly unknown[] = [];

  constructor(type: string, init: MessageEventInit = {}) {
    super(type);
    this.data = init.data ?? '';
    this.origin = init.origin ?? '';
  }
}

export interface CloseEventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

export class CloseEvent extends WebSocketEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: CloseEventInit = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

export interface ErrorEventInit {
  error?: unknown;
  message?: string;
}

export class ErrorEvent extends WebSocketEvent {
  readonly error: unknown;
  readonly message: string;

  constructor(type: string, init: ErrorEventInit = {}) {
    super(type);
    this.error = init.error ?? null;
    this.message = init.message ?? '';
  }
}
