// Deterministic payloads and read splits shared by the reassembly tests.

/** `n` pseudo-random bytes from `seed` (xorshift32), the same on every run. */
export function randomBytes(n, seed) {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Cuts `bytes` at the given sizes (cycled), each chunk copied at an offset `shift` into its own buffer. */
export function cut(bytes, sizes, shift = 0) {
  const out = [];
  let pos = 0;
  let k = 0;
  while (pos < bytes.length) {
    const n = Math.min(sizes[k++ % sizes.length], bytes.length - pos);
    const backing = Buffer.alloc(n + shift);
    bytes.copy(backing, shift, pos, pos + n);
    out.push(backing.subarray(shift));
    pos += n;
  }
  return out;
}
