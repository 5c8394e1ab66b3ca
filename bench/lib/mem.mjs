// Memory sample after full garbage collection (the process runs with --expose-gc).
import { setTimeout as sleep } from 'node:timers/promises';

export async function memorySample() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await sleep(20);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}
