import { copyMasked, maskRange } from './mask.js';
import { nativeCopyMin } from './mask-native.js';
import { POOLED_FRAME_MAX, releaseFrameBuffer, takeFrameBuffer } from './frame-buffer-pool.js';

export type WriteCallback = (error?: Error | null) => void;

/** Where encoded frames go: a header (or a whole small frame) and an optional payload. */
export interface FrameSink {
  write(head: Buffer, tail: Buffer | null, callback?: WriteCallback): void;
  /**
   * True when the sink keeps no reference to a written buffer once that
   * write's callback has run: large masked frames then come from the frame
   * pool and go back to it in the callback.
   */
  readonly releasesOnCallback?: boolean;
}

/** Payloads below this are copied behind their header into one buffer (one write). */
const COPY_THRESHOLD = 16 * 1024;
/** Masked payloads up to this size are copied and masked byte by byte in one loop. */
const SMALL_MASKED = 64;
/** Masked payloads from this size get a frame laid out for a one-pass masked copy. */
const FUSED_MASK_THRESHOLD = 16 * 1024;

export function frameHeaderSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a frame header at target[0..]; returns its size. */
export function writeFrameHeader(
  target: Buffer,
  fin: boolean,
  rsv1: boolean,
  opcode: number,
  length: number,
  mask: Uint8Array | null,
): number {
  target[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  let offset = 2;
  if (length < 126) {
    target[1] = length;
  } else if (length < 0x10000) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
    offset = 4;
  } else {
    target[1] = 127;
    target.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    target.writeUInt32BE(length >>> 0, 6);
    offset = 10;
  }
  if (mask !== null) {
    target[1] |= 0x80;
    target[offset] = mask[0];
    target[offset + 1] = mask[1];
    target[offset + 2] = mask[2];
    target[offset + 3] = mask[3];
    offset += 4;
  }
  return offset;
}

/**
 * Encodes one frame into the sink. The caller's payload is never modified:
 * masked frames get a masked copy; large unmasked payloads go out as they are
 * behind a separate header (a writev), small ones are copied behind it.
 */
export function encodeFrame(
  sink: FrameSink,
  opcode: number,
  fin: boolean,
  rsv1: boolean,
  payload: Buffer,
  mask: Uint8Array | null,
  callback?: WriteCallback,
): void {
  const length = payload.length;
  const headerSize = frameHeaderSize(length, mask !== null);
  if (mask !== null && length <= SMALL_MASKED) {
    // Tiny frames: one loop beats Buffer#copy's call overhead plus a masking pass.
    const frame = Buffer.allocUnsafe(headerSize + length);
    writeFrameHeader(frame, fin, rsv1, opcode, length, mask);
    const m0 = mask[0];
    const m1 = mask[1];
    const m2 = mask[2];
    const m3 = mask[3];
    let i = 0;
    let o = headerSize;
    for (; i + 3 < length; i += 4, o += 4) {
      frame[o] = payload[i] ^ m0;
      frame[o + 1] = payload[i + 1] ^ m1;
      frame[o + 2] = payload[i + 2] ^ m2;
      frame[o + 3] = payload[i + 3] ^ m3;
    }
    for (; i < length; i++, o++) frame[o] = payload[i] ^ mask[i & 3];
    sink.write(frame, null, callback);
    return;
  }
  if (mask !== null && length >= FUSED_MASK_THRESHOLD) {
    const size = headerSize + length + 3;
    if (sink.releasesOnCallback === true && size <= POOLED_FRAME_MAX) {
      const backing = takeFrameBuffer(size);
      sink.write(maskedFrameIn(backing, payload, headerSize, fin, rsv1, opcode, mask), null, (error) => {
        releaseFrameBuffer(backing);
        if (callback !== undefined) callback(error);
      });
      return;
    }
    if (length < nativeCopyMin) {
      sink.write(maskedFrameIn(Buffer.allocUnsafeSlow(size), payload, headerSize, fin, rsv1, opcode, mask), null, callback);
      return;
    }
  }
  if (mask !== null || length < COPY_THRESHOLD) {
    const frame = Buffer.allocUnsafe(headerSize + length);
    writeFrameHeader(frame, fin, rsv1, opcode, length, mask);
    if (length > 0) {
      // copyMasked: native in one pass when socketeer/bufferutil is on; in
      // WebAssembly above its threshold, one copy in and one out; otherwise a
      // copy and the JavaScript mask.
      if (mask !== null) copyMasked(payload, frame, headerSize, mask);
      else payload.copy(frame, headerSize);
    }
    sink.write(frame, null, callback);
    return;
  }
  const header = Buffer.allocUnsafe(headerSize);
  writeFrameHeader(header, fin, rsv1, opcode, length, null);
  sink.write(header, payload, callback);
}

/**
 * Lays out a masked frame in `backing` (3 bytes longer than the frame) with
 * the payload at the same address modulo 4 as the caller's bytes, so copying
 * and masking go together word by word.
 */
function maskedFrameIn(
  backing: Buffer,
  payload: Buffer,
  headerSize: number,
  fin: boolean,
  rsv1: boolean,
  opcode: number,
  mask: Uint8Array,
): Buffer {
  const length = payload.length;
  const start = (payload.byteOffset - backing.byteOffset - headerSize) & 3;
  const frame = backing.subarray(start, start + headerSize + length);
  writeFrameHeader(frame, fin, rsv1, opcode, length, mask);
  copyMasked(payload, frame, headerSize, mask);
  return frame;
}

/**
 * Encodes a text frame straight from a string, skipping the intermediate
 * Buffer.from() copy for strings that fit the one-buffer path.
 */
export function encodeTextFrame(
  sink: FrameSink,
  fin: boolean,
  text: string,
  mask: Uint8Array | null,
  callback?: WriteCallback,
): void {
  const length = text.length < 0x2000 ? Buffer.byteLength(text) : -1;
  if (length < 0 || (mask === null && length >= COPY_THRESHOLD)) {
    encodeFrame(sink, 0x1, fin, false, Buffer.from(text), mask, callback);
    return;
  }
  const headerSize = frameHeaderSize(length, mask !== null);
  const frame = Buffer.allocUnsafe(headerSize + length);
  writeFrameHeader(frame, fin, false, 0x1, length, mask);
  if (length > 0) {
    frame.write(text, headerSize, 'utf8');
    if (mask !== null) maskRange(frame, headerSize, frame.length, mask, 0);
  }
  sink.write(frame, null, callback);
}
