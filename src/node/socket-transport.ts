import type { Duplex } from 'node:stream';
import { Connection, type CloseInfo, type ConnectionSink, type Role } from '../core/connection.js';
import type { WebSocketError } from '../core/errors.js';
import type { WriteCallback } from '../core/frame-serializer.js';
import type { MessageCodec } from '../core/message-codec.js';
import { DEFAULT_BUFFER_FULL_POLICY, DEFAULT_MAX_BUFFERED_AMOUNT, OutgoingLimit, type BufferFullPolicy } from './outgoing-limit.js';

/** What the transport reports upward, to the API object. */
export interface TransportListener {
  onMessage(data: Buffer, isBinary: boolean): void;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  onFailure(error: WebSocketError): void;
  /** The peer's Close frame arrived: the closing handshake has started. */
  onCloseFrame(): void;
  onDrain(): void;
  onClose(info: CloseInfo): void;
}

export interface TransportOptions {
  role: Role;
  maxPayload: number;
  closeTimeout: number;
  codec?: MessageCodec | null;
  compressThreshold?: number;
  /** Send a ping every `interval` ms; terminate when no pong came within `timeout` ms. */
  heartbeat?: { interval: number; timeout: number } | null;
  /** Cap on bytes waiting to be written (default 64 MiB). */
  maxBufferedAmount?: number;
  /** At the cap: 'close' (1008, default) or 'wait' (stop reading until drained). */
  bufferFullPolicy?: BufferFullPolicy;
}

/**
 * Binds one protocol Connection to a socket: socket bytes go into the core,
 * the core's frames go out corked, and the core's teardown instructions
 * (end the transport, arm the close timer) become socket calls and timers.
 */
export class SocketTransport implements ConnectionSink {
  readonly connection: Connection;
  private closeTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private ended = false;
  private closed = false;
  private turnStarted = false;
  private corked = false;
  private discardedWrites = false;
  private pausedByUser = false;
  private readonly limit: OutgoingLimit;

  constructor(
    readonly socket: Duplex,
    head: Buffer | null,
    private readonly options: TransportOptions,
    private readonly listener: TransportListener,
  ) {
    this.connection = new Connection(this, {
      role: options.role,
      maxPayload: options.maxPayload,
      codec: options.codec,
      compressThreshold: options.compressThreshold,
    });
    this.limit = new OutgoingLimit(
      options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT,
      options.bufferFullPolicy ?? DEFAULT_BUFFER_FULL_POLICY,
      this,
    );
    const netSocket = socket as Duplex & { setNoDelay?: (on: boolean) => void; setTimeout?: (ms: number) => void };
    netSocket.setNoDelay?.(true);
    netSocket.setTimeout?.(0);
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
    // Node 20 completes the callbacks of writes a destroy() discards without
    // an error; remember that bytes were discarded so they report one.
    if (this.socket.writableLength > 0) this.discardedWrites = true;
    this.socket.destroy();
  }

  /** Stop reading at the user's request (pause(), a full async iterator). */
  pauseReading(): void {
    this.pausedByUser = true;
    this.socket.pause();
  }

  resumeReading(): void {
    this.pausedByUser = false;
    if (!this.limit.holdingReads) this.socket.resume();
  }

  // ---- OutgoingLimitHooks ---------------------------------------------------

  /** @internal */
  fail(code: string, message: string, closeCode: number): void {
    this.connection.fail(code, message, closeCode);
  }

  /** @internal The write buffer is over the cap under the 'wait' policy. */
  holdReads(): void {
    this.socket.pause();
  }

  /** @internal */
  releaseReads(): void {
    if (!this.pausedByUser) this.socket.resume();
  }

  // ---- ConnectionSink -------------------------------------------------------

  write(head: Buffer, tail: Buffer | null, callback?: WriteCallback): void {
    const socket = this.socket;
    if (this.ended || socket.destroyed || this.limit.closing) {
      if (callback) process.nextTick(callback, notWritable());
      return;
    }
    const done = callback === undefined ? undefined : (error?: Error | null) => callback(error ?? (this.discardedWrites ? notWritable() : undefined));
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
    this.limit.afterWrite(socket.writableLength, head.length + (tail === null ? 0 : tail.length));
  }

  /** @internal */
  flushCorked(): void {
    this.turnStarted = false;
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    this.listener.onMessage(data, isBinary);
  }

  onPing(data: Buffer): void {
    this.listener.onPing(data);
  }

  onPong(data: Buffer): void {
    if (this.pongTimer !== null) {
      clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    this.listener.onPong(data);
  }

  onCloseFrame(): void {
    this.stopHeartbeat();
    this.listener.onCloseFrame();
  }

  onFailure(error: WebSocketError): void {
    this.listener.onFailure(error);
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
    if (this.closeTimer !== null || this.closed) return;
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      this.destroySocket();
    }, this.options.closeTimeout);
  }

  // ---- socket events --------------------------------------------------------

  /** The peer sent FIN: end our side too (after anything still queued). @internal */
  handleEnd(): void {
    if (!this.ended) {
      this.ended = true;
      this.socket.end();
    }
  }

  /** @internal */
  handleDrain(): void {
    this.limit.onDrain(this.socket.writableLength);
    this.listener.onDrain();
  }

  /** @internal */
  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.stopHeartbeat();
    this.socket.removeListener('data', onSocketData);
    this.listener.onClose(this.connection.transportClosed());
  }

  // ---- heartbeat ------------------------------------------------------------

  private startHeartbeat(interval: number, timeout: number): void {
    this.heartbeatTimer = setInterval(() => {
      if (this.pongTimer !== null) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        this.destroy();
      }, timeout);
      this.connection.ping(EMPTY);
    }, interval);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    this.heartbeatTimer = null;
    this.pongTimer = null;
  }
}

const EMPTY = Buffer.alloc(0);

const kTransport = Symbol('socketeer.transport');
type TaggedSocket = Duplex & { [kTransport]: SocketTransport };

function onSocketData(this: Duplex, chunk: Buffer): void {
  (this as TaggedSocket)[kTransport].connection.receive(chunk);
}

function onSocketEnd(this: Duplex): void {
  (this as TaggedSocket)[kTransport].handleEnd();
}

function onSocketClose(this: Duplex): void {
  (this as TaggedSocket)[kTransport].handleClose();
}

function onSocketError(this: Duplex): void {
  // 'close' follows; the close event reports 1006 unless a Close was exchanged.
  this.destroy();
}

function onSocketDrain(this: Duplex): void {
  (this as TaggedSocket)[kTransport].handleDrain();
}

function uncork(transport: SocketTransport): void {
  transport.flushCorked();
}

function notWritable(): Error {
  return Object.assign(new Error('The connection is closing: data can no longer be written'), { code: 'WS_ERR_NOT_OPEN' });
}
