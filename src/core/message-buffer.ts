import { copyMaskedWithKey } from './mask.js';

/** Parts smaller than this are copied together instead of kept one by one. */
const SMALL_PART = 4096;
/**
 * A frame announced at least this long whose payload arrives in several
 * parts is reassembled into one buffer allocated at the announced length.
 */
const WHOLE_FRAME_MIN = 16 * 1024;
const BLOCK_SIZE = 64 * 1024;

/**
 * The parts of a message being received. A message that arrives in one piece
 * stays that piece (no copy). Small parts that follow others (a frame trickled
 * in byte-sized TCP reads, a message in tiny fragments) are packed into
 * 64 KiB blocks, so the memory held stays near the payload size instead of
 * growing by an object per part.
 */
export class MessageBuffer {
  length = 0;
  /** The first part, kept on its own: most messages have only one. */
  private first: Buffer | null = null;
  /** Parts after the first; null (no array) until a message has several. */
  private parts: Buffer[] | null = null;
  private block: Buffer | null = null;
  private blockUsed = 0;
  /** Payload bytes of the current frame still to come (from expectFrame()). */
  private frameRemaining = 0;
  /** The current frame's payload, allocated at its announced length once it arrives in parts. */
  private frame: Buffer | null = null;
  private frameUsed = 0;

  /**
   * The next `length` bytes pushed are one frame's payload. The caller has
   * already checked `length` against its limit (maxPayload): a large frame
   * that arrives split across socket reads is copied into one buffer of that
   * length as it comes, instead of being kept as a list of reads and
   * concatenated at the end. (allocUnsafe: pages are committed as written.)
   */
  expectFrame(length: number): void {
    this.frameRemaining = length;
  }

  push(part: Buffer): void {
    const remaining = this.frameRemaining;
    if (remaining > 0) {
      this.frameRemaining = remaining - part.length;
      if (this.frame !== null || (part.length < remaining && remaining >= WHOLE_FRAME_MIN)) {
        const at = this.frameSpace(remaining);
        part.copy(this.frame!, at);
        this.frameFilled(part.length);
        return;
      }
    }
    this.pushPart(part);
  }

  /**
   * push() for masked bytes, source[from..to) with mask position `phase` on
   * source[from], when they belong in a frame being reassembled: they are
   * unmasked as they are copied there (one pass), and the copy is returned
   * (for UTF-8 validation). Returns null, with nothing done, for bytes that
   * would be kept as they are: the caller unmasks them in place and calls
   * push().
   */
  pushMasked(source: Buffer, from: number, to: number, key: number, phase: number): Buffer | null {
    const remaining = this.frameRemaining;
    const length = to - from;
    if (remaining === 0 || (this.frame === null && !(length < remaining && remaining >= WHOLE_FRAME_MIN))) return null;
    this.frameRemaining = remaining - length;
    const at = this.frameSpace(remaining);
    const frame = this.frame!;
    copyMaskedWithKey(source, from, to, frame, at, key, phase);
    const copy = frame.subarray(at, at + length);
    this.frameFilled(length);
    return copy;
  }

  /** Where the next bytes of the frame being reassembled go, allocating it at its announced length first. */
  private frameSpace(remaining: number): number {
    if (this.frame === null) {
      this.frame = Buffer.allocUnsafe(remaining);
      this.frameUsed = 0;
    }
    return this.frameUsed;
  }

  private frameFilled(length: number): void {
    const frame = this.frame!;
    this.frameUsed += length;
    this.length += length;
    if (this.frameUsed === frame.length) {
      this.frame = null;
      this.store(frame);
    }
  }

  private pushPart(part: Buffer): void {
    this.length += part.length;
    this.store(part);
  }

  private store(part: Buffer): void {
    if (this.first === null) {
      this.first = part;
      return;
    }
    if (part.length >= SMALL_PART) {
      this.closeBlock();
      (this.parts ??= []).push(part);
      return;
    }
    let offset = 0;
    while (offset < part.length) {
      if (this.block === null || this.blockUsed === this.block.length) {
        this.closeBlock();
        this.block = Buffer.allocUnsafe(BLOCK_SIZE);
        this.blockUsed = 0;
      }
      const n = part.copy(this.block, this.blockUsed, offset);
      this.blockUsed += n;
      offset += n;
    }
  }

  /** The whole message as one Buffer; the buffer is empty afterwards. */
  take(): Buffer {
    this.closeBlock();
    const first = this.first;
    const parts = this.parts;
    let result: Buffer;
    if (first === null) result = EMPTY;
    else if (parts === null) result = first;
    else {
      parts.unshift(first);
      result = Buffer.concat(parts, this.length);
    }
    this.first = null;
    this.parts = null;
    this.length = 0;
    return result;
  }

  clear(): void {
    this.first = null;
    this.parts = null;
    this.block = null;
    this.frame = null;
    this.frameRemaining = 0;
    this.length = 0;
  }

  private closeBlock(): void {
    if (this.block !== null) {
      (this.parts ??= []).push(this.block.subarray(0, this.blockUsed));
      this.block = null;
    }
  }
}

const EMPTY = Buffer.alloc(0);
