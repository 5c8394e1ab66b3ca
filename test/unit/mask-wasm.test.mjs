// The WebAssembly SIMD masking path (core/mask-wasm.ts) against the
// JavaScript path and a byte-wise reference: every length 0..300, every
// offset alignment 0..7, every mask phase 0..3, random large buffers, and the
// public functions with the WebAssembly path switched on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyMask, copyMasked, maskWithKey, maskWithKeyJs, copyMaskedJs } from '../../dist/esm/core/mask.js';
import {
  setWasmMasking,
  wasmCopyMasked,
  wasmMaskWithKey,
  WASM_MASK_THRESHOLD,
  WASM_COPY_THRESHOLD,
} from '../../dist/esm/core/mask-wasm.js';
import { maskedByKey, packKey, unpackKey } from './mask-reference.mjs';

const KEYS = [0xa53c0ff0, 0x01020304, 0xffffffff, 0x00000000, 0x80000001];

function filled(length, seed) {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 17 + 5) & 0xff;
  return b;
}

test('WebAssembly SIMD is available on this Node, and the switch works', () => {
  assert.equal(setWasmMasking(false), false);
  assert.equal(setWasmMasking(true), true);
});

test('in place: wasm, JavaScript and the reference agree for lengths 0..300, offsets 0..7, phases 0..3', () => {
  for (const key of KEYS.slice(0, 2)) {
    for (let length = 0; length <= 300; length++) {
      for (let align = 0; align < 8; align++) {
        for (let phase = 0; phase < 4; phase++) {
          const a = filled(length + 16, length);
          const b = Buffer.from(a);
          const expected = Buffer.from(a);
          expected.set(maskedByKey(a.subarray(align, align + length), key, phase), align);
          assert.equal(wasmMaskWithKey(a, align, align + length, key, phase), true);
          maskWithKeyJs(b, align, align + length, key, phase);
          if (!a.equals(expected) || !b.equals(expected)) {
            assert.fail(`length ${length}, offset ${align}, phase ${phase}, key ${key.toString(16)}: wasm ${a.equals(expected)}, js ${b.equals(expected)}`);
          }
        }
      }
    }
  }
});

test('copying: wasm, JavaScript and the reference agree for lengths 0..300, both offsets 0..7', () => {
  const key = KEYS[0];
  const mask = unpackKey(key);
  for (let length = 0; length <= 300; length++) {
    for (let from = 0; from < 8; from++) {
      for (let to = 0; to < 8; to++) {
        const source = filled(length + 8, length + from).subarray(from, from + length);
        const expected = maskedByKey(source, key, 0);
        const a = filled(length + 16, 1);
        const b = Buffer.from(a);
        const around = Buffer.from(a);
        assert.equal(wasmCopyMasked(source, a, to, key), true);
        copyMaskedJs(source, b, to, mask);
        around.set(expected, to);
        if (!a.equals(around) || !b.equals(around)) {
          assert.fail(`length ${length}, source offset ${from}, target offset ${to}: wasm ${a.equals(around)}, js ${b.equals(around)}`);
        }
      }
    }
  }
});

test('random large buffers, across the 64 KiB chunk boundary: both paths identical', () => {
  const lengths = [WASM_MASK_THRESHOLD - 1, WASM_MASK_THRESHOLD, 65535, 65536, 65537, 70000, 131075, 1 << 20, (3 << 20) + 3];
  for (const length of lengths) {
    for (const phase of [0, 1, 2, 3]) {
      const offset = (length + phase) & 7;
      const key = randomBytes(4).readUInt32BE(0);
      const original = randomBytes(length + 8);
      const a = Buffer.from(original);
      const b = Buffer.from(original);
      wasmMaskWithKey(a, offset, offset + length, key, phase);
      maskWithKeyJs(b, offset, offset + length, key, phase);
      assert.ok(a.equals(b), `in place, length ${length}, phase ${phase}`);
      assert.ok(a.subarray(offset, offset + length).equals(maskedByKey(original.subarray(offset, offset + length), key, phase)));
      const c = Buffer.alloc(length + 9);
      const d = Buffer.alloc(length + 9);
      wasmCopyMasked(original.subarray(offset, offset + length), c, 1, key);
      copyMaskedJs(original.subarray(offset, offset + length), d, 1, unpackKey(key));
      assert.ok(c.equals(d), `copying, length ${length}`);
    }
  }
});

test('public functions give the same bytes with the WebAssembly path on and off', () => {
  for (const length of [0, 5, WASM_COPY_THRESHOLD, WASM_MASK_THRESHOLD - 1, WASM_MASK_THRESHOLD, 4099, 100_003]) {
    const original = randomBytes(length + 3);
    const mask = randomBytes(4);
    const out = [];
    for (const on of [true, false]) {
      setWasmMasking(on);
      const inPlace = Buffer.from(original);
      applyMask(inPlace.subarray(3), mask, 2);
      const byKey = Buffer.from(original);
      maskWithKey(byKey, 3, byKey.length, packKey(mask), 1);
      const copied = Buffer.alloc(length + 5);
      copyMasked(original.subarray(3), copied, 5 - 3, mask);
      out.push([inPlace, byKey, copied]);
    }
    setWasmMasking(true);
    for (let k = 0; k < 3; k++) assert.ok(out[0][k].equals(out[1][k]), `length ${length}, function ${k}`);
    assert.ok(out[0][0].subarray(3).equals(maskedByKey(original.subarray(3), packKey(mask), 2)));
  }
});

test('SOCKETEER_WASM=0 turns the WebAssembly path off in a fresh process', () => {
  const mod = fileURLToPath(new URL('../../dist/esm/core/mask-wasm.js', import.meta.url));
  const script = `import(${JSON.stringify(mod)}).then((m) => console.log(m.wasmMaskMin, m.wasmCopyMin))`;
  const off = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, SOCKETEER_WASM: '0' }, encoding: 'utf8', timeout: 20000 });
  assert.equal(off.stdout.trim(), 'Infinity Infinity');
  const on = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, SOCKETEER_WASM: '' }, encoding: 'utf8', timeout: 20000 });
  assert.equal(on.stdout.trim(), `${WASM_MASK_THRESHOLD} ${WASM_COPY_THRESHOLD}`);
});

test('without WebAssembly the JavaScript path is used and the output is the same', () => {
  // A fresh process with the WebAssembly global removed before the core loads.
  const mask = fileURLToPath(new URL('../../dist/esm/core/mask.js', import.meta.url));
  const wasm = fileURLToPath(new URL('../../dist/esm/core/mask-wasm.js', import.meta.url));
  const script = `delete globalThis.WebAssembly;
    const m = await import(${JSON.stringify(mask)}); const w = await import(${JSON.stringify(wasm)});
    const b = Buffer.alloc(5000, 7); m.applyMask(b, Uint8Array.of(1, 2, 3, 4), 1);
    const c = Buffer.alloc(5000); m.copyMasked(Buffer.alloc(5000, 7), c, 0, Uint8Array.of(1, 2, 3, 4));
    console.log(w.wasmMaskMin, w.setWasmMasking(true), b[0], b[1], b[4999], c[0], c[4999]);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), `Infinity false ${7 ^ 2} ${7 ^ 3} ${7 ^ (4999 + 1 & 3) + 1} ${7 ^ 1} ${7 ^ ((4999 & 3) + 1)}`);
});
