/**
 * Buffers for large masked frames (a client's messages of 16 KiB to 1 MiB),
 * handed out again once the transport has written them.
 *
 * Why: each such frame would otherwise be a fresh malloc() that garbage
 * collection frees later, in a batch with others. When a batch leaves 128 KiB
 * or more free at the top of glibc's heap, glibc gives those pages back to the
 * kernel, and the next frames are written to fresh pages: a page fault every
 * 4 KiB. A process can stay in that mode for its whole life (64 KB client
 * echo: about 110 faults per MB and a third of the speed; see
 * docs/performance.md). A frame buffer used again is never freed, so it never
 * feeds that batch.
 */

/** Frames from this size (header included) come from the pool. */
export const POOLED_FRAME_MIN = 16 * 1024;
/** Frames above this size are allocated and freed as before. */
export const POOLED_FRAME_MAX = 1024 * 1024 + 64;
/** Idle bytes the pool keeps for the whole process; more are left to the GC. */
const IDLE_BYTES_MAX = 4 * 1024 * 1024;
/** Idle buffers kept per size class. */
const IDLE_PER_CLASS = 8;

const idle = new Map<number, Buffer[]>();
let idleBytes = 0;

/**
 * The size class of `size`: rounded up to a quarter of its power of two, so a
 * buffer wastes at most a fifth of itself and messages of similar sizes share
 * buffers.
 */
export function frameClassSize(size: number): number {
  const step = 2 ** Math.max(0, Math.floor(Math.log2(size)) - 2);
  return Math.ceil(size / step) * step;
}

/** A buffer of at least `size` bytes (its size class), from the pool when one is idle. */
export function takeFrameBuffer(size: number): Buffer {
  const classSize = frameClassSize(size);
  const list = idle.get(classSize);
  const reused = list?.pop();
  if (reused !== undefined) {
    idleBytes -= classSize;
    return reused;
  }
  // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool.
  return Buffer.allocUnsafeSlow(classSize);
}

/** Gives back a buffer from takeFrameBuffer() once nothing reads it any more. */
export function releaseFrameBuffer(buffer: Buffer): void {
  const classSize = buffer.length;
  if (idleBytes + classSize > IDLE_BYTES_MAX) return;
  let list = idle.get(classSize);
  if (list === undefined) idle.set(classSize, (list = []));
  if (list.length >= IDLE_PER_CLASS) return;
  list.push(buffer);
  idleBytes += classSize;
}

/** Idle bytes held (tests). */
export function idleFrameBytes(): number {
  return idleBytes;
}

/** Drops every idle buffer (tests). */
export function clearFramePool(): void {
  idle.clear();
  idleBytes = 0;
}
