// One tester connection after the opening handshake: writes hand-built bytes,
// reads the peer's frames, answers pings and Close frames like a conformant
// endpoint, and records everything the judge needs (items, violations, close
// frames, who ended TCP and when).
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closePayload, encodeFrame, FrameReader, OP, toBytes, type ReadFrame } from './frames.js';
import { isValidWireCloseCode } from './close-codes.js';
import { describeFrame, type TraceRecorder } from './trace.js';
import { utf8FailIndex } from './utf8.js';
import type { DeflateContext } from './deflate.js';
import type { FrameSpec, MessageSpec, ReceivedItem, TesterRole } from './types.js';

export interface CloseRecord {
  code: number | null;
  reason: Buffer;
  at: number;
}

export class Session {
  readonly items: ReceivedItem[] = [];
  readonly violations: string[] = [];
  pingsReceived = 0;
  peerClose?: CloseRecord;
  testerClose?: CloseRecord;
  /** Who sent the first Close frame (times alone can tie). */
  closeInitiator?: 'peer' | 'tester';
  peerEndedAt?: number;
  testerEndedAt?: number;
  closedAt?: number;
  reset = false;
  /** permessage-deflate, when negotiated: RSV1 marks compressed messages. */
  deflate?: DeflateContext;
  /**
   * As the server, how long the tester waits after the closing handshake
   * before it ends TCP, so that a client which ends TCP first (instead of
   * waiting for the server, RFC 6455 7.1.1) shows in the teardown.
   */
  finGraceMs = 0;
  private finTimer?: NodeJS.Timeout;

  private readonly reader = new FrameReader();
  private fragments: Buffer[] | null = null;
  private fragmentType: 'text' | 'binary' = 'text';
  private fragmentCompressed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    /** A TCP socket, or an HTTP/2 stream (END_STREAM for FIN; see h2-transport.ts). */
    private readonly socket: Socket | Duplex,
    readonly role: TesterRole,
    readonly trace: TraceRecorder,
    initial: Buffer,
  ) {
    if ('setNoDelay' in socket) socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.peerEndedAt ??= this.trace.now();
      this.trace.event('in', 'TCP FIN from peer', true);
      this.changed();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') this.reset = true;
      this.trace.event('note', `socket error ${error.code ?? error.message}`, true);
    });
    socket.on('close', () => {
      clearTimeout(this.finTimer);
      this.closedAt = this.trace.now();
      this.peerEndedAt ??= this.testerEndedAt === undefined ? this.closedAt : undefined;
      this.trace.event('note', 'TCP connection closed', true);
      this.changed();
    });
    if (initial.length) this.onData(initial);
    socket.resume();
  }

  get masking(): boolean {
    return this.role === 'client';
  }

  get tcpClosed(): boolean {
    return this.closedAt !== undefined;
  }

  /** The peer sent a Close frame or ended TCP (the tester dropping the connection does not count). */
  get peerGone(): boolean {
    return this.peerClose !== undefined || this.peerEndedAt !== undefined;
  }

  encode(spec: FrameSpec): Buffer {
    return encodeFrame(spec, this.masking);
  }

  /**
   * Writes the frames; with `cut`, writes the first `cut.offset` bytes, awaits
   * `cut.then()` (which says whether to go on) and only then writes the rest.
   */
  async sendFrames(
    frames: FrameSpec[],
    chunk?: number,
    cut?: { frame: number; byte: number; then: () => Promise<boolean> },
  ): Promise<void> {
    const parts: Buffer[] = [];
    let cutOffset = -1;
    let offset = 0;
    frames.forEach((spec, index) => {
      const encoded = this.encode(spec);
      const payload = toBytes(spec.payload);
      if (cut && cut.frame === index) cutOffset = offset + encoded.length - payload.length + cut.byte + 1;
      offset += encoded.length;
      parts.push(encoded);
      const how = chunk ? ` (in ${chunk}-byte writes)` : '';
      const frame = { opcode: spec.opcode, fin: spec.fin !== false, rsv: spec.rsv ?? 0, payload };
      this.trace.event('out', describeFrame(frame) + how, spec.opcode === OP.CLOSE);
      if (spec.opcode === OP.CLOSE && !this.testerClose) {
        this.closeInitiator ??= 'tester';
        this.testerClose = { code: payload.length >= 2 ? payload.readUInt16BE(0) : null, reason: payload.subarray(2), at: this.trace.now() };
      }
    });
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (cut && cutOffset >= 0) {
      await this.write(bytes.subarray(0, cutOffset), chunk);
      if (!(await cut.then())) return;
      await this.write(bytes.subarray(cutOffset), chunk);
    } else {
      await this.write(bytes, chunk);
    }
  }

  /** Sends whole messages, compressed with the negotiated context unless `compress` is false. */
  async sendMessages(messages: MessageSpec[], chunk?: number): Promise<void> {
    const frames: FrameSpec[] = [];
    for (const m of messages) {
      const raw = toBytes(m.payload);
      const compress = m.compress !== false && this.deflate !== undefined;
      const payload = compress ? this.deflate!.compress(raw) : raw;
      if (compress) this.trace.event('note', `${m.type} message of ${raw.length} bytes compressed to ${payload.length}`);
      const size = m.fragment && m.fragment > 0 ? m.fragment : payload.length || 1;
      for (let i = 0; i < payload.length || i === 0; i += size) {
        const first = i === 0;
        frames.push({
          opcode: first ? (m.type === 'text' ? OP.TEXT : OP.BINARY) : OP.CONTINUATION,
          payload: payload.subarray(i, i + size),
          fin: i + size >= payload.length,
          rsv: first && compress ? 4 : 0,
        });
      }
    }
    await this.sendFrames(frames, chunk);
  }

  async sendRaw(bytes: Buffer, chunk?: number, label = 'raw bytes'): Promise<void> {
    this.trace.event('out', `${label}: ${bytes.length} bytes${chunk ? ` (in ${chunk}-byte writes)` : ''}`);
    await this.write(bytes, chunk);
  }

  /** The tester starts (or answers) the closing handshake. */
  async sendClose(code: number | null, reason = ''): Promise<void> {
    await this.sendFrames([{ opcode: OP.CLOSE, payload: closePayload(code, reason) }]);
  }

  private async write(bytes: Buffer, chunk?: number): Promise<void> {
    const size = chunk && chunk > 0 ? chunk : bytes.length || 1;
    for (let i = 0; i < bytes.length; i += size) {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      const part = bytes.subarray(i, i + size);
      this.trace.bytesOut(part);
      if (!this.socket.write(part)) await this.drained();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Ends our side of TCP (FIN). */
  endTcp(): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.testerEndedAt ??= this.trace.now();
    this.trace.event('out', 'TCP FIN from tester', true);
    this.socket.end();
  }

  /** Ends TCP as a server does after the closing handshake: after `finGraceMs`. */
  endTcpAsServer(): void {
    if (this.finTimer || this.socket.destroyed || this.socket.writableEnded) return;
    if (this.finGraceMs <= 0) return this.endTcp();
    this.finTimer = setTimeout(() => this.endTcp(), this.finGraceMs);
  }

  destroy(reason: string): void {
    if (this.socket.destroyed) return;
    this.testerEndedAt ??= this.trace.now();
    this.trace.event('note', `tester drops TCP: ${reason}`, true);
    this.socket.destroy();
  }

  /** Resolves true once `pred` holds, false after `ms`. Rechecked on every event. */
  waitUntil(pred: () => boolean, ms: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(pred());
      }, ms);
      this.waiters.add(check);
    });
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private onData(chunk: Buffer): void {
    this.trace.bytesIn(chunk);
    let frames: ReadFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.violation((error as Error).message);
      this.destroy('unreadable frame');
      return;
    }
    for (const frame of frames) this.onFrame(frame);
    this.changed();
  }

  private violation(text: string): void {
    if (this.violations.length < 20) this.violations.push(text);
    this.trace.event('note', `peer violation: ${text}`, true);
  }

  private onFrame(frame: ReadFrame): void {
    const isClose = frame.opcode === OP.CLOSE;
    this.trace.event('in', describeFrame(frame), isClose);
    if (this.peerClose) {
      this.violation(`frame ${frame.opcode} after the peer's Close frame`);
      return;
    }
    if (frame.masked !== (this.role === 'server')) {
      this.violation(this.role === 'server' ? 'client frame is not masked' : 'server frame is masked');
    }
    const rsvAllowed = this.deflate && (frame.opcode === OP.TEXT || frame.opcode === OP.BINARY) ? 4 : 0;
    if (frame.rsv & ~rsvAllowed) this.violation(`RSV bits ${frame.rsv} set without an extension`);
    if (frame.opcode >= 8) {
      if (!frame.fin) this.violation('fragmented control frame');
      if (frame.payload.length > 125) this.violation('control frame payload above 125 bytes');
    }
    switch (frame.opcode) {
      case OP.PING:
        this.pingsReceived++;
        if (!this.testerClose) void this.sendFrames([{ opcode: OP.PONG, payload: frame.payload }]);
        return;
      case OP.PONG:
        this.items.push({ type: 'pong', payload: frame.payload });
        return;
      case OP.CLOSE:
        this.onClose(frame.payload);
        return;
      case OP.TEXT:
      case OP.BINARY:
        if (this.fragments) this.violation('new data frame inside a fragmented message');
        this.fragments = [frame.payload];
        this.fragmentType = frame.opcode === OP.TEXT ? 'text' : 'binary';
        this.fragmentCompressed = (frame.rsv & 4) !== 0 && this.deflate !== undefined;
        break;
      case OP.CONTINUATION:
        if (!this.fragments) {
          this.violation('continuation frame without a message in progress');
          return;
        }
        this.fragments.push(frame.payload);
        break;
      default:
        this.violation(`reserved opcode ${frame.opcode}`);
        return;
    }
    if (frame.fin) {
      let payload: Buffer = Buffer.concat(this.fragments);
      this.fragments = null;
      if (this.fragmentCompressed) {
        try {
          payload = this.deflate!.inflate(payload);
        } catch (error) {
          this.violation(`compressed message does not inflate: ${(error as Error).message}`);
          return;
        }
        this.trace.event('note', `inflated to ${payload.length} bytes`);
      }
      if (this.fragmentType === 'text' && utf8FailIndex(payload) !== -1) {
        this.violation('text message with invalid UTF-8');
      }
      this.items.push({ type: this.fragmentType, payload });
    }
  }

  private onClose(payload: Buffer): void {
    let code: number | null = null;
    let reason: Buffer = Buffer.alloc(0);
    if (payload.length === 1) {
      this.violation('Close frame with a 1-byte body');
    } else if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      reason = payload.subarray(2);
      if (!isValidWireCloseCode(code)) this.violation(`Close frame with code ${code}, which must not be sent`);
      if (utf8FailIndex(reason) !== -1) this.violation('Close reason is not valid UTF-8');
    }
    this.peerClose = { code, reason, at: this.trace.now() };
    this.closeInitiator ??= 'peer';
    if (!this.testerClose) {
      void this.sendClose(code === null || !isValidWireCloseCode(code) ? null : code);
    }
    // A server ends TCP as soon as the closing handshake is done.
    if (this.role === 'server') this.endTcpAsServer();
  }
}
