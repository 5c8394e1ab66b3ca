// Decompression bombs and the memory they cost, shared by the codec unit test
// and the loopback deflate-limits test.
import zlib from 'node:zlib';

/** A raw deflate stream of `megabytes` MB of zeros: about 1 KB per MB, concatenable. */
export function bomb(megabytes) {
  const unit = zlib.deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat(Array(megabytes).fill(unit));
}

/** Peak growth of rss and arrayBuffers while `run` runs, sampled every millisecond. */
export async function measure(run) {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers, m.rss - base.rss);
  };
  const timer = setInterval(sample, 1);
  const cpu = process.cpuUsage();
  try {
    const result = await run();
    sample();
    return { result, peak, cpu: process.cpuUsage(cpu) };
  } finally {
    clearInterval(timer);
  }
}
