import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8 * 1024;
let pool = Buffer.allocUnsafe(0);
let poolOffset = 0;

/**
 * A fresh, unpredictable 4-byte masking key (RFC 6455 §5.3), cut from a pool
 * of random bytes that is refilled when used up. The returned view is only
 * valid until the next call.
 */
export function randomMask(): Buffer {
  if (poolOffset + 4 > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolOffset = 0;
  }
  const mask = pool.subarray(poolOffset, poolOffset + 4);
  poolOffset += 4;
  return mask;
}
