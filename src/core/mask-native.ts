/**
 * An optional native masker (the `bufferutil` package, installed by the
 * user and switched on through `socketeer/bufferutil`). JavaScript has no
 * SIMD and WebAssembly memory cannot alias a Node Buffer, so for long
 * payloads a native in-place XOR is the one path that makes a single pass
 * over the bytes. Off until a masker is installed; mask.ts reads the
 * thresholds on every call and uses this before WebAssembly and JavaScript.
 */

/** What a native masker provides: bufferutil's `mask` and `unmask`, mask position 0 on the first byte. */
export interface NativeMasker {
  mask(source: Uint8Array, mask: Uint8Array, output: Uint8Array, offset: number, length: number): void;
  unmask(buffer: Uint8Array, mask: Uint8Array): void;
}

/**
 * In place, ranges this long or longer go to the native masker: below it the
 * call and the view it needs cost more than the JavaScript word loop
 * (bench/mask-native.mjs: 96 ns JavaScript against 100 ns native at 512 B,
 * 125 against 106 at 768 B).
 */
export const NATIVE_MASK_THRESHOLD = 512;
/**
 * Copy-and-mask (the serializer) goes native from this length. In a hot loop
 * WebAssembly is as fast up to 2 KiB, but the serializer writes each frame
 * into fresh memory, where one native pass beats WebAssembly's three
 * (codec serialize 1 KB: 4.64 million frames/s native, 4.23 million built-in).
 */
export const NATIVE_COPY_THRESHOLD = 128;

export let nativeMaskMin = Infinity;
export let nativeCopyMin = Infinity;

let masker: NativeMasker | null = null;
// The 4 mask bytes for one call, rotated to the phase of its first byte.
const keyBytes = new Uint8Array(4);

/** Install a native masker, or remove it with null. */
export function setNativeMasker(native: NativeMasker | null): void {
  masker = native;
  nativeMaskMin = native === null ? Infinity : NATIVE_MASK_THRESHOLD;
  nativeCopyMin = native === null ? Infinity : NATIVE_COPY_THRESHOLD;
}

/** Whether a native masker is installed. */
export function nativeMasking(): boolean {
  return masker !== null;
}

function setKey(key: number, phase: number): void {
  keyBytes[0] = key >>> (24 - ((phase & 3) << 3));
  keyBytes[1] = key >>> (24 - (((phase + 1) & 3) << 3));
  keyBytes[2] = key >>> (24 - (((phase + 2) & 3) << 3));
  keyBytes[3] = key >>> (24 - (((phase + 3) & 3) << 3));
}

/**
 * maskWithKey() natively: XOR data[from..to) in place, mask position
 * `offset` on data[from] (`key` packs the mask big-endian). Returns false
 * when no masker is installed.
 */
export function nativeMaskWithKey(data: Uint8Array, from: number, to: number, key: number, offset: number): boolean {
  const native = masker;
  if (native === null) return false;
  setKey(key, offset);
  native.unmask(from === 0 && to === data.length ? data : data.subarray(from, to), keyBytes);
  return true;
}

/**
 * copyMasked() natively: `source` masked from position 0 into
 * target[targetOffset..]. Phase 0 needs no rotated key, so the caller's mask
 * bytes go to the masker as they are.
 */
export function nativeCopyMasked(source: Uint8Array, target: Uint8Array, targetOffset: number, mask: Uint8Array): boolean {
  const native = masker;
  if (native === null) return false;
  native.mask(source, mask, target, targetOffset, source.length);
  return true;
}

/** copyMaskedWithKey() natively: mask position `phase` on source[0]. */
export function nativeCopyMaskedWithKey(source: Uint8Array, target: Uint8Array, targetOffset: number, key: number, phase: number): boolean {
  const native = masker;
  if (native === null) return false;
  setKey(key, phase);
  native.mask(source, keyBytes, target, targetOffset, source.length);
  return true;
}
