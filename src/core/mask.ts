/**
 * XOR `data` in place with the 4-byte `mask`, starting at mask position
 * `offset` (0-3), so a payload unmasked chunk by chunk comes out right.
 * Aligned middles go four bytes at a time through a Uint32Array view.
 */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset = 0): void {
  const length = data.length;
  let i = 0;
  if (length >= 32) {
    const lead = (4 - ((data.byteOffset) & 3)) & 3;
    for (; i < lead; i++) data[i] ^= mask[(i + offset) & 3];
    const words = (length - i) >>> 2;
    if (words > 0) {
      const o = i + offset;
      const m0 = mask[o & 3];
      const m1 = mask[(o + 1) & 3];
      const m2 = mask[(o + 2) & 3];
      const m3 = mask[(o + 3) & 3];
      const word = LITTLE_ENDIAN
        ? (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0
        : ((m0 << 24) | (m1 << 16) | (m2 << 8) | m3) >>> 0;
      const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
      for (let w = 0; w < words; w++) view[w] ^= word;
      i += words << 2;
    }
  }
  for (; i < length; i++) data[i] ^= mask[(i + offset) & 3];
}

/** Copy `source` into `target` at `targetOffset`, masked. */
export function copyMasked(source: Uint8Array, target: Uint8Array, targetOffset: number, mask: Uint8Array): void {
  target.set(source, targetOffset);
  applyMask(target.subarray(targetOffset, targetOffset + source.length), mask, 0);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
