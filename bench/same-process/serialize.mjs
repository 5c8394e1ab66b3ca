// ws's Sender.frame against socketeer's encodeFrame in this one process, in
// alternating slices (bench/same-process.mjs): one masked binary frame per
// call from a payload the caller keeps, both masking natively (bufferutil),
// as the serialize rows of bench/codec.mjs do. The figure is frames per second.
// argv[2]: { size, slices, sliceMs }
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { useSocketeerNative } from '../lib/adapters.mjs';
import { alternate } from './slices.mjs';

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const Sender = require(dirname(require.resolve('ws')) + '/lib/sender.js');
if (!(await useSocketeerNative(true))) throw new Error('socketeer/bufferutil did not load natively: run npm ci');
const core = new URL('../../dist/esm/core/', import.meta.url).href;
const { encodeFrame } = await import(core + 'frame-serializer.js');
const { randomMask } = await import(core + 'mask-source.js');

const payload = Buffer.alloc(cfg.size, 0x5a);
const wsOptions = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
let frame = null;
const sink = { write(head, tail) { frame = tail === null ? head : tail; } };
const serializers = {
  ws: () => Sender.frame(payload, wsOptions)[0].length,
  socketeer: () => {
    encodeFrame(sink, 2, true, false, payload, randomMask());
    return frame.length;
  },
};
let checksum = 0;

async function slice(lib) {
  const serialize = serializers[lib];
  let frames = 0;
  const start = performance.now();
  const end = start + cfg.sliceMs;
  while (performance.now() < end) {
    for (let i = 0; i < 32; i++) checksum ^= serialize();
    frames += 32;
  }
  return (frames * 1000) / (performance.now() - start);
}

const figures = await alternate(cfg.slices, slice);
process.send({ type: 'result', result: figures, checksum }, () => process.exit(0));
