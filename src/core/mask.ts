import { nativeCopyMasked, nativeCopyMaskedWithKey, nativeCopyMin, nativeMaskMin, nativeMaskWithKey } from './mask-native.js';
import { wasmCopyMasked, wasmCopyMin, wasmMaskMin, wasmMaskWithKey } from './mask-wasm.js';

/**
 * XOR `data` in place with the 4-byte `mask`, starting at mask position
 * `offset` (0-3), so a payload unmasked chunk by chunk comes out right.
 * The aligned middle goes four bytes at a time through an Int32Array (int32,
 * not uint32: values stay small integers, so V8 keeps the loop in registers),
 * unrolled eight words per step.
 */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset = 0): void {
  maskRange(data, 0, data.length, mask, offset);
}

/**
 * applyMask() on data[from..to) without making a view of it first: mask
 * position `offset` applies to data[from].
 */
export function maskRange(data: Uint8Array, from: number, to: number, mask: Uint8Array, offset = 0): void {
  maskWithKey(data, from, to, ((mask[0] << 24) | (mask[1] << 16) | (mask[2] << 8) | mask[3]) >>> 0, offset);
}

/** Byte `k` (0-3, taken mod 4) of a key packed big-endian into a number. */
function keyByte(key: number, k: number): number {
  return (key >>> (24 - ((k & 3) << 3))) & 0xff;
}

/**
 * maskRange() with the 4-byte key packed big-endian into one number (the
 * first mask byte in the top bits), so a connection can keep its key without
 * a Buffer of its own.
 */
export function maskWithKey(data: Uint8Array, from: number, to: number, key: number, offset = 0): void {
  // Long ranges: a native masker when one is installed (mask-native.ts), else
  // WebAssembly SIMD (mask-wasm.ts) unless it is off or missing.
  if (to - from >= nativeMaskMin && nativeMaskWithKey(data, from, to, key, offset)) return;
  if (to - from >= wasmMaskMin && wasmMaskWithKey(data, from, to, key, offset)) return;
  maskWithKeyJs(data, from, to, key, offset);
}

/** maskWithKey() in JavaScript only: the fallback, and the path below the WebAssembly threshold. */
export function maskWithKeyJs(data: Uint8Array, from: number, to: number, key: number, offset = 0): void {
  const length = to; // exclusive end
  let i = from;
  offset = (offset - from) & 3;
  if (length - i >= WORD_LOOP_MIN) {
    const start = data.byteOffset;
    const lead = i + ((4 - ((start + i) & 3)) & 3);
    for (; i < lead; i++) data[i] ^= keyByte(key, i + offset);
    const o = i + offset;
    const word = LITTLE_ENDIAN
      ? keyByte(key, o) | (keyByte(key, o + 1) << 8) | (keyByte(key, o + 2) << 16) | (keyByte(key, o + 3) << 24)
      : (keyByte(key, o) << 24) | (keyByte(key, o + 1) << 16) | (keyByte(key, o + 2) << 8) | keyByte(key, o + 3);
    const words = (length - i) >>> 2;
    let view: Int32Array<ArrayBufferLike>;
    let w: number;
    if (data.buffer.byteLength <= CACHE_LIMIT) {
      // Frames parsed from one socket read, and small frames cut from Node's
      // Buffer pool, share an ArrayBuffer: one view of it serves them all.
      view = wordsOf(data.buffer);
      w = (start + i) >>> 2;
    } else {
      // A large buffer: a view of just this range (not kept).
      view = new Int32Array(data.buffer, start + i, words);
      w = 0;
    }
    const end = w + words;
    const end8 = w + (words & ~7);
    for (; w < end8; w += 8) {
      view[w] ^= word;
      view[w + 1] ^= word;
      view[w + 2] ^= word;
      view[w + 3] ^= word;
      view[w + 4] ^= word;
      view[w + 5] ^= word;
      view[w + 6] ^= word;
      view[w + 7] ^= word;
    }
    for (; w < end; w++) view[w] ^= word;
    i += words << 2;
  } else {
    const m0 = keyByte(key, i + offset);
    const m1 = keyByte(key, i + offset + 1);
    const m2 = keyByte(key, i + offset + 2);
    const m3 = keyByte(key, i + offset + 3);
    for (; i + 3 < length; i += 4) {
      data[i] ^= m0;
      data[i + 1] ^= m1;
      data[i + 2] ^= m2;
      data[i + 3] ^= m3;
    }
  }
  for (; i < length; i++) data[i] ^= keyByte(key, i + offset);
}

/**
 * Copy `source` into `target` at `targetOffset`, masked. When both sides
 * sit at the same address modulo 4, copying and masking is one pass over
 * int32 words; otherwise a copy, then masking in place.
 */
export function copyMasked(source: Uint8Array, target: Uint8Array, targetOffset: number, mask: Uint8Array): void {
  const length = source.length;
  if (length >= nativeCopyMin && nativeCopyMasked(source, target, targetOffset, mask)) return;
  if (
    length >= wasmCopyMin &&
    wasmCopyMasked(source, target, targetOffset, ((mask[0] << 24) | (mask[1] << 16) | (mask[2] << 8) | mask[3]) >>> 0)
  ) {
    return;
  }
  copyMaskedJs(source, target, targetOffset, mask);
}

/**
 * copyMasked() with the key packed big-endian and mask position `offset` on
 * source[0]; the source is left as it was. Natively this is one pass;
 * otherwise a copy, then maskWithKey() on the copy.
 */
export function copyMaskedWithKey(source: Uint8Array, target: Uint8Array, targetOffset: number, key: number, offset: number): void {
  const length = source.length;
  if (length >= nativeCopyMin && nativeCopyMaskedWithKey(source, target, targetOffset, key, offset)) return;
  target.set(source, targetOffset);
  maskWithKey(target, targetOffset, targetOffset + length, key, offset);
}

/** copyMasked() in JavaScript only (the fallback). */
export function copyMaskedJs(source: Uint8Array, target: Uint8Array, targetOffset: number, mask: Uint8Array): void {
  const length = source.length;
  const to = target.byteOffset + targetOffset;
  if (length < 64 || ((source.byteOffset - to) & 3) !== 0) {
    target.set(source, targetOffset);
    maskWithKeyJs(target, targetOffset, targetOffset + length, ((mask[0] << 24) | (mask[1] << 16) | (mask[2] << 8) | mask[3]) >>> 0, 0);
    return;
  }
  let i = 0;
  const lead = (4 - (to & 3)) & 3;
  for (; i < lead; i++) target[targetOffset + i] = source[i] ^ mask[i & 3];
  const words = (length - i) >>> 2;
  const word = LITTLE_ENDIAN
    ? mask[i & 3] | (mask[(i + 1) & 3] << 8) | (mask[(i + 2) & 3] << 16) | (mask[(i + 3) & 3] << 24)
    : (mask[i & 3] << 24) | (mask[(i + 1) & 3] << 16) | (mask[(i + 2) & 3] << 8) | mask[(i + 3) & 3];
  const from32 = new Int32Array(source.buffer, source.byteOffset + i, words);
  const to32 = new Int32Array(target.buffer, to + i, words);
  let w = 0;
  const end8 = words & ~7;
  for (; w < end8; w += 8) {
    to32[w] = from32[w] ^ word;
    to32[w + 1] = from32[w + 1] ^ word;
    to32[w + 2] = from32[w + 2] ^ word;
    to32[w + 3] = from32[w + 3] ^ word;
    to32[w + 4] = from32[w + 4] ^ word;
    to32[w + 5] = from32[w + 5] ^ word;
    to32[w + 6] = from32[w + 6] ^ word;
    to32[w + 7] = from32[w + 7] ^ word;
  }
  for (; w < words; w++) to32[w] = from32[w] ^ word;
  i += words << 2;
  for (; i < length; i++) target[targetOffset + i] = source[i] ^ mask[i & 3];
}

/**
 * Ranges from this length are masked word by word. Below it the byte loop
 * is faster: setting up the word loop (alignment, the key word, an Int32Array
 * view, which a small read gets new every time) costs more than it saves
 * (measured on 32 B in a read of its own: 141-180 ns words, 43 ns bytes; at
 * 128 B the two are even without a cached view, the words 30% ahead with it).
 */
const WORD_LOOP_MIN = 128;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Buffers up to this size get a cached whole-buffer view (one kept alive at most). */
const CACHE_LIMIT = 256 * 1024;
let cachedBuffer: ArrayBufferLike | null = null;
let cachedView: Int32Array<ArrayBufferLike> = new Int32Array(0);

function wordsOf(buffer: ArrayBufferLike): Int32Array<ArrayBufferLike> {
  if (buffer !== cachedBuffer) {
    cachedBuffer = buffer;
    cachedView = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return cachedView;
}
