import { copyMaskedWithKey } from './mask.js';

/** Parts smaller than this are copied together instead of kept one by one. */
const SMALL_PART = 4096;
/**
 * A frame announced at least this long whose payload arrives in several
 * parts is reassembled into one buffer of the announced length.
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
  /**
   * The large frame being reassembled (null: none): a buffer of its announced
   * length, allocated when its first part arrives; filled up to
   * frame.length - frameRemaining.
   */
  private frame: Buffer | null = null;

  /**
   * The next `length` bytes pushed are one frame's payload. The caller has
   * already checked `length` against its limit (maxPayload). A large frame
   * that arrives split across socket reads is copied, part by part as they
   * come (masked ones unmasked on the way), into one buffer of that length
   * allocated when its first part arrives; each read can then be collected
   * at once. Holding the reads and copying them all at the last part (as ws
   * does, and as this did from a4fa7ed) left the message's buffer at the
   * top of glibc's heap above its reads, and a 16 MB server echo gave 32 MiB
   * back to the kernel and page-faulted it in again at almost every message
   * in 17 of 20 rounds (performance notes, round 11).
   */
  expectFrame(length: number): void {
    this.frameRemaining = length;
  }

  push(part: Buffer): void {
    if (this.joinsFrame(part.length)) {
      this.addFramePart(part, false, 0, 0);
      return;
    }
    if (this.frameRemaining > 0) this.frameRemaining -= part.length;
    this.pushPart(part);
  }

  /**
   * push() for masked bytes, source[from..to) with mask position `phase` on
   * source[from], when they belong to a large frame being reassembled: they
   * are unmasked as they are copied into the frame's buffer.
   * Returns false, with nothing done, for bytes that would be kept as they
   * are: the caller unmasks them in place and calls push().
   */
  pushMasked(source: Buffer, from: number, to: number, key: number, phase: number): boolean {
    const length = to - from;
    if (!this.joinsFrame(length)) return false;
    this.addFramePart(source.subarray(from, to), true, key, phase);
    return true;
  }

  /**
   * Whether `length` bytes of the current frame belong to a large frame being
   * reassembled: one already begun, or one of 16 KiB or more that these
   * bytes begin without finishing it.
   */
  private joinsFrame(length: number): boolean {
    const remaining = this.frameRemaining;
    if (remaining === 0) return false;
    return this.frame !== null || (length < remaining && remaining >= WHOLE_FRAME_MIN);
  }

  /**
   * Copies a part of the large frame into its buffer, after the parts before
   * it, beginning the frame (allocating the buffer) with its first part.
   */
  private addFramePart(part: Buffer, masked: boolean, key: number, phase: number): void {
    const frame = (this.frame ??= Buffer.allocUnsafe(this.frameRemaining));
    const at = frame.length - this.frameRemaining;
    this.frameRemaining -= part.length;
    if (masked) copyMaskedWithKey(part, frame, at, key, phase);
    else part.copy(frame, at);
    this.length += part.length;
    if (this.frameRemaining === 0) {
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
