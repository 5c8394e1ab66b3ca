// Micro-benchmark: where the optional native masker (socketeer/bufferutil,
// src/core/mask-native.ts) starts to beat socketeer's own paths. Per call,
// nanoseconds, at sizes around the thresholds, in place (the parser's unmask,
// at an odd offset of a larger buffer as in a socket read) and copying (the
// serializer); median of interleaved rounds.
//   node bench/mask-native.mjs [--rounds=N]   (run `npm run build` first)
import { createRequire } from 'node:module';
import { copyMaskedJs, maskWithKeyJs } from '../dist/esm/core/mask.js';
import { wasmCopyMasked, wasmMaskWithKey } from '../dist/esm/core/mask-wasm.js';
import { NATIVE_COPY_THRESHOLD, NATIVE_MASK_THRESHOLD, nativeCopyMasked, nativeMaskWithKey, setNativeMasker } from '../dist/esm/core/mask-native.js';
import { isNativeBufferutil } from '../dist/esm/node/bufferutil-masker.js';

const bufferutil = createRequire(import.meta.url)('bufferutil');
if (!isNativeBufferutil(bufferutil)) throw new Error("bufferutil's native binding did not load");
setNativeMasker(bufferutil);
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
const sizes = [32, 64, 128, 256, 384, 512, 768, 1024, 2048, 8192, 65536];
const key = 0x12345678;
const mask = Uint8Array.of(0x12, 0x34, 0x56, 0x78);
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];

function nsPerCall(fn, size) {
  const iters = Math.max(100, Math.floor(4e7 / (size + 64)));
  for (let i = 0; i < iters >> 3; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn();
  return Number(process.hrtime.bigint() - t) / iters;
}

console.log(`thresholds: in place ${NATIVE_MASK_THRESHOLD} B, copying ${NATIVE_COPY_THRESHOLD} B`);
console.log('size\tin place: js\twasm\tnative\tcopying: js\twasm\tnative   (ns per call)');
for (const size of sizes) {
  const backing = Buffer.allocUnsafe(size + 64).fill(7);
  const source = backing.subarray(5, 5 + size);
  const target = Buffer.allocUnsafe(size + 64);
  const runs = {
    js: () => maskWithKeyJs(backing, 5, 5 + size, key, 1),
    wasm: () => wasmMaskWithKey(backing, 5, 5 + size, key, 1),
    native: () => nativeMaskWithKey(backing, 5, 5 + size, key, 1),
    cjs: () => copyMaskedJs(source, target, 14, mask),
    cwasm: () => wasmCopyMasked(source, target, 14, key),
    cnative: () => nativeCopyMasked(source, target, 14, key),
  };
  const r = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let k = 0; k < rounds; k++) for (const [name, fn] of Object.entries(runs)) r[name].push(nsPerCall(fn, size));
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v).toFixed(0)]));
  console.log(`${size}\t${m.js}\t${m.wasm}\t${m.native}\t${m.cjs}\t${m.cwasm}\t${m.cnative}`);
}
