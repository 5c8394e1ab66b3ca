import { CloseCode, isValidWireCloseCode } from './close-codes.js';
import { ErrorCode, WebSocketError } from './errors.js';
import { FrameParser, type FrameHandler } from './frame-parser.js';
import { encodeFrame, encodeTextFrame, type FrameSink, type WriteCallback } from './frame-serializer.js';
import { maskWithKey } from './mask.js';
import { randomMask } from './mask-source.js';
import type { MessageCodec } from './message-codec.js';
import { Opcode } from './opcodes.js';
import { ReceiveState } from './receive-state.js';
import { Utf8Validator, isValidUtf8 } from './utf8-validator.js';

export type Role = 'client' | 'server';

export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/** How a connection ended, as the close event reports it. */
export interface CloseInfo {
  /** The code of the first Close frame received (1005 if it had no body, 1006 if none came). */
  code: number;
  /** Its reason, UTF-8 decoded ('' when none). */
  reason: string;
  /** Whether the closing handshake completed before the socket closed. */
  wasClean: boolean;
}

/**
 * Everything the core asks of the layer that owns the socket and the timers.
 * The core calls these; it never reads a clock or touches a socket itself.
 */
export interface ConnectionSink extends FrameSink {
  onMessage(data: Buffer, isBinary: boolean): void;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  /** A valid Close frame arrived (the first one; later ones are never read). */
  onCloseFrame(code: number, reason: string): void;
  /** The peer broke the protocol; a Close with error.closeCode is on its way. */
  onFailure(error: WebSocketError): void;
  /** Half-close the transport once everything written so far is flushed. */
  endTransport(): void;
  /** Start the close timer: when it fires, destroy the transport. */
  armCloseTimer(): void;
  /**
   * After endOfInput(): every byte received has been processed (messages
   * inflated and delivered, a Close read and answered) and every write queued
   * before that point has been handed to the sink. Called once.
   */
  inputDrained(): void;
  /** Stop (true) or restart (false) reading the transport: parsing is paused or the backlog is full. */
  holdInput(hold: boolean): void;
  /** Writes that will never happen: settle each callback with an error. */
  discardWrites(callbacks: WriteCallback[]): void;
}

/** Unparsed bytes held while a message inflates, past which the peer is failed with 1008. */
export const DEFAULT_MAX_UNPARSED_BYTES = 1024 * 1024;

/** An operation waiting in the send queue; `callback` is what to settle if it never runs. */
interface QueuedWrite {
  run(): void;
  callback?: WriteCallback;
  /** Runs even when the queue is discarded (the drained notice). */
  always?: boolean;
}

export interface ConnectionOptions {
  role: Role;
  /** Largest message accepted, after reassembly and decompression. */
  maxPayload: number;
  /** The negotiated permessage-deflate codec, if any. */
  codec?: MessageCodec | null;
  /** Messages shorter than this are sent uncompressed even when a codec is on. */
  compressThreshold?: number;
  /** Masking key source for a client (tests inject a fixed one). */
  generateMask?: () => Uint8Array;
  /** Received bytes that may wait unparsed while a message inflates (default 1 MiB). */
  maxUnparsedBytes?: number;
  /** Answer pings with pongs automatically (default true; ws's `autoPong`). */
  autoPong?: boolean;
  /** Deliver text messages without checking their UTF-8 (default false; ws's `skipUTF8Validation`). */
  skipUtf8Validation?: boolean;
  /**
   * The settings above, already resolved and shared with other connections.
   * When given, the connection reads its role and limits from it and ignores
   * the fields above (all but `codec`, which belongs to one connection).
   */
  config?: ConnectionConfig;
}

/**
 * A connection's settings with the defaults filled in. Immutable, so one
 * object serves every connection made with the same options (all those of
 * a server, clients made alike) instead of each connection carrying copies.
 */
export class ConnectionConfig {
  readonly role: Role;
  readonly maxPayload: number;
  readonly compressThreshold: number;
  /** Masking key source: clients only (null on servers, which never mask). */
  readonly generateMask: (() => Uint8Array) | null;
  readonly maxUnparsedBytes: number;
  readonly autoPong: boolean;
  readonly checkUtf8: boolean;

  constructor(options: Omit<ConnectionOptions, 'codec' | 'config'>) {
    this.role = options.role;
    this.maxPayload = options.maxPayload;
    this.compressThreshold = options.compressThreshold ?? 1024;
    this.generateMask = options.role === 'client' ? (options.generateMask ?? randomMask) : null;
    this.maxUnparsedBytes = options.maxUnparsedBytes ?? DEFAULT_MAX_UNPARSED_BYTES;
    this.autoPong = options.autoPong ?? true;
    this.checkUtf8 = options.skipUtf8Validation !== true;
  }
}

export interface SendOptions {
  binary: boolean;
  /** False to leave the message open for more fragments. Default true. */
  fin?: boolean;
  /** False to skip compression for this message. Default true when negotiated. */
  compress?: boolean;
}

// Bits of Connection.flags.
const C_FRAME_FIN = 1;
const C_IN_MESSAGE = 2;
const C_MESSAGE_BINARY = 4;
const C_MESSAGE_COMPRESSED = 8;
const C_INPUT_ENDED = 16;
const C_DRAIN_NOTICED = 32;
const C_INPUT_HELD = 64;
const C_SENDING_FRAGMENTED = 128;
const C_SENDING_COMPRESSED = 256;
const C_CLOSE_SENT = 512;
const C_CLOSE_WRITTEN = 1024;
const C_CLOSE_RECEIVED = 2048;
const C_ABORTED = 4096;
const C_AUTO_PONG = 8192;
const C_CHECK_UTF8 = 16384;
const C_CLIENT = 32768;

/**
 * One WebSocket connection after the opening handshake, as a state machine
 * over bytes: receive() takes bytes from the peer, the send methods produce
 * frames into the sink, and the closing handshake of RFC 6455 §7 decides
 * when the sink must end the transport or arm the close timer.
 */
export class Connection extends FrameParser implements FrameHandler {
  readyState: number = ReadyState.OPEN;
  /** Bytes accepted by send() but waiting behind a compression in progress. */
  queuedBytes = 0;

  private get role(): Role {
    return (this.flags & C_CLIENT) !== 0 ? 'client' : 'server';
  }
  /** Role, limits and knobs, shared with the other connections made alike. */
  private readonly config: ConnectionConfig;
  private readonly codec: MessageCodec | null;
  /**
   * The frame parser is this object (Connection extends FrameParser, one
   * object per connection instead of two); named for readability.
   */
  private get parser(): FrameParser {
    return this;
  }

  // Receiving
  private frameOpcode = 0;
  /** Boolean state packed in one small integer (one field instead of one per flag); see the accessors. */
  private flags = 0;
  private get frameFin(): boolean {
    return (this.flags & C_FRAME_FIN) !== 0;
  }
  private set frameFin(on: boolean) {
    this.flags = on ? this.flags | C_FRAME_FIN : this.flags & ~C_FRAME_FIN;
  }
  private controlPayload: Buffer[] | null = null;
  private get inMessage(): boolean {
    return (this.flags & C_IN_MESSAGE) !== 0;
  }
  private set inMessage(on: boolean) {
    this.flags = on ? this.flags | C_IN_MESSAGE : this.flags & ~C_IN_MESSAGE;
  }
  private get messageBinary(): boolean {
    return (this.flags & C_MESSAGE_BINARY) !== 0;
  }
  private set messageBinary(on: boolean) {
    this.flags = on ? this.flags | C_MESSAGE_BINARY : this.flags & ~C_MESSAGE_BINARY;
  }
  private get messageCompressed(): boolean {
    return (this.flags & C_MESSAGE_COMPRESSED) !== 0;
  }
  private set messageCompressed(on: boolean) {
    this.flags = on ? this.flags | C_MESSAGE_COMPRESSED : this.flags & ~C_MESSAGE_COMPRESSED;
  }
  /**
   * The message being received, its fragment budget, UTF-8 validator and
   * compressed frame: made when the first data message starts (an idle
   * connection has none), then reused.
   */
  private rx: ReceiveState | null = null;
  private get autoPong(): boolean {
    return (this.flags & C_AUTO_PONG) !== 0;
  }
  private set autoPong(on: boolean) {
    this.flags = on ? this.flags | C_AUTO_PONG : this.flags & ~C_AUTO_PONG;
  }
  /** Text messages are checked for UTF-8 unless the user turned it off. */
  private get checkUtf8(): boolean {
    return (this.flags & C_CHECK_UTF8) !== 0;
  }
  private set checkUtf8(on: boolean) {
    this.flags = on ? this.flags | C_CHECK_UTF8 : this.flags & ~C_CHECK_UTF8;
  }
  private get inputEnded(): boolean {
    return (this.flags & C_INPUT_ENDED) !== 0;
  }
  private set inputEnded(on: boolean) {
    this.flags = on ? this.flags | C_INPUT_ENDED : this.flags & ~C_INPUT_ENDED;
  }
  private get drainNoticed(): boolean {
    return (this.flags & C_DRAIN_NOTICED) !== 0;
  }
  private set drainNoticed(on: boolean) {
    this.flags = on ? this.flags | C_DRAIN_NOTICED : this.flags & ~C_DRAIN_NOTICED;
  }
  private get inputHeld(): boolean {
    return (this.flags & C_INPUT_HELD) !== 0;
  }
  private set inputHeld(on: boolean) {
    this.flags = on ? this.flags | C_INPUT_HELD : this.flags & ~C_INPUT_HELD;
  }

  // Sending
  private sendQueue: QueuedWrite[] | null = null;
  /** The callback of the message being compressed (null when none or it has none). */
  private compressingCallback: WriteCallback | null = null;
  private get sendingFragmented(): boolean {
    return (this.flags & C_SENDING_FRAGMENTED) !== 0;
  }
  private set sendingFragmented(on: boolean) {
    this.flags = on ? this.flags | C_SENDING_FRAGMENTED : this.flags & ~C_SENDING_FRAGMENTED;
  }
  private get sendingCompressed(): boolean {
    return (this.flags & C_SENDING_COMPRESSED) !== 0;
  }
  private set sendingCompressed(on: boolean) {
    this.flags = on ? this.flags | C_SENDING_COMPRESSED : this.flags & ~C_SENDING_COMPRESSED;
  }

  // Closing
  private get closeSent(): boolean {
    return (this.flags & C_CLOSE_SENT) !== 0;
  }
  private set closeSent(on: boolean) {
    this.flags = on ? this.flags | C_CLOSE_SENT : this.flags & ~C_CLOSE_SENT;
  }
  /** Our Close frame reached the OS (the sink's write callback succeeded). */
  private get closeWritten(): boolean {
    return (this.flags & C_CLOSE_WRITTEN) !== 0;
  }
  private set closeWritten(on: boolean) {
    this.flags = on ? this.flags | C_CLOSE_WRITTEN : this.flags & ~C_CLOSE_WRITTEN;
  }
  private get closeReceived(): boolean {
    return (this.flags & C_CLOSE_RECEIVED) !== 0;
  }
  private set closeReceived(on: boolean) {
    this.flags = on ? this.flags | C_CLOSE_RECEIVED : this.flags & ~C_CLOSE_RECEIVED;
  }
  private receivedCode: number = CloseCode.Abnormal;
  private receivedReason = '';
  private failure: WebSocketError | null = null;
  private get aborted(): boolean {
    return (this.flags & C_ABORTED) !== 0;
  }
  private set aborted(on: boolean) {
    this.flags = on ? this.flags | C_ABORTED : this.flags & ~C_ABORTED;
  }
  /** Shared messages that arrived while a fragmented message was being sent. */
  private afterFragmented: QueuedWrite[] | null = null;
  private closedInfo: CloseInfo | null = null;

  constructor(
    private readonly sink: ConnectionSink,
    options: ConnectionOptions,
  ) {
    super();
    const config = options.config ?? new ConnectionConfig(options);
    this.config = config;
    if (config.role === 'client') this.flags |= C_CLIENT;
    this.codec = options.codec ?? null;
    this.autoPong = config.autoPong;
    this.checkUtf8 = config.checkUtf8;
  }

  // ---- input --------------------------------------------------------------

  receive(chunk: Buffer): void {
    this.parser.push(chunk);
    this.afterInput();
  }

  /**
   * The transport will deliver no more bytes (the peer's FIN, or the
   * transport closed and its last buffered bytes were passed to receive()).
   * Whatever is still being parsed or inflated is finished first; then the
   * sink hears inputDrained(), after the writes queued by then.
   */
  endOfInput(): void {
    this.inputEnded = true;
    this.afterInput();
  }

  /**
   * terminate(): read nothing more (a Close still in the current chunk is not
   * seen) and send nothing more; the transport is being destroyed. Writes
   * still queued are discarded with an error.
   */
  abort(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.aborted = true;
    this.parser.stop();
    this.readyState = ReadyState.CLOSING;
    this.discardQueued();
    this.afterInput();
  }

  /** The connection failed (a protocol error, ours to report): the close is not clean. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** The transport is fully closed; returns what the close event reports. */
  transportClosed(): CloseInfo {
    if (this.closedInfo !== null) return this.closedInfo;
    this.readyState = ReadyState.CLOSED;
    this.parser.stop();
    this.discardQueued();
    this.codec?.close();
    if (this.failure !== null) {
      this.closedInfo = { code: this.failure.closeCode, reason: closeReasonFor(this.failure), wasClean: false };
    } else if (this.closeReceived) {
      this.closedInfo = { code: this.receivedCode, reason: this.receivedReason, wasClean: this.closeWritten };
    } else {
      this.closedInfo = { code: CloseCode.Abnormal, reason: '', wasClean: false };
    }
    return this.closedInfo;
  }

  // ---- FrameHandler ---------------------------------------------------------

  onInvalidLength(): void {
    this.fail(ErrorCode.InvalidLength, 'Invalid frame: a 64-bit payload length must have its most significant bit clear', CloseCode.ProtocolError);
  }

  onFrameHeader(fin: boolean, rsv: number, opcode: number, masked: boolean, length: number): void {
    if (masked !== (this.role === 'server')) {
      if (this.role === 'server') this.fail(ErrorCode.ExpectedMask, 'Invalid frame: a client must mask every frame it sends', CloseCode.ProtocolError);
      else this.fail(ErrorCode.UnexpectedMask, 'Invalid frame: a server must not mask the frames it sends', CloseCode.ProtocolError);
      return;
    }
    const rsv1 = (rsv & 0x4) !== 0;
    if ((rsv & 0x3) !== 0) {
      this.fail(ErrorCode.UnexpectedRsv, 'Invalid frame: RSV2 and RSV3 must be clear (no extension uses them)', CloseCode.ProtocolError);
      return;
    }
    this.frameOpcode = opcode;
    this.frameFin = fin;

    if (opcode >= 0x8) {
      if (opcode > Opcode.Pong) {
        this.fail(ErrorCode.InvalidOpcode, `Invalid frame: unknown control opcode 0x${opcode.toString(16)}`, CloseCode.ProtocolError);
      } else if (!fin) {
        this.fail(ErrorCode.FragmentedControl, 'Invalid frame: control frames must not be fragmented', CloseCode.ProtocolError);
      } else if (length > 125) {
        this.fail(ErrorCode.ControlTooLong, 'Invalid frame: control frame payloads are limited to 125 bytes', CloseCode.ProtocolError);
      } else if (rsv1) {
        this.fail(ErrorCode.UnexpectedRsv, 'Invalid frame: RSV1 must be clear on control frames', CloseCode.ProtocolError);
      }
      return;
    }

    if (opcode === Opcode.Continuation) {
      if (!this.inMessage) {
        this.fail(ErrorCode.UnexpectedContinuation, 'Invalid frame: continuation frame without a message to continue', CloseCode.ProtocolError);
        return;
      }
      if (rsv1) {
        this.fail(ErrorCode.UnexpectedRsv, 'Invalid frame: RSV1 must be clear on continuation frames', CloseCode.ProtocolError);
        return;
      }
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.inMessage) {
        this.fail(ErrorCode.UnfinishedMessage, 'Invalid frame: a new message started before the previous one was finished', CloseCode.ProtocolError);
        return;
      }
      if (rsv1 && this.codec === null) {
        this.fail(ErrorCode.UnexpectedRsv, 'Invalid frame: RSV1 is set but no extension was negotiated', CloseCode.ProtocolError);
        return;
      }
      this.inMessage = true;
      let rx = this.rx;
      if (rx === null) rx = this.rx = new ReceiveState(this.config.maxPayload);
      else rx.budget.reset();
      this.messageBinary = opcode === Opcode.Binary;
      this.messageCompressed = rsv1;
      if (!this.messageBinary) (rx.utf8 ??= new Utf8Validator()).reset();
    } else {
      this.fail(ErrorCode.InvalidOpcode, `Invalid frame: reserved opcode 0x${opcode.toString(16)}`, CloseCode.ProtocolError);
      return;
    }

    const rx = this.rx!;
    const held = this.messageCompressed ? rx.compressedFrameLength : rx.length;
    if (length > this.config.maxPayload - held) {
      this.tooBig();
    } else if (!rx.budget.charge(length)) {
      this.fail(ErrorCode.FragmentBudget, rx.budget.describe(), CloseCode.PolicyViolation);
    } else if (!this.messageCompressed) {
      rx.expectFrame(length);
    }
  }

  onFramePayload(data: Buffer): void {
    if (this.frameOpcode >= 0x8) {
      (this.controlPayload ??= []).push(data);
    } else {
      const rx = this.rx!;
      if (this.messageCompressed) {
        (rx.compressedFrame ??= []).push(data);
        rx.compressedFrameLength += data.length;
        return;
      }
      if (!this.messageBinary && this.checkUtf8 && !rx.utf8!.feed(data)) {
        this.invalidUtf8();
        return;
      }
      rx.push(data);
    }
  }

  onMaskedFramePayload(chunk: Buffer, from: number, to: number, key: number, phase: number): void {
    // Binary parts of a large frame are unmasked while they are copied into
    // the message's buffer (MessageBuffer.pushMasked). Text is unmasked here,
    // in place, so that its UTF-8 is checked before it is copied.
    if (this.frameOpcode < 0x8 && this.messageBinary && !this.messageCompressed && this.rx!.pushMasked(chunk, from, to, key, phase)) return;
    maskWithKey(chunk, from, to, key, phase);
    this.onFramePayload(chunk.subarray(from, to));
  }

  onFrameEnd(): void {
    const opcode = this.frameOpcode;
    if (opcode >= 0x8) {
      const parts = this.controlPayload;
      const payload = parts === null ? EMPTY : parts.length === 1 ? parts[0] : Buffer.concat(parts);
      this.controlPayload = null;
      if (opcode === Opcode.Close) this.handleClose(payload);
      else if (opcode === Opcode.Ping) this.handlePing(payload);
      else this.sink.onPong(payload);
      return;
    }
    if (this.messageCompressed) {
      this.inflateFrame();
    } else if (this.frameFin) {
      this.finishMessage();
    }
  }

  // ---- receiving helpers ----------------------------------------------------

  private inflateFrame(): void {
    const rx = this.rx!;
    const parts = rx.compressedFrame;
    const data = parts === null ? EMPTY : parts.length === 1 ? parts[0] : Buffer.concat(parts, rx.compressedFrameLength);
    const fin = this.frameFin;
    rx.compressedFrame = null;
    rx.compressedFrameLength = 0;
    this.parser.pause();
    this.codec!.decompress(data, fin, this.config.maxPayload - rx.length, (error, chunks) => {
      if (!this.parser.stopped && this.takeInflated(error, chunks, fin)) this.parser.resume();
      this.afterInput();
    });
  }

  /** Adds an inflated frame to the message; false when that failed the connection. */
  private takeInflated(error: (Error & { code?: string }) | null, chunks: Buffer[], fin: boolean): boolean {
    if (error !== null) {
      if (error.code === ErrorCode.MessageTooBig) this.tooBig();
      else this.fail(ErrorCode.InvalidCompressedData, 'Invalid compressed data: the message could not be inflated', CloseCode.InvalidPayload);
      return false;
    }
    const rx = this.rx!;
    for (const chunk of chunks) {
      if (!this.messageBinary && this.checkUtf8 && !rx.utf8!.feed(chunk)) {
        this.invalidUtf8();
        return false;
      }
      rx.push(chunk);
    }
    if (fin) this.finishMessage();
    return true;
  }

  /**
   * After bytes went in or an inflation finished: hold the transport while
   * parsing is paused (so TCP slows the peer down instead of our backlog
   * growing), enforce the backlog bound, and tell the sink once all input
   * after endOfInput() is processed.
   */
  private afterInput(): void {
    const parser = this.parser;
    if (!parser.stopped && parser.backlogBytes > this.config.maxUnparsedBytes) {
      this.fail(
        ErrorCode.BacklogFull,
        `The peer sent more than ${this.config.maxUnparsedBytes} bytes while a message was being decompressed (maxUnparsedBytes)`,
        CloseCode.PolicyViolation,
      );
    }
    const hold = !parser.stopped && parser.isPaused;
    if (hold !== this.inputHeld) {
      this.inputHeld = hold;
      this.sink.holdInput(hold);
    }
    if (!this.inputEnded || this.drainNoticed || !parser.idle) return;
    this.drainNoticed = true;
    const notice: QueuedWrite = { run: () => this.sink.inputDrained(), always: true };
    if (this.sendQueue === null) notice.run();
    else this.sendQueue.push(notice);
  }

  private finishMessage(): void {
    const rx = this.rx!;
    if (!this.messageBinary && this.checkUtf8 && !rx.utf8!.complete) {
      this.invalidUtf8();
      return;
    }
    const data = rx.take();
    const binary = this.messageBinary;
    this.inMessage = false;
    this.messageCompressed = false;
    this.sink.onMessage(data, binary);
  }

  private handlePing(payload: Buffer): void {
    if (this.autoPong && this.readyState === ReadyState.OPEN) this.pong(payload);
    this.sink.onPing(payload);
  }

  private handleClose(payload: Buffer): void {
    let code: number = CloseCode.NoStatusReceived;
    let reason = '';
    if (payload.length === 1) {
      this.fail(ErrorCode.InvalidClosePayload, 'Invalid Close frame: a 1-byte body cannot hold a status code', CloseCode.ProtocolError);
      return;
    }
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidWireCloseCode(code)) {
        this.fail(ErrorCode.InvalidCloseCode, `Invalid Close frame: status code ${code} may not be sent on the wire`, CloseCode.ProtocolError);
        return;
      }
      const reasonBytes = payload.subarray(2);
      if (!isValidUtf8(reasonBytes)) {
        this.fail(ErrorCode.InvalidUtf8, 'Invalid Close frame: the reason is not valid UTF-8', CloseCode.InvalidPayload);
        return;
      }
      reason = reasonBytes.toString();
    }
    this.closeReceived = true;
    this.receivedCode = code;
    this.receivedReason = reason;
    this.parser.stop();
    this.readyState = ReadyState.CLOSING;
    this.sink.onCloseFrame(code, reason);
    if (!this.closeSent) {
      // Echo the code and reason, so both ends report the same close.
      this.sendClose(code === CloseCode.NoStatusReceived ? undefined : code, payload.subarray(2));
    } else {
      this.afterCloseExchanged();
    }
  }

  private tooBig(): void {
    this.fail(ErrorCode.MessageTooBig, `Message too big: it exceeds maxPayload (${this.config.maxPayload} bytes)`, CloseCode.MessageTooBig);
  }

  private invalidUtf8(): void {
    this.fail(ErrorCode.InvalidUtf8, 'Invalid text message: the payload is not valid UTF-8', CloseCode.InvalidPayload);
  }

  /** Fail the connection (RFC 6455 §7.1.7): stop reading, send Close, tear down. */
  fail(code: string, message: string, closeCode: number): void {
    if (this.failure !== null || this.readyState === ReadyState.CLOSED) return;
    const error = new WebSocketError(code, message, closeCode);
    this.failure = error;
    this.parser.stop();
    this.rx?.clear();
    this.readyState = ReadyState.CLOSING;
    this.sink.onFailure(error);
    if (!this.closeSent) {
      this.sendClose(closeCode, Buffer.from(closeReasonFor(error)));
    } else if (this.role === 'server') {
      this.sink.endTransport();
    } else {
      // Our Close went out earlier: the wait for the server's close is cut short.
      this.sink.armCloseTimer();
    }
  }

  // ---- sending --------------------------------------------------------------

  /**
   * Queue a data message (or a fragment of one, with fin false). Returns
   * false when the connection is no longer open and nothing was queued.
   */
  send(data: Buffer | string, options: SendOptions, callback?: WriteCallback): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    const fin = options.fin !== false;
    const continuing = this.sendingFragmented;
    const opcode = continuing ? Opcode.Continuation : options.binary ? Opcode.Binary : Opcode.Text;
    const mayCompress = this.codec !== null && options.compress !== false;
    const byteLength =
      typeof data !== 'string' ? data.length : mayCompress || this.sendQueue !== null ? Buffer.byteLength(data) : 0;
    const compress = continuing ? this.sendingCompressed : mayCompress && byteLength >= this.config.compressThreshold;
    this.sendingFragmented = !fin;
    this.sendingCompressed = !fin && compress;

    if (compress) {
      const buffer = typeof data === 'string' ? Buffer.from(data) : data;
      this.queuedBytes += buffer.length;
      this.enqueue(() => this.compressAndWrite(opcode, fin, !continuing, buffer, callback), callback);
    } else if (this.sendQueue === null) {
      this.writeData(opcode, fin, data, callback);
    } else {
      this.queuedBytes += byteLength;
      this.sendQueue.push({
        run: () => {
          this.queuedBytes -= byteLength;
          this.writeData(opcode, fin, data, callback);
        },
        callback,
      });
    }
    if (fin && this.afterFragmented !== null) {
      const waiting = this.afterFragmented;
      this.afterFragmented = null;
      for (const write of waiting) this.enqueue(write.run);
    }
    return true;
  }

  /**
   * Send a whole message whose unmasked frame was encoded once for many
   * connections (broadcast). A server writes `head` and `tail` as they are; a client must
   * mask, so it encodes `payload` itself. The message never joins a
   * fragmented message in progress: it waits until that one is finished.
   */
  sendShared(head: Buffer, tail: Buffer | null, payload: Buffer, binary: boolean): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    const write =
      this.role === 'server'
        ? () => this.sink.write(head, tail)
        : () => encodeFrame(this.sink, binary ? Opcode.Binary : Opcode.Text, true, false, payload, this.nextMask());
    if (this.sendingFragmented) (this.afterFragmented ??= []).push({ run: write });
    else this.enqueue(write);
    return true;
  }

  ping(data: Buffer, callback?: WriteCallback): boolean {
    return this.control(Opcode.Ping, data, callback);
  }

  pong(data: Buffer, callback?: WriteCallback): boolean {
    return this.control(Opcode.Pong, data, callback);
  }

  /**
   * Start the closing handshake. The code and reason are assumed valid (the
   * API checks them). Frames queued before this call go out first.
   */
  close(code?: number, reason: Buffer = EMPTY): void {
    if (this.readyState !== ReadyState.OPEN) return;
    this.readyState = ReadyState.CLOSING;
    this.sendClose(code, reason);
  }

  private control(opcode: number, data: Buffer, callback?: WriteCallback): boolean {
    if (this.closeSent || this.aborted || this.readyState === ReadyState.CLOSED) return false;
    this.enqueue(() => {
      if (this.closeSent) {
        if (callback !== undefined) this.sink.discardWrites([callback]);
        return;
      }
      encodeFrame(this.sink, opcode, true, false, data, this.nextMask(), callback);
    }, callback);
    return true;
  }

  private sendClose(code: number | undefined, reason: Buffer): void {
    this.enqueue(() => {
      if (this.closeSent) return;
      this.closeSent = true;
      let payload = EMPTY;
      if (code !== undefined) {
        payload = Buffer.allocUnsafe(2 + reason.length);
        payload.writeUInt16BE(code, 0);
        reason.copy(payload, 2);
      }
      encodeFrame(this.sink, Opcode.Close, true, false, payload, this.nextMask(), (error) => {
        if (!error) this.closeWritten = true;
      });
      if (this.closeReceived || (this.failure !== null && this.role === 'server')) this.afterCloseExchanged();
      else this.sink.armCloseTimer();
    });
  }

  /** Both Close frames have passed (or we failed): the server ends TCP, the client waits for it. */
  private afterCloseExchanged(): void {
    if (this.role === 'server') this.sink.endTransport();
    else this.sink.armCloseTimer();
  }

  private writeData(opcode: number, fin: boolean, data: Buffer | string, callback?: WriteCallback): void {
    if (typeof data !== 'string') encodeFrame(this.sink, opcode, fin, false, data, this.nextMask(), callback);
    else if (opcode === Opcode.Text) encodeTextFrame(this.sink, fin, data, this.nextMask(), callback);
    else encodeFrame(this.sink, opcode, fin, false, Buffer.from(data), this.nextMask(), callback);
  }

  private compressAndWrite(opcode: number, fin: boolean, first: boolean, data: Buffer, callback?: WriteCallback): void {
    const queue: QueuedWrite[] = [];
    this.sendQueue = queue;
    this.compressingCallback = callback ?? null;
    this.codec!.compress(data, fin, (error, result) => {
      // Discarded meanwhile (terminate, transport closed): the callback was settled then.
      if (this.sendQueue !== queue) return;
      this.compressingCallback = null;
      this.queuedBytes -= data.length;
      if (error !== null) {
        callback?.(error);
        this.fail(ErrorCode.InvalidCompressedData, 'Compression failed: ' + error.message, CloseCode.InternalError);
      } else {
        encodeFrame(this.sink, opcode, fin, first, result, this.nextMask(), callback);
      }
      this.sendQueue = null;
      this.runQueued(queue);
    });
  }

  private enqueue(operation: () => void, callback?: WriteCallback): void {
    if (this.aborted) {
      if (callback !== undefined) this.sink.discardWrites([callback]);
      return;
    }
    if (this.sendQueue === null) operation();
    else this.sendQueue.push({ run: operation, callback });
  }

  /** Run operations that waited for a compression, stopping if one starts another. */
  private runQueued(queue: QueuedWrite[]): void {
    for (let i = 0; i < queue.length; i++) {
      if (this.sendQueue !== null) {
        for (let j = i; j < queue.length; j++) this.sendQueue.push(queue[j]);
        return;
      }
      queue[i].run();
    }
  }

  /**
   * Drop every write still waiting (the one being compressed included) and
   * settle their callbacks with an error; notices that must run still run.
   */
  private discardQueued(): void {
    const queue = this.sendQueue;
    const callbacks: WriteCallback[] = [];
    if (this.compressingCallback !== null) callbacks.push(this.compressingCallback);
    this.compressingCallback = null;
    this.sendQueue = null;
    this.queuedBytes = 0;
    const notices: QueuedWrite[] = [];
    if (queue !== null) {
      for (const entry of queue) {
        if (entry.always) notices.push(entry);
        else if (entry.callback !== undefined) callbacks.push(entry.callback);
      }
    }
    this.afterFragmented = null;
    if (callbacks.length > 0) this.sink.discardWrites(callbacks);
    for (const notice of notices) notice.run();
  }

  private nextMask(): Uint8Array | null {
    const generateMask = this.config.generateMask;
    return generateMask === null ? null : generateMask();
  }
}

const EMPTY = Buffer.alloc(0);

function closeReasonFor(error: WebSocketError): string {
  // The reason sent with a failure: the message, cut to fit a control frame.
  const bytes = Buffer.from(error.message);
  if (bytes.length <= 123) return error.message;
  let end = 123;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}
