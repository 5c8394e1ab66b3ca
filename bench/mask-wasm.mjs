// Micro-benchmark: JavaScript masking against the WebAssembly SIMD path
// (src/core/mask-wasm.ts), in place (the parser's unmask) and copy-and-mask
// (the serializer), at sizes around the threshold. Prints GB/s and the
// wasm/js ratio, median of interleaved rounds.
//   node bench/mask-wasm.mjs [--rounds=N]   (run `npm run build` first)
import { maskWithKeyJs, copyMaskedJs } from '../dist/esm/core/mask.js';
import { wasmMaskWithKey, wasmCopyMasked } from '../dist/esm/core/mask-wasm.js';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);
const sizes = [64, 128, 256, 384, 512, 1024, 4096, 16384, 65536, 1 << 20, 16 << 20];
const key = 0x12345678;
const mask = Uint8Array.of(0x12, 0x34, 0x56, 0x78);

function time(fn, size) {
  const iters = Math.max(4, Math.floor(1e8 / (size + 200)));
  for (let i = 0; i < iters >> 3; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn();
  return size / (Number(process.hrtime.bigint() - t) / iters); // bytes/ns = GB/s
}
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];

console.log('size\tin-place js\twasm\tratio\tcopy js\twasm\tratio');
for (const size of sizes) {
  // Payloads sit at an odd offset of a larger buffer, as frames in a socket read do.
  const backing = Buffer.allocUnsafe(size + 64).fill(7);
  const data = backing.subarray(5, 5 + size);
  const target = Buffer.allocUnsafe(size + 64);
  const r = { ij: [], iw: [], cj: [], cw: [] };
  for (let k = 0; k < rounds; k++) {
    r.ij.push(time(() => maskWithKeyJs(data, 0, size, key, 1), size));
    r.iw.push(time(() => wasmMaskWithKey(data, 0, size, key, 1), size));
    r.cj.push(time(() => copyMaskedJs(data, target, 6, mask), size));
    r.cw.push(time(() => wasmCopyMasked(data, target, 6, key), size));
  }
  const [ij, iw, cj, cw] = [r.ij, r.iw, r.cj, r.cw].map(median);
  console.log(`${size}\t${ij.toFixed(2)}\t${iw.toFixed(2)}\t${(iw / ij).toFixed(2)}x\t${cj.toFixed(2)}\t${cw.toFixed(2)}\t${(cw / cj).toFixed(2)}x`);
}
