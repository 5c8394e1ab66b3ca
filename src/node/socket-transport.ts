import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Connection, ConnectionConfig, type CloseInfo, type ConnectionOptions, type ConnectionSink, type Role } from '../core/connection.js';
import type { WebSocketError } from '../core/errors.js';
import type { WriteCallback } from '../core/frame-serializer.js';
import { randomMask } from '../core/mask-source.js';
import type { MessageCodec } from '../core/message-codec.js';
import { DEFAULT_BUFFER_FULL_POLICY, DEFAULT_MAX_BUFFERED_AMOUNT, OutgoingLimit, type BufferFullPolicy } from './outgoing-limit.js';

export const kOnMessage = Symbol('socketeer.onMessage');
export const kOnPing = Symbol('socketeer.onPing');
export const kOnPong = Symbol('socketeer.onPong');
export const kOnFailure = Symbol('socketeer.onFailure');
export const kOnCloseFrame = Symbol('socketeer.onCloseFrame');
export const kOnDrain = Symbol('socketeer.onDrain');
export const kOnClose = Symbol('socketeer.onClose');
/**
 * What the transport reports upward, to the API object. The methods are
 * symbol-keyed so that the API object can be the listener itself (no
 * listener object per connection) without them showing up as, or being
 * overwritten by, user-visible properties.
 */
export interface TransportListener {
  [kOnMessage](data: Buffer, isBinary: boolean): void;
  [kOnPing](data: Buffer): void;
  [kOnPong](data: Buffer): void;
  [kOnFailure](error: WebSocketError): void;
  /** The peer's Close frame arrived: the closing handshake has started. */
  [kOnCloseFrame](): void;
  [kOnDrain](): void;
  [kOnClose](info: CloseInfo): void;
}

export interface TransportOptions {
  role: Role;
  maxPayload: number;
  closeTimeout: number;
  /** The close timer after a protocol failure (ours or the peer's), in ms. */
  failureCloseTimeout?: number;
  codec?: MessageCodec | null;
  compressThreshold?: number;
  /** Send a ping every `interval` ms; terminate when no pong came within `timeout` ms. */
  heartbeat?: { interval: number; timeout: number } | null;
  /** Cap on bytes waiting to be written (default 64 MiB). */
  maxBufferedAmount?: number;
  /** At the cap: 'close' (1008, default) or 'wait' (stop reading until drained). */
  bufferFullPolicy?: BufferFullPolicy;
  /** Received bytes that may wait unparsed while a message inflates (default 1 MiB). */
  maxUnparsedBytes?: number;
  /** ws-compatible knobs handed to the core as they are: masking keys, automatic pongs, UTF-8 checks. */
  protocol?: Pick<ConnectionOptions, 'generateMask' | 'autoPong' | 'skipUtf8Validation'>;
}

/**
 * A transport's settings with the defaults filled in; they include the
 * core's ConnectionConfig, so the connection reads the same object.
 * Immutable and interned (see settingsFor()): every connection made with the
 * same options (all of a server's, clients made alike) shares one, instead
 * of each transport and connection carrying copies.
 */
export class TransportSettings extends ConnectionConfig {
  readonly closeTimeout: number;
  readonly failureCloseTimeout: number | undefined;
  readonly maxBufferedAmount: number;
  readonly bufferFullPolicy: BufferFullPolicy;

  constructor(options: TransportOptions) {
    super({
      role: options.role,
      maxPayload: options.maxPayload,
      // Only read when a codec was negotiated: without one, every connection gets the same value.
      compressThreshold: options.codec ? options.compressThreshold : undefined,
      maxUnparsedBytes: options.maxUnparsedBytes,
      ...options.protocol,
    });
    this.closeTimeout = options.closeTimeout;
    this.failureCloseTimeout = options.failureCloseTimeout;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    this.bufferFullPolicy = options.bufferFullPolicy ?? DEFAULT_BUFFER_FULL_POLICY;
  }
}

/** Settings already made, by their values; a handful per process in practice. */
const settingsMade = new Map<string, TransportSettings>();
const MAX_SETTINGS_KEPT = 64;
/** The settings settingsFor() returned last: a server's connections nearly always ask for them again. */
let lastSettings: TransportSettings | null = null;
let settingsFields: (keyof TransportSettings)[] | null = null;

function sameValues(a: TransportSettings, b: TransportSettings, fields: (keyof TransportSettings)[]): boolean {
  for (const field of fields) if (a[field] !== b[field]) return false;
  return true;
}

/**
 * The shared settings for these options (made on first need). The key is the
 * resolved settings themselves, every field of them, so a field added to
 * TransportSettings can never be left out of it.
 */
function settingsFor(options: TransportOptions): TransportSettings {
  const settings = new TransportSettings(options);
  // A user's mask generator is a function: settings with one are not shared.
  if (settings.generateMask !== null && settings.generateMask !== randomMask) return settings;
  const fields = (settingsFields ??= Object.keys(settings) as (keyof TransportSettings)[]);
  if (lastSettings !== null && sameValues(lastSettings, settings, fields)) return lastSettings;
  lastSettings = internSettings(settings);
  return lastSettings;
}

function internSettings(settings: TransportSettings): TransportSettings {
  const key = Object.values(settings)
    .map((value) => (typeof value === 'function' ? 'randomMask' : String(value)))
    .join('|');
  const made = settingsMade.get(key);
  if (made !== undefined) return made;
  if (settingsMade.size >= MAX_SETTINGS_KEPT) settingsMade.clear();
  settingsMade.set(key, settings);
  return settings;
}

/** The heartbeat's timers, made only for connections with the heartbeat option. */
interface Heartbeat {
  interval: NodeJS.Timeout | null;
  /** Waiting for the pong of the last ping. */
  pong: NodeJS.Timeout | null;
}

// Bits of SocketTransport.flags.
const T_ENDED = 1;
const T_CLOSED = 2;
const T_INPUT_DONE = 4;
const T_REPORTED = 8;
const T_TURN_STARTED = 16;
const T_CORKED = 32;
const T_PAUSED_BY_USER = 64;
const T_HELD_BY_CORE = 128;
const T_READING = 256;
const T_RELEASES_ON_CALLBACK = 512;
/** The close timer runs with the failure grace (shorter than closeTimeout). */
const T_SHORT_CLOSE_TIMER = 1024;

/**
 * Binds one protocol Connection to a socket: socket bytes go into the core,
 * the core's frames go out corked, and the core's teardown instructions
 * (end the transport, arm the close timer) become socket calls and timers.
 */
export class SocketTransport implements ConnectionSink {
  readonly connection: Connection;
  /** Timeouts and the outgoing cap, shared with the other connections made alike. */
  readonly settings: TransportSettings;
  private closeTimer: NodeJS.Timeout | null = null;
  private heartbeat: Heartbeat | null = null;
  /** Boolean state packed in one small integer (one field instead of one per flag); see the accessors. */
  private flags = 256;
  private get ended(): boolean {
    return (this.flags & T_ENDED) !== 0;
  }
  private set ended(on: boolean) {
    this.flags = on ? this.flags | T_ENDED : this.flags & ~T_ENDED;
  }
  private get closed(): boolean {
    return (this.flags & T_CLOSED) !== 0;
  }
  private set closed(on: boolean) {
    this.flags = on ? this.flags | T_CLOSED : this.flags & ~T_CLOSED;
  }
  /** The core has processed every byte received (after the end of input). */
  private get inputDone(): boolean {
    return (this.flags & T_INPUT_DONE) !== 0;
  }
  private set inputDone(on: boolean) {
    this.flags = on ? this.flags | T_INPUT_DONE : this.flags & ~T_INPUT_DONE;
  }
  private get reported(): boolean {
    return (this.flags & T_REPORTED) !== 0;
  }
  private set reported(on: boolean) {
    this.flags = on ? this.flags | T_REPORTED : this.flags & ~T_REPORTED;
  }
  private get turnStarted(): boolean {
    return (this.flags & T_TURN_STARTED) !== 0;
  }
  private set turnStarted(on: boolean) {
    this.flags = on ? this.flags | T_TURN_STARTED : this.flags & ~T_TURN_STARTED;
  }
  private get corked(): boolean {
    return (this.flags & T_CORKED) !== 0;
  }
  private set corked(on: boolean) {
    this.flags = on ? this.flags | T_CORKED : this.flags & ~T_CORKED;
  }
  private get pausedByUser(): boolean {
    return (this.flags & T_PAUSED_BY_USER) !== 0;
  }
  private set pausedByUser(on: boolean) {
    this.flags = on ? this.flags | T_PAUSED_BY_USER : this.flags & ~T_PAUSED_BY_USER;
  }
  /** The core is inflating a message: reading waits so the peer feels TCP backpressure. */
  private get heldByCore(): boolean {
    return (this.flags & T_HELD_BY_CORE) !== 0;
  }
  private set heldByCore(on: boolean) {
    this.flags = on ? this.flags | T_HELD_BY_CORE : this.flags & ~T_HELD_BY_CORE;
  }
  private get reading(): boolean {
    return (this.flags & T_READING) !== 0;
  }
  private set reading(on: boolean) {
    this.flags = on ? this.flags | T_READING : this.flags & ~T_READING;
  }
  /**
   * A net.Socket (TLS included) is done with a buffer when its write callback
   * runs (libuv has written it or given up on it), so large masked frames can
   * be reused. An HTTP/2 stream is not: when a stream is destroyed, Node
   * completes its queued writes with ECANCELED even if nghttp2 has already
   * put the first part of one on the session's socket, so a buffer reused at
   * that callback could be rewritten while its bytes are still being sent.
   */
  get releasesOnCallback(): boolean {
    return (this.flags & T_RELEASES_ON_CALLBACK) !== 0;
  }
  /**
   * Bytes handed to the socket, and how many of them are known to be in the
   * OS, counted from the last moment the socket was empty with no write
   * callback waiting (when both go back to 0). Counted from the start they
   * would pass 2^31 on a busy connection, V8 would change the fields from
   * small integers to boxed doubles, and the first connection to do so
   * would throw away the optimized code of every function that touches a
   * transport (doubles from the start would cost 32 bytes per connection).
   */
  private writtenBytes = 0;
  private flushedBytes = 0;
  /** Write callbacks given to the socket and not run yet. */
  private settling = 0;
  /** The outgoing cap's state, made the first time the write buffer passes the cap (most connections never do). */
  private limit: OutgoingLimit | null = null;

  constructor(
    readonly socket: Duplex,
    head: Buffer | null,
    options: TransportOptions,
    private readonly listener: TransportListener,
  ) {
    // The options object itself is not kept: what is read later is in the shared settings.
    const settings = settingsFor(options);
    this.settings = settings;
    if (socket instanceof Socket) this.flags |= T_RELEASES_ON_CALLBACK;
    this.connection = new Connection(this, { role: options.role, maxPayload: options.maxPayload, codec: options.codec, config: settings });
    const netSocket = socket as Duplex & { setNoDelay?: (on: boolean) => void; setTimeout?: (ms: number) => void };
    netSocket.setNoDelay?.(true);
    netSocket.setTimeout?.(0);
    // The peer's FIN must not end our side before the Close we may still owe
    // it (behind an inflation or a compression) has been written: we end it.
    socket.allowHalfOpen = true;
    // Bytes that came with the upgrade are replayed through the socket, so
    // they arrive after the caller has attached its listeners.
    if (head !== null && head.length > 0) socket.unshift(head);
    // Shared module-level handlers find this transport through the socket,
    // instead of five bound closures per connection.
    (socket as TaggedSocket)[kTransport] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    socket.on('drain', onSocketDrain);
    if (options.heartbeat) this.startHeartbeat(options.heartbeat.interval, options.heartbeat.timeout);
  }

  /** Bytes handed to us but not yet to the OS. */
  get bufferedAmount(): number {
    return this.socket.writableLength + this.connection.queuedBytes;
  }

  /** Destroy the socket now (terminate(), timeouts). */
  destroy(): void {
    this.connection.abort();
    this.destroySocket();
  }

  private destroySocket(): void {
    // Frames corked in this turn were sent before terminate(): hand them to
    // the OS first, as an uncorked socket would already have.
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    this.noteFlushed();
    this.socket.destroy();
  }

  /** Stop reading at the user's request (pause(), a full async iterator). */
  pauseReading(): void {
    this.pausedByUser = true;
    this.syncReading();
  }

  resumeReading(): void {
    this.pausedByUser = false;
    this.syncReading();
  }

  /** Read while nobody holds reads: the user, the outgoing limit, the core. */
  private syncReading(): void {
    const read = !this.pausedByUser && !(this.limit !== null && this.limit.holdingReads) && !this.heldByCore;
    if (read === this.reading) return;
    this.reading = read;
    if (read) this.socket.resume();
    else this.socket.pause();
  }

  // ---- OutgoingLimitHooks ---------------------------------------------------

  /** @internal */
  fail(code: string, message: string, closeCode: number): void {
    this.connection.fail(code, message, closeCode);
  }

  /** @internal The write buffer is over the cap under the 'wait' policy. */
  holdReads(): void {
    this.syncReading();
  }

  /** @internal */
  releaseReads(): void {
    this.syncReading();
  }

  // ---- ConnectionSink -------------------------------------------------------

  write(head: Buffer, tail: Buffer | null, callback?: WriteCallback): void {
    const socket = this.socket;
    if (this.ended || socket.destroyed || (this.limit !== null && this.limit.closing)) {
      if (callback) process.nextTick(callback, notWritable());
      return;
    }
    this.writtenBytes += head.length + (tail === null ? 0 : tail.length);
    const done = callback === undefined ? undefined : this.settleWrite(this.writtenBytes, callback);
    // The first write of a turn goes out at once (no added latency; a header
    // and its payload together in one writev); the writes after it in the
    // same turn are corked and leave in one writev at the end of the turn, so
    // an echo of a chunk holding many small messages costs two syscalls, not
    // one per message.
    if (!this.turnStarted) {
      this.turnStarted = true;
      process.nextTick(uncork, this);
      if (tail === null) {
        socket.write(head, done);
      } else {
        socket.cork();
        socket.write(head);
        socket.write(tail, done);
        socket.uncork();
      }
    } else {
      if (!this.corked) {
        this.corked = true;
        socket.cork();
      }
      if (tail !== null) socket.write(head);
      socket.write(tail ?? head, done);
    }
    this.noteFlushed();
    const buffered = socket.writableLength;
    // OutgoingLimit.afterWrite() does nothing at or under the cap, so its state waits until then.
    if (this.limit === null && buffered > this.settings.maxBufferedAmount) {
      this.limit = new OutgoingLimit(this.settings.maxBufferedAmount, this.settings.bufferFullPolicy, this);
    }
    if (this.limit !== null) this.limit.afterWrite(buffered, head.length + (tail === null ? 0 : tail.length));
  }

  /**
   * A write's callback succeeds only if its bytes reached the OS. Node
   * completes the callback of a write cut short by destroy() without an
   * error, so a write that ends past the bytes known to be flushed when the
   * socket was destroyed reports one. The last waiting callback may find
   * the socket empty: the counts restart there, or a connection whose every
   * write has a callback (a client's pooled masked frames) would never
   * restart them ('drain' comes before the callbacks).
   */
  private settleWrite(end: number, callback: WriteCallback): (error?: Error | null) => void {
    this.settling++;
    return (error) => {
      this.settling--;
      let failure: Error | undefined;
      if (error) {
        failure = notWritable(error);
      } else if (!this.socket.destroyed) {
        if (end > this.flushedBytes) this.flushedBytes = end;
      } else if (end > this.flushedBytes) {
        failure = notWritable();
      }
      if (this.settling === 0 && !this.socket.destroyed) this.noteFlushed();
      callback(failure);
    };
  }

  /** Everything handed to the socket is in the OS once its buffer is empty. */
  private noteFlushed(): void {
    if (this.socket.writableLength !== 0 || this.corked) return;
    if (this.settling === 0) this.writtenBytes = 0;
    this.flushedBytes = this.writtenBytes;
  }

  /** @internal */
  /**
   * One socket read. Every frame written while it is handled (echoes,
   * replies) is corked and leaves in one writev when it is done: one write
   * per read, not two. One case keeps the first frame going out at once: a
   * large read that is the only one of this event-loop pass, which is what a
   * lone peer pipelining many messages sends; it gets its first reply while
   * the rest is parsed, and the others leave together at the end of the turn.
   */
  receive(chunk: Buffer): void {
    if (readsThisPass++ === 0) {
      setImmediate(endReadPass);
      if (chunk.length >= EARLY_REPLY_MIN_READ) {
        this.connection.receive(chunk);
        return;
      }
    }
    this.turnStarted = true;
    try {
      this.connection.receive(chunk);
    } finally {
      this.flushCorked();
    }
  }

  flushCorked(): void {
    this.turnStarted = false;
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
      this.noteFlushed();
    }
  }

  // Listeners run user code. An exception there must not unwind the frame
  // parser (the rest of the chunk would be lost and the next frame read from
  // the middle of one): it is rethrown on the next tick, where it reaches
  // 'uncaughtException' like any listener error, and the connection goes on
  // with the next frame.

  onMessage(data: Buffer, isBinary: boolean): void {
    try {
      this.listener[kOnMessage](data, isBinary);
    } catch (error) {
      rethrowLater(error);
    }
  }

  onPing(data: Buffer): void {
    try {
      this.listener[kOnPing](data);
    } catch (error) {
      rethrowLater(error);
    }
  }

  onPong(data: Buffer): void {
    const heartbeat = this.heartbeat;
    if (heartbeat !== null && heartbeat.pong !== null) {
      clearTimeout(heartbeat.pong);
      heartbeat.pong = null;
    }
    try {
      this.listener[kOnPong](data);
    } catch (error) {
      rethrowLater(error);
    }
  }

  onCloseFrame(): void {
    this.stopHeartbeat();
    try {
      this.listener[kOnCloseFrame]();
    } catch (error) {
      rethrowLater(error);
    }
  }

  onFailure(error: WebSocketError): void {
    try {
      this.listener[kOnFailure](error);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }

  inputDrained(): void {
    this.inputDone = true;
    if (this.closed) {
      this.report();
    } else if (!this.ended) {
      // The peer ended its side without completing the closing handshake
      // (or after it, on the client): end ours and bound the wait for close.
      this.ended = true;
      this.socket.end();
      this.armCloseTimer();
    }
  }

  holdInput(hold: boolean): void {
    this.heldByCore = hold;
    if (!this.closed) this.syncReading();
  }

  discardWrites(callbacks: WriteCallback[]): void {
    for (const callback of callbacks) process.nextTick(callback, notWritable());
  }

  endTransport(): void {
    this.stopHeartbeat();
    if (!this.ended) {
      this.ended = true;
      this.socket.end();
    }
    // A peer that never closes its side must not hold the socket forever.
    this.armCloseTimer();
  }

  armCloseTimer(): void {
    this.stopHeartbeat();
    if (this.closed) return;
    // A peer that broke the protocol gets a short grace, not the whole closeTimeout.
    const { closeTimeout, failureCloseTimeout } = this.settings;
    const failed = this.connection.failed && failureCloseTimeout !== undefined;
    const ms = failed ? Math.min(failureCloseTimeout!, closeTimeout) : closeTimeout;
    const short = ms < closeTimeout;
    if (this.closeTimer !== null) {
      // A running timer is cut short only by the failure grace, and only once.
      if (!short || (this.flags & T_SHORT_CLOSE_TIMER) !== 0) return;
      clearTimeout(this.closeTimer);
    }
    if (short) this.flags |= T_SHORT_CLOSE_TIMER;
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      this.destroySocket();
    }, ms);
  }

  // ---- socket events --------------------------------------------------------

  /**
   * The peer sent FIN. Everything it sent before is processed first (a
   * message may still be inflating, a Close may wait behind it); then our
   * side ends, after anything still queued (inputDrained).
   * @internal
   */
  handleEnd(): void {
    this.connection.endOfInput();
  }

  /** @internal */
  handleDrain(): void {
    this.noteFlushed();
    if (this.limit !== null) this.limit.onDrain(this.socket.writableLength);
    this.listener[kOnDrain]();
  }

  /** The socket errored: what was written so far is known before Node discards the rest. @internal */
  handleError(): void {
    this.noteFlushed();
  }

  /**
   * The socket is closed. Bytes it had already received but that were never
   * read (reading was paused) are processed now, and the close is reported
   * once the core has finished with all of them.
   * @internal
   */
  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.stopHeartbeat();
    this.socket.removeListener('data', onSocketData);
    if (this.inputDone) {
      this.report();
      return;
    }
    let chunk: Buffer | null;
    while ((chunk = this.socket.read() as Buffer | null) !== null) this.connection.receive(chunk);
    this.connection.endOfInput();
  }

  private report(): void {
    if (this.reported) return;
    this.reported = true;
    const info = this.connection.transportClosed();
    try {
      this.listener[kOnClose](info);
    } catch (error) {
      rethrowLater(error);
    }
  }

  // ---- heartbeat ------------------------------------------------------------

  private startHeartbeat(interval: number, timeout: number): void {
    const heartbeat: Heartbeat = { interval: null, pong: null };
    this.heartbeat = heartbeat;
    heartbeat.interval = setInterval(() => {
      if (heartbeat.pong !== null) return;
      heartbeat.pong = setTimeout(() => {
        heartbeat.pong = null;
        this.destroy();
      }, timeout);
      this.connection.ping(EMPTY);
    }, interval);
  }

  private stopHeartbeat(): void {
    const heartbeat = this.heartbeat;
    if (heartbeat === null) return;
    this.heartbeat = null;
    if (heartbeat.interval !== null) clearInterval(heartbeat.interval);
    if (heartbeat.pong !== null) clearTimeout(heartbeat.pong);
    heartbeat.interval = null;
    heartbeat.pong = null;
  }
}

const EMPTY = Buffer.alloc(0);

const kTransport = Symbol('socketeer.transport');
type TaggedSocket = Duplex & { [kTransport]: SocketTransport };

/** Socket reads handled since the event loop last passed its check phase. */
let readsThisPass = 0;
/**
 * The smallest lone read whose first reply is written at once (measured:
 * one pipelining connection, 32 small messages per read, 1.7x ws with it and
 * 1.3x without; reads of 2-3 messages from 32 busy connections cost 8% more
 * server CPU per message with it).
 */
const EARLY_REPLY_MIN_READ = 1024;
function endReadPass(): void {
  readsThisPass = 0;
}

function onSocketData(this: Duplex, chunk: Buffer): void {
  (this as TaggedSocket)[kTransport].receive(chunk);
}

function onSocketEnd(this: Duplex): void {
  (this as TaggedSocket)[kTransport].handleEnd();
}

function onSocketClose(this: Duplex): void {
  (this as TaggedSocket)[kTransport].handleClose();
}

function onSocketError(this: Duplex): void {
  // 'close' follows; the close event reports 1006 unless a Close was exchanged.
  (this as TaggedSocket)[kTransport].handleError();
  this.destroy();
}

function onSocketDrain(this: Duplex): void {
  (this as TaggedSocket)[kTransport].handleDrain();
}

function rethrowLater(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}

function uncork(transport: SocketTransport): void {
  transport.flushCorked();
}

function notWritable(cause?: Error): Error {
  return Object.assign(
    new Error('The connection closed before this data was written: it never reached the peer', cause === undefined ? undefined : { cause }),
    { code: 'WS_ERR_NOT_OPEN' },
  );
}
