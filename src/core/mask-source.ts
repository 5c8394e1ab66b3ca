import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8 * 1024;
let pool = Buffer.allocUnsafe(0);
let poolOffset = 0;
const current = Buffer.allocUnsafe(4);

/**
 * A fresh, unpredictable 4-byte masking key (RFC 6455 §5.3), cut from a pool
 * of random bytes that is refilled when used up. The returned buffer is
 * reused: it is only valid until the next call (no allocation per frame).
 */
export function randomMask(): Buffer {
  if (poolOffset + 4 > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolOffset = 0;
  }
  current[0] = pool[poolOffset];
  current[1] = pool[poolOffset + 1];
  current[2] = pool[poolOffset + 2];
  current[3] = pool[poolOffset + 3];
  poolOffset += 4;
  return current;
}
