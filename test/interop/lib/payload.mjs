// Deterministic message payloads that every peer (Node, Python, the browser)
// can rebuild from a small spec, so big messages never cross a driver pipe:
// receivers report { isBinary, length, sha256 } and the harness compares.
//   text(n):   UNIT repeated floor(n / UNIT_BYTES) times, then 'x' * (n % UNIT_BYTES)
//              -> exactly n UTF-8 bytes, with 2-, 3- and 4-byte characters.
//   binary(n, seed): byte i = ((i % 251) * 7 + seed) & 0xff (period 251, a prime,
//              so the pattern never lines up with frame or chunk boundaries).
import { createHash } from 'node:crypto';

export const TEXT_UNIT = 'socketeer ✓ héllo wörld 🌍 ';
export const TEXT_UNIT_BYTES = Buffer.byteLength(TEXT_UNIT);

export function buildText(size) {
  const whole = Math.floor(size / TEXT_UNIT_BYTES);
  return TEXT_UNIT.repeat(whole) + 'x'.repeat(size - whole * TEXT_UNIT_BYTES);
}

export function buildBinary(size, seed = 0) {
  const block = Buffer.alloc(251);
  for (let j = 0; j < 251; j++) block[j] = (j * 7 + seed) & 0xff;
  const out = Buffer.allocUnsafe(size);
  for (let off = 0; off < size; off += 251) block.copy(out, off, 0, Math.min(251, size - off));
  return out;
}

export function build(spec) {
  return spec.kind === 'text' ? buildText(spec.size) : buildBinary(spec.size, spec.seed ?? 0);
}

export function digest(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What a receiver should report for a spec. */
export function expected(spec) {
  const bytes = spec.kind === 'text' ? Buffer.from(buildText(spec.size)) : buildBinary(spec.size, spec.seed ?? 0);
  return { isBinary: spec.kind === 'binary', length: bytes.length, sha256: digest(bytes) };
}

export function describeSpec(spec) {
  return `${spec.kind} ${spec.size} B${spec.via ? ` via ${spec.via}` : ''}`;
}
