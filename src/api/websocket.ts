import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isValidWireCloseCode, MAX_CLOSE_REASON_BYTES } from '../core/close-codes.js';
import { ReadyState, type CloseInfo, type Role } from '../core/connection.js';
import { ErrorCode, WebSocketError } from '../core/errors.js';
import type { PerMessageDeflateOptions } from '../core/extensions/permessage-deflate.js';
import type { WriteCallback } from '../core/frame-serializer.js';
import { isToken } from '../core/handshake.js';
import { isValidUtf8 } from '../core/utf8-validator.js';
import { startClientHandshake, type ClientHandshakeOptions } from '../node/client-handshake.js';
import type { NegotiatedExtensions } from '../node/extensions.js';
import { validateOutgoingLimitOptions, type BufferFullPolicy } from '../node/outgoing-limit.js';
import {
  SocketTransport,
  kOnClose,
  kOnCloseFrame,
  kOnDrain,
  kOnFailure,
  kOnMessage,
  kOnPing,
  kOnPong,
  type TransportListener,
} from '../node/socket-transport.js';
import type { SharedFrame } from './broadcast.js';
import { BINARY_TYPES, shapeBinary, type BinaryType } from './binary-type.js';
import {
  addEventListener,
  getOnAttribute,
  removeEventListener,
  setOnAttribute,
  type EventListenerLike,
} from './event-listeners.js';
import { isBlob, toBuffer, toPayload } from './outgoing-data.js';
import type { PublishOptions, TopicRegistry } from './topics.js';
import { DEFAULT_FAILURE_CLOSE_TIMEOUT, DEFAULT_MAX_UNPARSED_BYTES, DEFAULT_CLOSE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_PAYLOAD, type HeartbeatOptions } from './options.js';
import { checkClientOptions, protocolKnobs, type ProtocolKnobs, type WsClientOptions } from './ws-options.js';
import { TypedEventEmitter } from './typed-emitter.js';
import type { AddEventListenerOptions, WebSocketEventListener, WebSocketEventMap, WebSocketEvents } from './websocket-events.js';
import type { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.js';

/** Options of `new WebSocket(url, protocols?, options)`: handshake, limits, timeouts, TLS options. */
export interface WebSocketOptions extends Partial<Omit<ClientHandshakeOptions, 'finishRequest'>>, WsClientOptions<WebSocket> {
  /** Largest message accepted, in bytes (default 100 MiB); larger ones close with 1009. */
  maxPayload?: number;
  /** How long to wait for the peer during the closing handshake, in ms (default 30 s). */
  closeTimeout?: number;
  /** After a protocol error, how long to wait for the peer to close TCP before destroying the socket, in ms (default 1 s). */
  failureCloseTimeout?: number;
  /** Received bytes that may wait unparsed while a message is being decompressed (default 1 MiB); past it, 1008. */
  maxUnparsedBytes?: number;
  /** send() returns false while more than this many bytes wait to be written (default 1 MiB). */
  highWaterMark?: number;
  /** Ping every `interval` ms and terminate when no pong comes within `timeout` ms. */
  heartbeat?: HeartbeatOptions;
  /** Cap on bytes waiting to be written to the peer (default 64 MiB). */
  maxBufferedAmount?: number;
  /** At the cap: 'close' fails with 1008 and frees the buffer (default); 'wait' stops reading until it drains. */
  bufferFullPolicy?: BufferFullPolicy;
  /** Offer permessage-deflate (default true on clients); see docs/permessage-deflate.md. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
}

/** Options of `send()`, `sendAsync()` and `publish()` (ws's). */
export interface SendOptions {
  /** Send as a binary message (default: false for strings, true for everything else). */
  binary?: boolean;
  /** Compress this message when permessage-deflate was negotiated (default true). */
  compress?: boolean;
  /** False to leave the message open: later sends add fragments until one with `fin` true (default true). */
  fin?: boolean;
  /** Accepted for ws compatibility: clients always mask, servers never do. */
  mask?: boolean;
}

/** Internal: how a server (or a completed client handshake) hands a socket over. */
export interface AttachParams {
  role: Role;
  socket: Duplex;
  head: Buffer | null;
  protocol: string;
  extensions: NegotiatedExtensions;
  maxPayload: number;
  closeTimeout: number;
  failureCloseTimeout?: number;
  maxUnparsedBytes?: number;
  heartbeat?: HeartbeatOptions | null;
  maxBufferedAmount?: number;
  bufferFullPolicy?: BufferFullPolicy;
  /** ws-compatible protocol knobs (autoPong, skipUTF8Validation, generateMask). */
  knobs?: ProtocolKnobs;
}

export const kAttach = Symbol('socketeer.attach');
export const kSendShared = Symbol('socketeer.sendShared');
export const kGroup = Symbol('socketeer.group');

/**
 * @internal What a WebSocket shares with others, in one object instead of a
 * field each: a server's sockets share its topics, its set of accepted
 * sockets and its `highWaterMark`; clients made with the same
 * `highWaterMark` share one with no topics and no set.
 */
export interface SocketGroup {
  /** The accepting server's topics (null on client connections). */
  readonly topics: TopicRegistry | null;
  /** The accepting server's set of sockets, left right before the close event (as in ws); no closure per socket. */
  readonly accepted: Set<WebSocket> | null;
  /** send() returns false past this many buffered bytes. */
  readonly highWaterMark: number;
}

const CLIENT_GROUP: SocketGroup = Object.freeze({ topics: null, accepted: null, highWaterMark: DEFAULT_HIGH_WATER_MARK });
/** Client groups by highWaterMark, so that clients made alike share one. */
const clientGroups = new Map<number, SocketGroup>();

function clientGroup(highWaterMark: number): SocketGroup {
  if (highWaterMark === DEFAULT_HIGH_WATER_MARK) return CLIENT_GROUP;
  let group = clientGroups.get(highWaterMark);
  if (group === undefined) {
    if (clientGroups.size >= 64) clientGroups.clear();
    group = Object.freeze({ topics: null, accepted: null, highWaterMark });
    clientGroups.set(highWaterMark, group);
  }
  return group;
}

/**
 * The prototype of each WebSocket's listener table. EventEmitter starts every
 * emitter with `{ __proto__: null }`, an object in dictionary mode (about
 * 180 bytes once a listener is added); an empty object inheriting from this
 * frozen, empty, null-prototype object has no inherited keys either, so
 * EventEmitter treats it the same, but it stays in fast mode (about 130
 * bytes less per connection with listeners, which is every connection in
 * use). EventEmitter swaps in its own again if every listener is removed.
 */
const LISTENERS_PROTO: object = Object.freeze(Object.create(null));

// Bits of WebSocket.flags.
const W_NEED_DRAIN = 1;
const W_PAUSED = 2;
const W_ABORTING = 4;
/** binaryType, as its index in BINARY_TYPES, in two bits from here. */
const W_BINARY_TYPE_SHIFT = 3;
const W_BINARY_TYPE = 3 << W_BINARY_TYPE_SHIFT;

/**
 * One WebSocket connection, client or server side. It speaks the npm `ws`
 * dialect (EventEmitter, on('message', (data, isBinary))) and the WHATWG one
 * (addEventListener, onclose, CloseEvent.wasClean) over the same object, and
 * adds `closed`, async iteration and sendAsync().
 */
export class WebSocket extends TypedEventEmitter<WebSocketEvents> implements TransportListener {
  /** readyState: the opening handshake is under way. */
  static readonly CONNECTING = 0;
  /** readyState: messages can be sent and received. */
  static readonly OPEN = 1;
  /** readyState: the closing handshake started. */
  static readonly CLOSING = 2;
  /** readyState: the connection is closed. */
  static readonly CLOSED = 3;
  /** readyState: the opening handshake is under way. */
  declare readonly CONNECTING: 0;
  /** readyState: messages can be sent and received. */
  declare readonly OPEN: 1;
  /** readyState: the closing handshake started. */
  declare readonly CLOSING: 2;
  /** readyState: the connection is closed. */
  declare readonly CLOSED: 3;
  // Set by the package entry (src/index.ts), as ws hangs them on its WebSocket:
  // `import WebSocket from 'socketeer'; new WebSocket.Server(...)`.
  declare static WebSocket: typeof WebSocket;
  declare static WebSocketServer: typeof import('./websocket-server.js').WebSocketServer;
  declare static Server: typeof import('./websocket-server.js').WebSocketServer;
  declare static createWebSocketStream: typeof import('./create-websocket-stream.js').createWebSocketStream;

  private state: number = ReadyState.CONNECTING;
  /** @internal Topics, accepting server's set, highWaterMark: shared with the sockets of the same server. */
  [kGroup]: SocketGroup = CLIENT_GROUP;
  private _url = '';
  private _protocol = '';
  private _extensions = '';
  private transport: SocketTransport | null = null;
  private closeInfo: CloseInfo | null = null;
  private closedPromise: Promise<CloseInfo> | null = null;
  private resolveClosed: ((info: CloseInfo) => void) | null = null;
  private abortHandshake: (() => void) | null = null;
  /** Boolean state and binaryType packed in one small integer (one field instead of one each); see the accessors. */
  private flags = 0;
  private get needDrain(): boolean {
    return (this.flags & W_NEED_DRAIN) !== 0;
  }
  private set needDrain(on: boolean) {
    this.flags = on ? this.flags | W_NEED_DRAIN : this.flags & ~W_NEED_DRAIN;
  }
  /** Operations waiting behind a Blob being read, to keep the call order. */
  private deferred: Array<() => void> | null = null;
  private get paused(): boolean {
    return (this.flags & W_PAUSED) !== 0;
  }
  private set paused(on: boolean) {
    this.flags = on ? this.flags | W_PAUSED : this.flags & ~W_PAUSED;
  }

  constructor(address: string | URL | null, protocols?: string | string[] | WebSocketOptions, options?: WebSocketOptions) {
    super();
    (this as unknown as { _events: object })._events = Object.create(LISTENERS_PROTO);
    if (address === null) return;
    if (protocols !== undefined && typeof protocols === 'object' && !Array.isArray(protocols)) {
      options = protocols;
      protocols = undefined;
    }
    const url = parseUrl(address);
    const protocolList = parseProtocols(protocols);
    const opts: WebSocketOptions = { ...options };
    checkHeaders(opts.headers, opts.origin);
    validateOutgoingLimitOptions(opts.maxBufferedAmount, opts.bufferFullPolicy);
    checkClientOptions(opts);
    const knobs = protocolKnobs(opts, 'client');
    const userFinish = opts.finishRequest;
    this._url = url.href;
    this[kGroup] = clientGroup(opts.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
    const maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    const closeTimeout = opts.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.abortHandshake = startClientHandshake(
      url,
      protocolList,
      {
        ...opts,
        maxPayload,
        perMessageDeflate: opts.perMessageDeflate ?? true,
        finishRequest: userFinish === undefined ? undefined : (request: ClientRequest) => userFinish(request, this),
      },
      {
        onUpgrade: ({ socket, head, protocol, extensions, response }) => {
          this.abortHandshake = null;
          this.emit('upgrade', response);
          if (this._readyState !== ReadyState.CONNECTING) {
            socket.destroy();
            return;
          }
          this[kAttach]({
            role: 'client', socket, head, protocol, extensions, maxPayload, closeTimeout, heartbeat: opts.heartbeat,
            failureCloseTimeout: opts.failureCloseTimeout, maxUnparsedBytes: opts.maxUnparsedBytes,
            maxBufferedAmount: opts.maxBufferedAmount, bufferFullPolicy: opts.bufferFullPolicy, knobs,
          });
        },
        onUnexpectedResponse: (request: ClientRequest, response: IncomingMessage) => {
          if (this.listenerCount('unexpected-response') === 0) return false;
          this.abortHandshake = () => request.destroy();
          response.once('close', () => this.handshakeFailed(null));
          request.once('close', () => this.handshakeFailed(null));
          this.emit('unexpected-response', request, response);
          return true;
        },
        onRedirect: (next: string, request: ClientRequest) => {
          this._url = next;
          this.emit('redirect', next, request);
        },
        onError: (error: Error) => this.handshakeFailed(error),
      },
    );
  }

  /** Resolves once, with how the connection ended, however it ended. Never rejects. */
  get closed(): Promise<CloseInfo> {
    // Made on first use: most connections never ask, and a promise per connection adds up.
    if (this.closedPromise === null) {
      const info = this.closeInfo;
      this.closedPromise =
        info !== null ? Promise.resolve(info) : new Promise((resolve) => (this.resolveClosed = resolve));
    }
    return this.closedPromise;
  }

  /** `CONNECTING` (0), `OPEN` (1), `CLOSING` (2) or `CLOSED` (3). */
  get readyState(): number {
    return this._readyState;
  }

  private get _readyState(): number {
    return this.state;
  }

  /** Every state change goes through here: a socket leaves its topics once it stops being OPEN. */
  private set _readyState(value: number) {
    this.state = value;
    if (value > ReadyState.OPEN) this[kGroup].topics?.leaveAll(this);
  }

  /** The URL dialled (clients); '' for sockets a server accepted. */
  get url(): string {
    return this._url;
  }

  /** The subprotocol the handshake agreed on ('' when none). */
  get protocol(): string {
    return this._protocol;
  }

  /** The extensions the handshake agreed on, as the `Sec-WebSocket-Extensions` header had them ('' when none). */
  get extensions(): string {
    return this._extensions;
  }

  /** How binary messages are handed over: 'nodebuffer' (default), 'arraybuffer', 'fragments' or 'blob'. */
  get binaryType(): BinaryType {
    return BINARY_TYPES[(this.flags & W_BINARY_TYPE) >> W_BINARY_TYPE_SHIFT];
  }

  set binaryType(type: BinaryType) {
    const index = BINARY_TYPES.indexOf(type);
    if (index !== -1) this.flags = (this.flags & ~W_BINARY_TYPE) | (index << W_BINARY_TYPE_SHIFT);
  }

  /** Bytes accepted by send() that have not been handed to the OS yet. */
  get bufferedAmount(): number {
    return this.transport === null ? 0 : this.transport.bufferedAmount;
  }

  /** True between `pause()` and `resume()`. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** The underlying socket (ws compatibility), once open. */
  get _socket(): Duplex | undefined {
    return this.transport?.socket;
  }

  /** Whether the closing handshake completed (for CloseEvent.wasClean). */
  get closeWasClean(): boolean {
    return this.closeInfo?.wasClean ?? false;
  }

  // ---- sending --------------------------------------------------------------

  /**
   * Send a message. Returns false when the bytes waiting to be written pass
   * `highWaterMark` (wait for 'drain'), or when the connection is closing.
   */
  send(data: unknown, options?: SendOptions | WriteCallback, callback?: WriteCallback): boolean {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    // As ws (through socket.write): the callback gets null, or an Error.
    if (callback !== undefined) callback = nullOnSuccess(callback);
    const opts: SendOptions = options ?? {};
    this.assertNotConnecting();
    // ws sends an empty (binary) message for send() and send(undefined, cb);
    // null and other non-data still throw WS_ERR_INVALID_DATA_TYPE.
    if (data === undefined) data = EMPTY;
    if (isBlob(data)) {
      this.deferBehindBlob(data, (bytes) => this.sendNow(bytes, { binary: true, ...opts }, callback, true));
      return !this.needDrain;
    }
    const payload = toPayload(data);
    if (this.deferred !== null) {
      this.deferred.push(() => this.sendNow(payload, opts, callback, true));
      return !this.needDrain;
    }
    return this.sendNow(payload, opts, callback);
  }

  /** send() as a promise that settles once the data has been handed to the OS. */
  sendAsync(data: unknown, options?: SendOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.send(data, options ?? {}, (error) => (error ? reject(error) : resolve()));
      } catch (error) {
        reject(error);
      }
    });
  }

  /** Send a ping; `ping(cb)`, `ping(data, cb)` and `ping(data, mask, cb)` as in ws. */
  ping(data?: unknown, _mask?: boolean | WriteCallback, callback?: WriteCallback): void {
    if (typeof data === 'function') this.control('ping', undefined, undefined, data as WriteCallback);
    else this.control('ping', data, _mask, callback);
  }

  /** Send a pong; `pong(cb)`, `pong(data, cb)` and `pong(data, mask, cb)` as in ws. */
  pong(data?: unknown, _mask?: boolean | WriteCallback, callback?: WriteCallback): void {
    if (typeof data === 'function') this.control('pong', undefined, undefined, data as WriteCallback);
    else this.control('pong', data, _mask, callback);
  }

  /**
   * Start the closing handshake. Both sides accept every code valid on the
   * wire (1000-1003, 1007-1014, 3000-4999), as ws does; browsers allow only
   * 1000 and 3000-4999, a subset. A reason may be up to 123 UTF-8 bytes.
   * Invalid arguments throw; nothing is sent. While connecting, the
   * handshake is abandoned: 'error', then 'close' with 1006.
   */
  close(code?: number, reason?: string | Buffer): void {
    if (code !== undefined && code !== null) {
      if (!Number.isInteger(code) || !isValidWireCloseCode(code)) {
        throw domException(
          `Invalid close code ${code}: use 1000, 1001, 1002, 1003, 1007-1014 or 3000-4999 (1004, 1005, 1006 and 1015 never go on the wire)`,
          'InvalidAccessError',
        );
      }
    }
    const reasonBytes = reason === undefined || reason === null ? EMPTY : Buffer.isBuffer(reason) ? reason : Buffer.from(String(reason));
    if (reasonBytes.length > MAX_CLOSE_REASON_BYTES) {
      throw domException(`The close reason is ${reasonBytes.length} bytes long in UTF-8: the limit is ${MAX_CLOSE_REASON_BYTES}`, 'SyntaxError');
    }
    if (Buffer.isBuffer(reason) && !isValidUtf8(reasonBytes)) {
      throw domException('The close reason is not valid UTF-8: pass a string or UTF-8 bytes', 'SyntaxError');
    }
    if (reasonBytes.length > 0 && (code === undefined || code === null)) {
      throw domException('A close reason needs a close code', 'InvalidAccessError');
    }
    if (this._readyState === ReadyState.CONNECTING) {
      this.abortConnecting();
      return;
    }
    if (this._readyState !== ReadyState.OPEN) return;
    const run = () => this.transport?.connection.close(code ?? undefined, reasonBytes);
    this._readyState = ReadyState.CLOSING;
    if (this.deferred !== null) this.deferred.push(run);
    else run();
  }

  /** Destroy the connection at once (close event 1006, wasClean false). */
  terminate(): void {
    if (this._readyState === ReadyState.CLOSED) return;
    if (this._readyState === ReadyState.CONNECTING) {
      this.abortConnecting();
      return;
    }
    this._readyState = ReadyState.CLOSING;
    this.transport?.destroy();
  }

  /** Stop reading from the socket (ws compatibility); does nothing before open or once closed. */
  pause(): void {
    if (this.transport === null || this._readyState === ReadyState.CLOSED) return;
    this.paused = true;
    this.transport.pauseReading();
  }

  /** Starts reading from the peer again after `pause()`. */
  resume(): void {
    if (this.transport === null || this._readyState === ReadyState.CLOSED) return;
    this.paused = false;
    this.transport.resumeReading();
  }

  // ---- topics (sockets a WebSocketServer accepted; see docs/pubsub.md) -------

  /** Receive what is published to `topic`. Returns false if already subscribed or not open. */
  subscribe(topic: string): boolean {
    return this.topicRegistry().subscribe(this, topic);
  }

  /** Stop receiving `topic`. Returns false if this socket was not subscribed. */
  unsubscribe(topic: string): boolean {
    return this.topicRegistry().unsubscribe(this, topic);
  }

  /** Whether this socket is subscribed to `topic`. */
  isSubscribed(topic: string): boolean {
    return this[kGroup].topics?.isSubscribed(this, topic) ?? false;
  }

  /** The topics this socket is subscribed to (a read-only copy). */
  get topics(): readonly string[] {
    return this[kGroup].topics?.topicsOf(this) ?? Object.freeze([]);
  }

  /** Publish to every subscriber of `topic` on every node but this socket; returns the local count. */
  publish(topic: string, data: unknown, options?: PublishOptions): number {
    return this.topicRegistry().publish(topic, data, options, this);
  }

  private topicRegistry(): TopicRegistry {
    const registry = this[kGroup].topics;
    if (registry === null) {
      throw new WebSocketError('WS_ERR_NO_TOPICS', 'Topics belong to a server: subscribe() and publish() work on sockets a WebSocketServer accepted, not on client connections', 0);
    }
    return registry;
  }

  // ---- WHATWG surface -------------------------------------------------------

  /** WHATWG listener: `'open'`, `'message'` (`MessageEvent`), `'close'` (`CloseEvent`) or `'error'` (`ErrorEvent`). */
  addEventListener<K extends keyof WebSocketEventMap>(type: K, listener: WebSocketEventListener<WebSocketEventMap[K]> | null, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: WebSocketEventListener<WebSocketEvent> | null, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerLike | null, options?: boolean | AddEventListenerOptions): void {
    addEventListener(this, type, listener, options);
  }

  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof WebSocketEventMap>(type: K, listener: WebSocketEventListener<WebSocketEventMap[K]> | null): void;
  removeEventListener(type: string, listener: WebSocketEventListener<WebSocketEvent> | null): void;
  removeEventListener(type: string, listener: EventListenerLike | null): void {
    removeEventListener(this, type, listener);
  }

  /** The `'open'` handler property (WHATWG); null when none. */
  get onopen(): ((this: WebSocket, event: WebSocketEvent) => void) | null {
    return getOnAttribute(this, 'open') as ((this: WebSocket, event: WebSocketEvent) => void) | null;
  }
  set onopen(handler: ((this: WebSocket, event: WebSocketEvent) => void) | null) {
    setOnAttribute(this, 'open', handler);
  }
  /** The `'message'` handler property: gets a `MessageEvent` (`data`: text as a string, binary per `binaryType`). */
  get onmessage(): ((this: WebSocket, event: MessageEvent) => void) | null {
    return getOnAttribute(this, 'message') as ((this: WebSocket, event: MessageEvent) => void) | null;
  }
  set onmessage(handler: ((this: WebSocket, event: MessageEvent) => void) | null) {
    setOnAttribute(this, 'message', handler);
  }
  /** The `'close'` handler property: gets a `CloseEvent` (`code`, `reason`, `wasClean`). */
  get onclose(): ((this: WebSocket, event: CloseEvent) => void) | null {
    return getOnAttribute(this, 'close') as ((this: WebSocket, event: CloseEvent) => void) | null;
  }
  set onclose(handler: ((this: WebSocket, event: CloseEvent) => void) | null) {
    setOnAttribute(this, 'close', handler);
  }
  /** The `'error'` handler property: gets an `ErrorEvent` (`error`, `message`). */
  get onerror(): ((this: WebSocket, event: ErrorEvent) => void) | null {
    return getOnAttribute(this, 'error') as ((this: WebSocket, event: ErrorEvent) => void) | null;
  }
  set onerror(handler: ((this: WebSocket, event: ErrorEvent) => void) | null) {
    setOnAttribute(this, 'error', handler);
  }

  // ---- async iteration ------------------------------------------------------

  /**
   * Messages as they arrive: text as strings, binary shaped by binaryType.
   * Reading pauses while 16 messages wait unconsumed. The loop ends when the
   * connection closes; it throws if the connection did not close cleanly.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    const queue: unknown[] = [];
    const waiting: Array<{ resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void }> = [];
    let ended: CloseInfo | null = null;
    const onMessage = (data: unknown, isBinary: boolean) => {
      const value = isBinary ? data : String(data);
      const next = waiting.shift();
      if (next !== undefined) next.resolve({ value, done: false });
      else {
        queue.push(value);
        if (queue.length >= 16) this.transport?.pauseReading();
      }
    };
    const settle = (info: CloseInfo) => {
      ended = info;
      this.removeListener('message', onMessage);
      for (const next of waiting.splice(0)) deliverEnd(next);
    };
    const deliverEnd = (next: (typeof waiting)[number]) => {
      if (ended!.wasClean) next.resolve({ value: undefined, done: true });
      else next.reject(new WebSocketError(ErrorCode.ClosedAbnormally, `The connection closed abnormally (code ${ended!.code}${ended!.reason ? `: ${ended!.reason}` : ''})`, ended!.code));
    };
    this.on('message', onMessage);
    void this.closed.then(settle);
    const iterator: AsyncIterableIterator<unknown> = {
      next: () =>
        new Promise((resolve, reject) => {
          if (queue.length > 0) {
            resolve({ value: queue.shift(), done: false });
            if (queue.length < 4 && !this.paused) this.transport?.resumeReading();
          } else if (ended !== null) deliverEnd({ resolve, reject });
          else waiting.push({ resolve, reject });
        }),
      return: async () => {
        this.removeListener('message', onMessage);
        if (!this.paused) this.transport?.resumeReading();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  // ---- internals ------------------------------------------------------------

  /**
   * What the transport reports, turned into this object's state and events.
   * A class, not an object of closures: one small object per connection.
   */
  // ---- TransportListener (symbol-keyed: the WebSocket is its own listener) ----

  /** @internal */
  [kOnMessage](data: Buffer, isBinary: boolean): void {
    this.emit('message', isBinary ? shapeBinary(data, this.binaryType) : data, isBinary);
  }

  /** @internal */
  [kOnPing](data: Buffer): void {
    this.emit('ping', data);
  }

  /** @internal */
  [kOnPong](data: Buffer): void {
    this.emit('pong', data);
  }

  /** @internal */
  [kOnFailure](error: WebSocketError): void {
    this._readyState = ReadyState.CLOSING;
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** @internal */
  [kOnCloseFrame](): void {
    if (this._readyState === ReadyState.OPEN) this._readyState = ReadyState.CLOSING;
  }

  /** @internal */
  [kOnDrain](): void {
    if (this.needDrain && this.bufferedAmount < this[kGroup].highWaterMark) {
      this.needDrain = false;
      this.emit('drain');
    }
  }

  /** @internal */
  [kOnClose](info: CloseInfo): void {
    this.finish(info);
  }

  /** @internal Hand an upgraded socket to this WebSocket. */
  [kAttach](params: AttachParams): void {
    this._protocol = params.protocol;
    this._extensions = params.extensions.header;
    this.transport = new SocketTransport(
      params.socket,
      params.head,
      {
        role: params.role,
        maxPayload: params.maxPayload,
        closeTimeout: params.closeTimeout,
        failureCloseTimeout: params.failureCloseTimeout ?? DEFAULT_FAILURE_CLOSE_TIMEOUT,
        maxUnparsedBytes: params.maxUnparsedBytes ?? DEFAULT_MAX_UNPARSED_BYTES,
        codec: params.extensions.codec,
        compressThreshold: params.extensions.compressThreshold,
        heartbeat: params.heartbeat ?? null,
        maxBufferedAmount: params.maxBufferedAmount,
        bufferFullPolicy: params.bufferFullPolicy,
        protocol: params.knobs,
      },
      this,
    );
    this._readyState = ReadyState.OPEN;
    if (params.role === 'client') this.emit('open');
  }

  /** @internal Send a message whose frame was encoded once for many connections (broadcast). */
  [kSendShared](frame: SharedFrame, payload: Buffer, binary: boolean): boolean {
    if (this._readyState !== ReadyState.OPEN || this.transport === null) return false;
    if (this.deferred !== null) {
      this.deferred.push(() => this.transport?.connection.sendShared(frame.head, frame.tail, payload, binary));
      return true;
    }
    if (!this.transport.connection.sendShared(frame.head, frame.tail, payload, binary)) return false;
    this.belowHighWaterMark();
    return true;
  }

  /** False, and 'drain' armed, once buffered bytes reach the high-water mark. */
  private belowHighWaterMark(): boolean {
    if (this.transport!.bufferedAmount < this[kGroup].highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /** @internal Set the send high-water mark of this socket (servers share their option through the group instead). */
  setHighWaterMark(bytes: number): void {
    this[kGroup] = Object.freeze({ ...this[kGroup], highWaterMark: bytes });
  }

  /**
   * `queued` marks data that waited behind a Blob: it was accepted while
   * OPEN, so a close() called since does not refuse it (the Close frame
   * waits behind it in the same queue).
   */
  private sendNow(payload: string | Buffer, options: SendOptions, callback?: WriteCallback, queued = false): boolean {
    if ((!queued && this._readyState !== ReadyState.OPEN) || this.transport === null) {
      if (callback) process.nextTick(callback, notOpen(this._readyState));
      return false;
    }
    const binary = options.binary ?? typeof payload !== 'string';
    const data = binary && typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (!this.transport.connection.send(data, { binary, fin: options.fin, compress: options.compress }, callback)) {
      if (callback) process.nextTick(callback, notOpen(ReadyState.CLOSING));
      return false;
    }
    return this.belowHighWaterMark();
  }

  private control(kind: 'ping' | 'pong', data: unknown, maskOrCallback: boolean | WriteCallback | undefined, callback?: WriteCallback): void {
    if (typeof maskOrCallback === 'function') callback = maskOrCallback;
    if (callback !== undefined) callback = nullOnSuccess(callback);
    this.assertNotConnecting();
    const run = (bytes: Buffer, queued = false) => {
      if ((!queued && this._readyState !== ReadyState.OPEN) || this.transport === null) {
        if (callback) process.nextTick(callback, notOpen(this._readyState));
        return;
      }
      if (!this.transport.connection[kind](bytes, callback) && callback) process.nextTick(callback, notOpen(ReadyState.CLOSING));
    };
    if (isBlob(data)) {
      this.deferBehindBlob(data, (bytes) => (bytes.length > 125 ? callback?.(controlTooLong()) : run(bytes, true)));
      return;
    }
    const bytes = data === undefined ? EMPTY : toBuffer(data);
    if (bytes.length > 125) throw controlTooLong();
    if (this.deferred !== null) this.deferred.push(() => run(bytes, true));
    else run(bytes);
  }

  private deferBehindBlob(blob: Blob, send: (bytes: Buffer) => void): void {
    const first = this.deferred === null;
    if (first) this.deferred = [];
    const read = blob.arrayBuffer().then((ab) => Buffer.from(ab));
    const step = () => {
      read.then(send, (error) => this.emit('error', error)).finally(() => this.flushDeferred());
    };
    if (first) step();
    else this.deferred!.push(() => {
      this.deferred = [];
      step();
    });
  }

  private flushDeferred(): void {
    const queue = this.deferred ?? [];
    this.deferred = null;
    for (let i = 0; i < queue.length; i++) {
      queue[i]();
      if (this.deferred !== null) {
        (this.deferred as Array<() => void>).push(...queue.slice(i + 1));
        return;
      }
    }
  }

  private assertNotConnecting(): void {
    if (this._readyState === ReadyState.CONNECTING) {
      throw domException('WebSocket is not open yet (readyState CONNECTING): wait for the open event', 'InvalidStateError');
    }
  }

  private get aborting(): boolean {
    return (this.flags & W_ABORTING) !== 0;
  }
  private set aborting(on: boolean) {
    this.flags = on ? this.flags | W_ABORTING : this.flags & ~W_ABORTING;
  }

  private abortConnecting(): void {
    const abort = this.abortHandshake;
    this.abortHandshake = null;
    this._readyState = ReadyState.CLOSING;
    this.aborting = true;
    if (abort !== null) abort();
    // As in browsers and ws, the connection fails: 'error', then 'close'
    // (1006), after close() returns, so handlers attached right after the
    // call still see them.
    process.nextTick(() => {
      if (this.closeInfo !== null) return;
      const error = new WebSocketError(ErrorCode.ClosedBeforeOpen, 'WebSocket was closed before the connection was established', 1006);
      if (this.listenerCount('error') > 0) this.emit('error', error);
      this.finish({ code: 1006, reason: '', wasClean: false });
    });
  }

  private handshakeFailed(error: Error | null): void {
    if (this.closeInfo !== null || this.aborting) return;
    this.abortHandshake = null;
    this._readyState = ReadyState.CLOSING;
    if (error !== null && this.listenerCount('error') > 0) this.emit('error', error);
    this.finish({ code: 1006, reason: '', wasClean: false });
  }

  /** Emit the one close event, after the socket is gone. */
  private finish(info: CloseInfo): void {
    if (this.closeInfo !== null) return;
    this.closeInfo = info;
    this._readyState = ReadyState.CLOSED;
    // Operations still waiting behind a Blob keep their turn: once it is read
    // they run, find the connection closed and settle their callbacks with an error.
    this.resolveClosed?.(info);
    this[kGroup].accepted?.delete(this);
    this.emit('close', info.code, Buffer.from(info.reason));
  }
}

/**
 * ws's type names under `WebSocket.` (`WebSocket.RawData`, `WebSocket.ClientOptions`...),
 * so that code moved from ws compiles with only its import changed.
 */
export declare namespace WebSocket {
  type RawData = import('./websocket-events.js').RawData;
  type Data = import('./websocket-events.js').MessageData;
  type ClientOptions = WebSocketOptions;
  type ServerOptions = import('./websocket-server.js').WebSocketServerOptions;
  type PerMessageDeflateOptions = import('../core/extensions/permessage-deflate.js').PerMessageDeflateOptions;
  type Event = import('./events.js').WebSocketEvent;
  type MessageEvent = import('./events.js').MessageEvent;
  type CloseEvent = import('./events.js').CloseEvent;
  type ErrorEvent = import('./events.js').ErrorEvent;
  type WebSocketEventMap = import('./websocket-events.js').WebSocketEventMap;
}

for (const [name, value] of Object.entries(ReadyState)) {
  Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
}

const EMPTY = Buffer.alloc(0);

function domException(message: string, name: string): DOMException {
  return new DOMException(message, name);
}

function nullOnSuccess(callback: WriteCallback): WriteCallback {
  return (error?: Error | null) => callback(error ?? null);
}

function notOpen(state: number): WebSocketError {
  const names = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
  return new WebSocketError(ErrorCode.NotOpen, `WebSocket is not open (readyState ${names[state]}): the data was not sent`, 0);
}

function controlTooLong(): WebSocketError {
  return new WebSocketError(ErrorCode.ControlTooLong, 'Ping and pong payloads are limited to 125 bytes', 0);
}

function parseUrl(address: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(address));
  } catch {
    throw domException(`Invalid URL: ${String(address)}`, 'SyntaxError');
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:' && url.protocol !== 'ws+unix:') {
    throw domException(`Invalid URL scheme "${url.protocol}": use ws:, wss:, http:, https: or ws+unix:`, 'SyntaxError');
  }
  if (url.protocol === 'ws+unix:' && (url.pathname === '' || url.pathname === '/')) {
    throw domException(`Invalid URL ${url.href}: ws+unix: needs a socket path, as in ws+unix:/tmp/app.sock:/path`, 'SyntaxError');
  }
  if (url.hash !== '') throw domException('A WebSocket URL must not contain a fragment (#...)', 'SyntaxError');
  return url;
}

function parseProtocols(protocols: string | string[] | undefined): string[] {
  const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
  const seen = new Set<string>();
  for (const protocol of list) {
    if (!isToken(protocol) || seen.has(protocol)) {
      throw domException(`Invalid subprotocol "${protocol}": each must be a distinct HTTP token`, 'SyntaxError');
    }
    seen.add(protocol);
  }
  return list;
}

function checkHeaders(headers: Record<string, string> | undefined, origin: string | undefined): void {
  const values = Object.entries(headers ?? {});
  if (origin !== undefined) values.push(['Origin', origin]);
  for (const [name, value] of values) {
    if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(String(value))) {
      throw new WebSocketError(ErrorCode.InvalidHeaderValue, `Header "${name.replace(/[\r\n]/g, ' ')}" contains CR, LF or NUL: remove them`, 0);
    }
  }
}
