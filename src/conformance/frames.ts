// Hand-built RFC 6455 frames: an encoder that will write anything (including
// frames no library would), and a reader for what the peer sends back.
import { randomBytes } from 'node:crypto';
import type { FrameSpec } from './types.js';

export const OP = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

const OPCODE_NAMES: Record<number, string> = {
  0: 'CONT',
  1: 'TEXT',
  2: 'BINARY',
  8: 'CLOSE',
  9: 'PING',
  10: 'PONG',
};

export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `OP${opcode}`;
}

export function toBytes(payload: Uint8Array | string | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** Encodes one frame; `mask` true uses a random key (as a client must). */
export function encodeFrame(spec: FrameSpec, mask: boolean): Buffer {
  const payload = toBytes(spec.payload);
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  const fin = spec.fin === false ? 0 : 0x80;
  header[0] = fin | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  if (lenBytes === 0) {
    header[1] = maskBit | len;
  } else if (lenBytes === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lenBytes);
  const body = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([header, body]);
}

export function closePayload(code: number | null, reason: Uint8Array | string = ''): Buffer {
  if (code === null) return Buffer.alloc(0);
  const r = toBytes(reason);
  const out = Buffer.alloc(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

export interface ReadFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
}

/** Largest frame the reader accepts from a peer (above the suite's 16 MiB messages). */
export const MAX_READ_FRAME = 64 * 1024 * 1024;

/** Incremental frame reader; buffers chunks without copying until a frame is whole. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Returns the frames completed by this chunk; throws on a length above MAX_READ_FRAME. */
  push(chunk: Buffer): ReadFrame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: ReadFrame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): ReadFrame | null {
    if (this.buffered < 2) return null;
    const head = this.peek(Math.min(this.buffered, 14));
    const b0 = head[0]!;
    const b1 = head[1]!;
    const masked = (b1 & 0x80) !== 0;
    let len = b1 & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (head.length < 4) return null;
      len = head.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (head.length < 10) return null;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(MAX_READ_FRAME)) throw new Error(`peer sent a frame length of ${big} bytes`);
      len = Number(big);
      offset = 10;
    }
    const keyOffset = offset;
    if (masked) offset += 4;
    if (this.buffered < offset + len) return null;
    const key = masked ? Buffer.from(head.subarray(keyOffset, keyOffset + 4)) : null;
    this.take(offset);
    const payload = this.take(len);
    if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
    return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload };
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    return Buffer.concat(this.chunks, this.buffered).subarray(0, n);
  }

  /** Removes n bytes from the front; the result is a private copy (safe to unmask in place). */
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const first = this.chunks[0]!;
      const want = n - filled;
      if (first.length <= want) {
        first.copy(out, filled);
        filled += first.length;
        this.chunks.shift();
      } else {
        first.copy(out, filled, 0, want);
        this.chunks[0] = first.subarray(want);
        filled += want;
      }
    }
    this.buffered -= n;
    return out;
  }
}
