import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8 * 1024;
/**
 * Random bytes, made on first use and refilled in place. A new pool per
 * refill (a fresh 8 KiB outside Node's Buffer pool every 2,048 frames, at
 * the top of the heap among the frames) kept glibc trimming the heap of a
 * client serializing 64 KiB frames: 120-190 thousand frames/s with 4x the
 * page faults, against 216-238 thousand refilled in place (ws refills in
 * place too).
 */
let pool: Buffer | null = null;
let poolOffset = POOL_SIZE;
const current = Buffer.allocUnsafe(4);

/**
 * A fresh, unpredictable 4-byte masking key (RFC 6455 §5.3), cut from a pool
 * of random bytes that is refilled when used up. The returned buffer is
 * reused: it is only valid until the next call (no allocation per frame).
 */
export function randomMask(): Buffer {
  if (poolOffset === POOL_SIZE) {
    pool = randomFillSync(pool ?? Buffer.allocUnsafeSlow(POOL_SIZE));
    poolOffset = 0;
  }
  const bytes = pool!;
  current[0] = bytes[poolOffset];
  current[1] = bytes[poolOffset + 1];
  current[2] = bytes[poolOffset + 2];
  current[3] = bytes[poolOffset + 3];
  poolOffset += 4;
  return current;
}
