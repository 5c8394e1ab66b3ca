// ws's Sender.frame against socketeer's encodeFrame in one process, in
// alternating 100 ms slices, so that a noisy machine slows both alike.
// Both mask natively (bufferutil). Prints frames/s and socketeer/ws.
// Usage: npm run build && taskset -c 0 node bench/serialize-ab.mjs [size=65536] [slices=40]
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const Sender = require(dirname(require.resolve('ws')) + '/lib/sender.js');
const { useBufferutil } = await import('../dist/esm/bufferutil.js');
if (!useBufferutil()) throw new Error('bufferutil did not load natively: run npm ci');
const core = new URL('../dist/esm/core/', import.meta.url).href;
const { encodeFrame } = await import(core + 'frame-serializer.js');
const { randomMask } = await import(core + 'mask-source.js');

const size = Number(process.argv[2] ?? 65536);
const slices = Number(process.argv[3] ?? 40);
const payload = Buffer.alloc(size, 0x5a);
const wsOptions = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
let frame = null;
const sink = { write(head, tail) { frame = tail === null ? head : tail; } };
const candidates = {
  ws: () => Sender.frame(payload, wsOptions)[0].length,
  socketeer: () => { encodeFrame(sink, 2, true, false, payload, randomMask()); return frame.length; },
};

const rates = { ws: [], socketeer: [] };
let checksum = 0;
for (let slice = 0; slice < slices; slice++) {
  for (const name of slice % 2 ? ['ws', 'socketeer'] : ['socketeer', 'ws']) {
    const run = candidates[name];
    let frames = 0;
    const start = performance.now();
    const end = start + 100;
    while (performance.now() < end) {
      for (let i = 0; i < 32; i++) checksum ^= run();
      frames += 32;
    }
    // The first quarter is warm-up.
    if (slice >= slices / 4) rates[name].push((frames * 1000) / (performance.now() - start));
  }
}
const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
const ws = median(rates.ws);
const socketeer = median(rates.socketeer);
console.log(`serialize ${size} B masked: ws ${Math.round(ws)} frames/s, socketeer ${Math.round(socketeer)}, socketeer/ws ${(socketeer / ws).toFixed(3)} (checksum ${checksum & 1})`);
