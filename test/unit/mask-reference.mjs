// The byte-at-a-time masking that every faster path is checked against.

/** A 4-byte mask packed big-endian into one number, as the core keeps it. */
export const packKey = (m) => ((m[0] << 24) | (m[1] << 16) | (m[2] << 8) | m[3]) >>> 0;
/** The 4 mask bytes of a packed key. */
export const unpackKey = (k) => Uint8Array.of(k >>> 24, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff);

/** `bytes` XORed with the packed key, mask position `phase` on bytes[0], as a new buffer. */
export function maskedByKey(bytes, key, phase) {
  const mask = unpackKey(key);
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) out[i] ^= mask[(i + phase) & 3];
  return out;
}
