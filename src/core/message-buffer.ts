/** Parts smaller than this are copied together instead of kept one by one. */
const SMALL_PART = 4096;
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

  push(part: Buffer): void {
    this.length += part.length;
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
