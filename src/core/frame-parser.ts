import { maskWithKey } from './mask.js';

/** What the parser reports; the connection decides what a frame means. */
export interface FrameHandler {
  /**
   * A frame header is complete. `length` has already been checked to fit in
   * 2^63-1; the handler checks it against its limits and calls fail() on the
   * parser's owner to stop, which the parser sees through `stopped`.
   */
  onFrameHeader(fin: boolean, rsv: number, opcode: number, masked: boolean, length: number): void;
  /** Unmasked payload bytes of the current frame, in order, as they arrive. */
  onFramePayload(data: Buffer): void;
  /**
   * Optional: masked payload bytes, chunk[from..to), with the key packed
   * big-endian and the mask position of chunk[from]. A handler that has this
   * unmasks them itself, so it can unmask while copying (one pass instead of
   * unmasking in place and copying after); without it the parser unmasks in
   * place and calls onFramePayload().
   */
  onMaskedFramePayload?(chunk: Buffer, from: number, to: number, key: number, phase: number): void;
  /** The current frame's payload is complete. */
  onFrameEnd(): void;
  /** The 64-bit length had its most significant bit set (RFC 6455 §5.2). */
  onInvalidLength(): void;
}

const enum Stage {
  Header,
  Payload,
}

/**
 * Incremental RFC 6455 frame parser. Feed it chunks of any size; it reports
 * headers, payload slices (unmasked in place, never copied, unless the
 * handler unmasks them itself) and frame ends.
 * It can be paused mid-chunk (while a message is being inflated) and stopped
 * for good (after a Close or a protocol failure).
 *
 * Give it the handler, or extend it and implement FrameHandler: the
 * connection does, so that a connection and its parser are one object.
 */
export class FrameParser {
  private readonly handler: FrameHandler;
  stopped = false;
  private paused = false;
  private parsing = false;
  /** Chunks held while paused or re-entered; null (no array) until needed. */
  private backlog: Buffer[] | null = null;
  private backlogLength = 0;

  private stage = Stage.Header;
  /** Header bytes collected so far when a header straddles chunks (allocated on first need). */
  private scratch: Buffer | null = null;
  private scratchLength = 0;

  private masked = false;
  /** The masking key, packed big-endian (no Buffer per connection). */
  private maskKey = 0;
  private remaining = 0;
  private consumed = 0;

  /** Without a handler, the parser is its own: a subclass that implements FrameHandler. */
  constructor(handler?: FrameHandler) {
    this.handler = handler ?? (this as unknown as FrameHandler);
  }

  /** Bytes received but not parsed yet (held while paused). */
  get backlogBytes(): number {
    return this.backlogLength;
  }

  /** True while a handler has paused parsing (a message is inflating). */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Every byte pushed so far has been parsed (or the parser is stopped). */
  get idle(): boolean {
    return this.stopped || (!this.paused && !this.parsing && this.backlogLength === 0);
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.paused || this.parsing) {
      (this.backlog ??= []).push(chunk);
      this.backlogLength += chunk.length;
      return;
    }
    this.parsing = true;
    try {
      this.parse(chunk);
      this.drainBacklog();
    } finally {
      this.parsing = false;
    }
  }

  pause(): void {
    this.paused = true;
  }

  /**
   * Continue after pause(). Called from inside a handler callback (a
   * synchronous inflate), it only clears the flag: the parse loop already on
   * the stack goes on with the rest of its chunk, keeping bytes in order.
   */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.parsing) return;
    this.parsing = true;
    try {
      this.drainBacklog();
    } finally {
      this.parsing = false;
    }
  }

  private drainBacklog(): void {
    const backlog = this.backlog;
    if (backlog === null) return;
    while (!this.paused && !this.stopped && backlog.length > 0) {
      const chunk = backlog.shift()!;
      this.backlogLength -= chunk.length;
      this.parse(chunk);
    }
  }

  stop(): void {
    this.stopped = true;
    this.backlog = null;
    this.backlogLength = 0;
  }

  private parse(chunk: Buffer): void {
    const length = chunk.length;
    let pos = 0;
    while (pos < length || (this.stage === Stage.Payload && this.remaining === 0)) {
      if (this.stopped) return;
      if (this.paused) {
        if (pos < length) {
          (this.backlog ??= []).unshift(chunk.subarray(pos));
          this.backlogLength += length - pos;
        }
        return;
      }
      if (this.stage === Stage.Header) {
        pos = this.readHeader(chunk, pos);
        continue;
      }
      const n = Math.min(this.remaining, length - pos);
      if (n > 0) {
        const from = pos;
        const phase = this.consumed & 3;
        pos += n;
        this.remaining -= n;
        this.consumed += n;
        if (!this.masked) {
          this.handler.onFramePayload(chunk.subarray(from, pos));
        } else if (this.handler.onMaskedFramePayload !== undefined) {
          this.handler.onMaskedFramePayload(chunk, from, pos, this.maskKey, phase);
        } else {
          maskWithKey(chunk, from, pos, this.maskKey, phase);
          this.handler.onFramePayload(chunk.subarray(from, pos));
        }
        if (this.stopped) return;
      }
      if (this.remaining === 0) {
        this.stage = Stage.Header;
        this.handler.onFrameEnd();
      }
    }
  }

  /** Reads header bytes from chunk[pos..]; returns the new position. */
  private readHeader(chunk: Buffer, pos: number): number {
    const available = chunk.length - pos;
    if (this.scratchLength === 0 && available >= 2) {
      const needed = headerSize(chunk[pos + 1]);
      if (available >= needed) {
        this.decodeHeader(chunk, pos);
        return pos + needed;
      }
    }
    // Slow path: gather the header byte by byte across chunks.
    const scratch = (this.scratch ??= Buffer.allocUnsafe(14));
    while (pos < chunk.length) {
      scratch[this.scratchLength++] = chunk[pos++];
      if (this.scratchLength >= 2 && this.scratchLength === headerSize(scratch[1])) {
        this.scratchLength = 0;
        this.decodeHeader(scratch, 0);
        break;
      }
    }
    return pos;
  }

  private decodeHeader(buf: Buffer, at: number): void {
    const b0 = buf[at];
    const b1 = buf[at + 1];
    let length = b1 & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = buf.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      const high = buf.readUInt32BE(offset);
      if (high > 0x7fffffff) {
        this.handler.onInvalidLength();
        return;
      }
      length = high * 0x100000000 + buf.readUInt32BE(offset + 4);
      offset += 8;
    }
    this.masked = (b1 & 0x80) !== 0;
    if (this.masked) this.maskKey = buf.readUInt32BE(offset);
    this.remaining = length;
    this.consumed = 0;
    this.handler.onFrameHeader((b0 & 0x80) !== 0, (b0 >> 4) & 0x7, b0 & 0x0f, this.masked, length);
    this.stage = Stage.Payload;
  }
}

function headerSize(b1: number): number {
  const len = b1 & 0x7f;
  return 2 + (len === 126 ? 2 : len === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
