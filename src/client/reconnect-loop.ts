/**
 * The reconnecting client, carrier-free: a loop that dials one connection
 * after another through a `Dial` (socketeer's WebSocket on Node, the native
 * one in the browser) and presents them as one logical connection. It owns
 * no protocol logic. Portable (no Node types).
 */
import { ErrorCode, WebSocketError } from '../core/errors.js';
import type { Dial, Link, LinkClose, Outgoing } from './link.js';
import { isOutgoing } from './link.js';
import { decide } from './reconnect-policy.js';
import { resolveReconnectOptions, type ReconnectOptions, type ResolvedReconnectOptions } from './reconnect-options.js';
import { SendQueue } from './send-queue.js';
import { TinyEmitter } from './tiny-emitter.js';

/** How the logical connection ended (`closed` resolves with it, the close event carries it). */
export interface LogicalClose {
  /** The close code of the last connection (1006 when it dropped or never opened). */
  code: number;
  /** The close reason of the last connection ('' when none). */
  reason: string;
  /** Whether the last connection ended with a closing handshake. */
  wasClean: boolean;
}

/** The `'reconnecting'` event: a connection was lost (or refused) and another will be dialled. */
export interface ReconnectingEvent {
  /** Failed connections in a row (1 for the first retry; reset once a connection stays up `resetAfter` ms). */
  attempt: number;
  /** Milliseconds until the next dial (backoff with jitter, or the server's Retry-After). */
  delay: number;
  /** The close code of the lost connection (1006 for a drop or a failed handshake). */
  code: number;
  /** Its close reason. */
  reason: string;
  /** Whether it ended with a closing handshake. */
  wasClean: boolean;
  /** The HTTP status of a refused handshake (Node only; browsers hide it). */
  status?: number;
  /** The error that ended the connection or its handshake, if one was reported. */
  error?: unknown;
}

/** Fields of every event object a ReconnectingWebSocket hands to `addEventListener` listeners. */
export interface ReconnectingWebSocketEventBase<Target = unknown> {
  /** The event name. */
  type: string;
  /** The ReconnectingWebSocket. */
  target: Target;
  /** The same as `target`. */
  currentTarget: Target;
}

/**
 * The events of a ReconnectingWebSocket, ws dialect (`on`, `once`, `off`):
 * each event's listener arguments. `Data` is what a message carries (Node:
 * `RawData`, text as bytes; browser: text as a string, binary per `binaryType`).
 */
export interface ReconnectingWebSocketEvents<Data = unknown> {
  /** The first connection opened (once; later ones give `'reconnected'`). */
  open: [];
  /** A message on the current connection. */
  message: [data: Data, isBinary: boolean];
  /** The logical connection ended, once: app close, abort, a final code or retries spent. */
  close: [code: number, reason: string];
  /** A send that failed, the reason the loop gave up, or what a replay hook threw. */
  error: [error: Error];
  /** A connection was lost and another will be dialled after `delay` ms. */
  reconnecting: [event: ReconnectingEvent];
  /** A reconnect succeeded (`attempt`: reconnects so far); the replay hook runs next, then the queue. */
  reconnected: [info: { attempt: number }];
}

/** The event objects `addEventListener` listeners of a ReconnectingWebSocket get, by type. */
export interface ReconnectingWebSocketEventMap<Data = unknown, Target = unknown> {
  open: ReconnectingWebSocketEventBase<Target>;
  /** Text as a string, binary as the `'message'` listener gets it. */
  message: ReconnectingWebSocketEventBase<Target> & { data: string | Data };
  close: ReconnectingWebSocketEventBase<Target> & LogicalClose;
  error: ReconnectingWebSocketEventBase<Target> & { error: unknown; message: string };
  reconnecting: ReconnectingWebSocketEventBase<Target> & ReconnectingEvent;
  reconnected: ReconnectingWebSocketEventBase<Target> & { attempt: number };
}

export interface LoopOptions {
  /** Backoff, retries, final codes, the send queue and the replay hook (default: `true`, every default). */
  reconnect?: ReconnectOptions | true;
  /** Aborting closes the logical connection and cancels a pending reconnect. */
  signal?: AbortSignal;
}

type Timer = ReturnType<typeof setTimeout>;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** The reconnecting client over any carrier; `Data` is what its messages carry. */
export class ReconnectLoop<Data = unknown> extends TinyEmitter<
  ReconnectingWebSocketEvents<Data>,
  ReconnectingWebSocketEventMap<Data, ReconnectLoop<Data>>
> {
  /** readyState: dialling, or waiting to redial. */
  static readonly CONNECTING = CONNECTING;
  /** readyState: a connection is up. */
  static readonly OPEN = OPEN;
  /** readyState: `close()` was called, the last connection is closing. */
  static readonly CLOSING = CLOSING;
  /** readyState: the logical connection ended. */
  static readonly CLOSED = CLOSED;
  /** readyState: dialling, or waiting to redial. */
  readonly CONNECTING = CONNECTING;
  /** readyState: a connection is up. */
  readonly OPEN = OPEN;
  /** readyState: `close()` was called, the last connection is closing. */
  readonly CLOSING = CLOSING;
  /** readyState: the logical connection ended. */
  readonly CLOSED = CLOSED;

  private readonly options: ResolvedReconnectOptions;
  private readonly queue: SendQueue;
  private readonly protocols: string[];
  private _url: string;
  private _readyState = CONNECTING;
  private _protocol = '';
  private _extensions = '';
  private link: Link | null = null;
  /** The link is open and the replay hook has finished: sends go straight out. */
  private ready = false;
  private failures = 0;
  private reconnects = 0;
  private everOpened = false;
  private timer: Timer | null = null;
  private stableTimer: Timer | null = null;
  private appClose: { code?: number; reason?: string } | null = null;
  private final: LogicalClose | null = null;
  private resolveClosed!: (info: LogicalClose) => void;
  private readonly closedPromise: Promise<LogicalClose>;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.close();
  /** Async iterators waiting for the end. */
  private readonly enders = new Set<(code: number, reason: string, error: unknown) => void>();

  constructor(
    url: string,
    protocols: string | string[] | undefined,
    options: LoopOptions,
    private readonly dial: Dial,
  ) {
    super();
    this.options = resolveReconnectOptions(options.reconnect);
    if (options.signal !== undefined && !isAbortSignal(options.signal)) {
      throw Object.assign(new TypeError('signal must be an AbortSignal'), { code: ErrorCode.InvalidOption });
    }
    this.queue = new SendQueue(this.options.maxQueuedMessages, this.options.maxQueuedBytes);
    this.protocols = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
    this._url = url;
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.signal = options.signal;
    if (this.signal?.aborted) {
      this.finish({ code: 1006, reason: '', wasClean: false }, abortError());
      return;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    // The first dial throws for a bad URL or protocols, as a plain WebSocket's constructor does.
    this.connect();
  }

  /** Resolves once, when the logical connection ends (app close, abort, a final code, or retries spent). */
  get closed(): Promise<LogicalClose> {
    return this.closedPromise;
  }

  /** CONNECTING while (re)connecting, OPEN while a connection is up, CLOSED only at the very end. */
  get readyState(): number {
    return this._readyState;
  }

  /** The URL dialled, as given. */
  get url(): string {
    return this._url;
  }

  /** The subprotocol the current (or last) connection agreed on ('' when none). */
  get protocol(): string {
    return this._protocol;
  }

  /** The extensions the current (or last) connection agreed on ('' when none). */
  get extensions(): string {
    return this._extensions;
  }

  /** Reconnects that succeeded so far. */
  get reconnectCount(): number {
    return this.reconnects;
  }

  /** Messages and bytes waiting for a connection. */
  get queuedMessages(): number {
    return this.queue.length;
  }

  /** Bytes queued for a connection plus bytes the current connection has not written yet. */
  get bufferedAmount(): number {
    return this.queue.bytes + (this.link?.bufferedAmount ?? 0);
  }

  /**
   * Send now when a connection is up, else queue it for the next one. Throws
   * when the queue is full or the client is closing; nothing is dropped silently.
   */
  send(data: unknown, options?: { binary?: boolean }): void {
    this.enqueue(data, options?.binary, (error) => {
      if (error !== undefined) this.emit('error', error);
    }, true);
  }

  /** send() as a promise: resolves when the data reached the OS, rejects if it never will. */
  sendAsync(data: unknown, options?: { binary?: boolean }): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.enqueue(data, options?.binary, (error) => (error === undefined ? resolve() : reject(error)), false);
      } catch (error) {
        reject(error);
      }
    });
  }

  /** End the logical connection: no reconnect after this, whatever the close code. */
  close(code?: number, reason?: string): void {
    if (this._readyState === CLOSED || this.appClose !== null) return;
    this.appClose = { code, reason };
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.link === null) {
      this.finish({ code: 1006, reason: '', wasClean: false }, null);
      return;
    }
    this._readyState = CLOSING;
    try {
      this.link.close(code, reason);
    } catch (error) {
      this.appClose = null;
      this._readyState = this.ready ? OPEN : CONNECTING;
      throw error;
    }
  }

  /** Messages as they arrive, across reconnects, until the logical connection ends. */
  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    const buffered: unknown[] = [];
    const waiting: Array<{ resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void }> = [];
    let ended: { error: unknown } | null = null;
    const onMessage = (data: unknown, isBinary: boolean) => {
      const value = isBinary || typeof data === 'string' ? data : decoder.decode(data as Uint8Array);
      const next = waiting.shift();
      if (next !== undefined) next.resolve({ value, done: false });
      else {
        buffered.push(value);
        if (buffered.length >= 16) this.link?.pause();
      }
    };
    const onEnd = (_code: number, _reason: string, error: unknown) => {
      ended = { error };
      this.off('message', onMessage);
      for (const next of waiting.splice(0)) settle(next);
    };
    const settle = (next: (typeof waiting)[number]) => {
      if (ended!.error == null) next.resolve({ value: undefined, done: true });
      else next.reject(ended!.error);
    };
    this.on('message', onMessage);
    this.enders.add(onEnd);
    const iterator: AsyncIterableIterator<unknown> = {
      next: () =>
        new Promise((resolve, reject) => {
          if (buffered.length > 0) {
            resolve({ value: buffered.shift(), done: false });
            if (buffered.length < 4) this.link?.resume();
          } else if (ended !== null) settle({ resolve, reject });
          else waiting.push({ resolve, reject });
        }),
      return: async () => {
        this.off('message', onMessage);
        this.enders.delete(onEnd);
        this.link?.resume();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  protected override toEvent(type: string, args: unknown[]): object {
    const base = { type, target: this, currentTarget: this };
    switch (type) {
      case 'message': {
        const [data, isBinary] = args;
        return { ...base, data: isBinary || typeof data === 'string' ? data : decoder.decode(data as Uint8Array) };
      }
      case 'close':
        return { ...base, code: args[0], reason: args[1], wasClean: this.final?.wasClean ?? false };
      case 'error':
        return { ...base, error: args[0], message: (args[0] as Error)?.message ?? '' };
      default:
        return { ...base, ...(args[0] as object) };
    }
  }

  // ---- the loop -----------------------------------------------------------------

  private connect(): void {
    this.timer = null;
    this._readyState = CONNECTING;
    let link: Link | null = null;
    link = this.dial(this._url, this.protocols, {
      open: (protocol, extensions) => this.opened(link!, protocol, extensions),
      message: (data, isBinary) => {
        if (link === this.link) this.emit('message', data, isBinary);
      },
      close: (info) => this.dropped(link!, info),
    });
    this.link = link;
  }

  private opened(link: Link, protocol: string, extensions: string): void {
    if (link !== this.link) return;
    this._protocol = protocol;
    this._extensions = extensions;
    this._readyState = OPEN;
    const first = !this.everOpened;
    this.everOpened = true;
    if (this.options.resetAfter > 0) {
      this.stableTimer = setTimeout(() => {
        this.stableTimer = null;
        this.failures = 0;
      }, this.options.resetAfter);
    } else this.failures = 0;
    if (first) {
      this.emit('open');
      this.goLive(link);
      return;
    }
    this.reconnects++;
    const attempt = this.reconnects;
    this.emit('reconnected', { attempt });
    const replay = this.options.replay;
    if (replay === undefined) {
      this.goLive(link);
      return;
    }
    const context = {
      attempt,
      send: (data: string | ArrayBuffer | ArrayBufferView) =>
        new Promise<void>((resolve, reject) => {
          if (link !== this.link || !link.isOpen) reject(notSent('the connection the replay hook ran on is gone'));
          else link.send(data, typeof data !== 'string', (error) => (error === undefined ? resolve() : reject(error)));
        }),
    };
    Promise.resolve()
      .then(() => replay(context))
      .then(
        () => this.goLive(link),
        (error) => {
          // A failed replay leaves the connection in an unknown state: drop it and let the loop retry.
          this.emit('error', error);
          if (link === this.link) link.terminate();
        },
      );
  }

  /** The connection is up and replayed: flush the queue, oldest first, then send directly. */
  private goLive(link: Link): void {
    if (link !== this.link || !link.isOpen || this.appClose !== null) return;
    this.ready = true;
    for (const item of this.queue.drain()) link.send(item.data, item.binary, item.done);
  }

  private dropped(link: Link, info: LinkClose): void {
    if (link !== this.link) return;
    this.link = null;
    this.ready = false;
    if (this.stableTimer !== null) {
      clearTimeout(this.stableTimer);
      this.stableTimer = null;
    }
    if (this.appClose !== null) {
      this.finish({ code: info.code, reason: info.reason, wasClean: info.wasClean }, null);
      return;
    }
    this.failures++;
    const decision = decide(info, this.failures, this.options);
    if (!decision.retry) {
      const error = new WebSocketError(ErrorCode.ReconnectGaveUp, `Not reconnecting to ${this._url}: ${decision.why}`, info.code);
      this.finish({ code: info.code, reason: info.reason, wasClean: info.wasClean }, error);
      return;
    }
    this._readyState = CONNECTING;
    const event: ReconnectingEvent = { attempt: this.failures, delay: decision.delay, code: info.code, reason: info.reason, wasClean: info.wasClean };
    if (info.status !== undefined) event.status = info.status;
    if (info.error !== undefined) event.error = info.error;
    this.emit('reconnecting', event);
    if (this._readyState !== CONNECTING || this.appClose !== null) return; // a listener closed us
    this.timer = setTimeout(() => this.connect(), decision.delay);
  }

  private enqueue(data: unknown, binary: boolean | undefined, done: (error?: Error) => void, throwing: boolean): void {
    if (!isOutgoing(data)) {
      throw Object.assign(new TypeError('send() takes a string, an ArrayBuffer or an ArrayBuffer view'), { code: ErrorCode.InvalidOption });
    }
    if (this._readyState === CLOSING || this._readyState === CLOSED) {
      throw new WebSocketError(ErrorCode.NotOpen, `The connection to ${this._url} was closed: the message was not sent`, 0);
    }
    const isBinary = binary ?? typeof data !== 'string';
    if (this.ready && this.link !== null && this.link.isOpen) {
      this.link.send(data, isBinary, done);
      return;
    }
    const refused = this.queue.push(data, isBinary, done);
    if (refused === null) return;
    if (throwing) throw refused;
    done(refused);
  }

  /** The one end of the logical connection. `error` says why we gave up (null for an app close). */
  private finish(info: LogicalClose, error: Error | null): void {
    if (this.final !== null) return;
    this.final = info;
    this._readyState = CLOSED;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.stableTimer !== null) clearTimeout(this.stableTimer);
    this.timer = this.stableTimer = null;
    this.signal?.removeEventListener('abort', this.onAbort);
    const unsent = this.queue.drain();
    const reason = error ?? notSent(`close() was called on ${this._url} before it could be sent`);
    for (const item of unsent) item.done(reason);
    this.resolveClosed(info);
    this.emit('close', info.code, info.reason);
    for (const end of this.enders) end(info.code, info.reason, error);
    this.enders.clear();
  }
}

const decoder = new TextDecoder();

function notSent(why: string): WebSocketError {
  return new WebSocketError(ErrorCode.ClosedBeforeSent, `The message was not sent: ${why}`, 0);
}

function abortError(): Error {
  return new DOMException('The reconnecting WebSocket was aborted', 'AbortError');
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
}
