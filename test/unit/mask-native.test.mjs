// The optional native masking path (core/mask-native.ts, switched on by
// socketeer/bufferutil) against socketeer's JavaScript path and a byte-wise
// reference: every length around the thresholds, every offset alignment 0..7,
// every mask phase 0..3, every split of a payload into two chunks, random
// lengths up to 70,000 and a few MB, and a fast-check property; then the
// public functions with the native path on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { applyMask, copyMasked, copyMaskedJs, maskWithKey, maskWithKeyJs } from '../../dist/esm/core/mask.js';
import {
  NATIVE_COPY_THRESHOLD,
  NATIVE_MASK_THRESHOLD,
  nativeCopyMasked,
  nativeMaskMin,
  nativeMaskWithKey,
  nativeMasking,
  setNativeMasker,
} from '../../dist/esm/core/mask-native.js';
import { isNativeBufferutil } from '../../dist/esm/node/bufferutil-masker.js';
import { maskedByKey, packKey, unpackKey } from './mask-reference.mjs';

const require = createRequire(import.meta.url);
const bufferutil = require('bufferutil');

test('the installed bufferutil is its native binding (the tests below would prove nothing otherwise)', () => {
  assert.equal(isNativeBufferutil(bufferutil), true);
  assert.equal(isNativeBufferutil(require('bufferutil/fallback.js')), false, 'the JavaScript fallback is recognised and refused');
});

test('off by default; setNativeMasker switches it on and off', () => {
  assert.equal(nativeMasking(), false);
  assert.equal(nativeMaskMin, Infinity);
  assert.equal(nativeMaskWithKey(Buffer.alloc(4), 0, 4, 1, 0), false, 'no masker: the caller falls back');
  setNativeMasker(bufferutil);
  assert.equal(nativeMasking(), true);
  setNativeMasker(null);
  assert.equal(nativeMasking(), false);
});

test('in place and copying: native, JavaScript and the reference agree for lengths 0..600, offsets 0..7, phases 0..3', () => {
  setNativeMasker(bufferutil);
  try {
    const key = 0xa53c0ff0;
    const mask = unpackKey(key);
    for (let length = 0; length <= 600; length += length < 80 ? 1 : 7) {
      for (let align = 0; align < 8; align++) {
        for (let phase = 0; phase < 4; phase++) {
          const original = randomBytes(length + 16);
          const a = Buffer.from(original);
          const b = Buffer.from(original);
          const expected = Buffer.from(original);
          expected.set(maskedByKey(original.subarray(align, align + length), key, phase), align);
          assert.equal(nativeMaskWithKey(a, align, align + length, key, phase), true);
          maskWithKeyJs(b, align, align + length, key, phase);
          if (!a.equals(expected) || !b.equals(expected)) assert.fail(`in place: length ${length}, offset ${align}, phase ${phase}`);
        }
        const source = randomBytes(length + 8).subarray(align, align + length);
        const to = (align * 3) & 7;
        const c = randomBytes(length + 16);
        const d = Buffer.from(c);
        const around = Buffer.from(c);
        around.set(maskedByKey(source, key, 0), to);
        assert.equal(nativeCopyMasked(source, c, to, mask), true);
        copyMaskedJs(source, d, to, mask);
        if (!c.equals(around) || !d.equals(around)) assert.fail(`copying: length ${length}, source offset ${align}, target offset ${to}`);
      }
    }
  } finally {
    setNativeMasker(null);
  }
});

test('a payload unmasked chunk by chunk comes out whole for every split point', () => {
  setNativeMasker(bufferutil);
  try {
    for (const length of [NATIVE_MASK_THRESHOLD - 1, NATIVE_MASK_THRESHOLD, NATIVE_MASK_THRESHOLD * 2 + 3, 1500]) {
      const key = randomBytes(4).readUInt32BE(0);
      const original = randomBytes(length);
      const expected = maskedByKey(original, key, 0);
      for (let split = 0; split <= length; split += 1 + (split % 5)) {
        // Two "socket reads", each with other bytes around the payload's part.
        const first = Buffer.concat([randomBytes(3), original.subarray(0, split)]);
        const second = Buffer.concat([randomBytes(5), original.subarray(split), randomBytes(2)]);
        maskWithKey(first, 3, first.length, key, 0);
        maskWithKey(second, 5, 5 + length - split, key, split & 3);
        const got = Buffer.concat([first.subarray(3), second.subarray(5, 5 + length - split)]);
        if (!got.equals(expected)) assert.fail(`length ${length}, split at ${split}`);
      }
    }
  } finally {
    setNativeMasker(null);
  }
});

test('random lengths up to 70,000 and a few MB: the public functions give the same bytes native and built-in', () => {
  const lengths = [0, 5, NATIVE_COPY_THRESHOLD - 1, NATIVE_COPY_THRESHOLD, NATIVE_MASK_THRESHOLD, 65535, 65536, 70000, (3 << 20) + 1];
  for (let i = 0; i < 12; i++) lengths.push(Math.floor(Math.random() * 70001));
  for (const length of lengths) {
    const original = randomBytes(length + 3);
    const mask = randomBytes(4);
    const out = [];
    for (const native of [true, false]) {
      setNativeMasker(native ? bufferutil : null);
      const inPlace = Buffer.from(original);
      applyMask(inPlace.subarray(3), mask, 2);
      const byKey = Buffer.from(original);
      maskWithKey(byKey, 1, byKey.length, packKey(mask), 3);
      const copied = Buffer.alloc(length + 5);
      copyMasked(original.subarray(3), copied, 2, mask);
      out.push([inPlace, byKey, copied]);
    }
    setNativeMasker(null);
    for (let k = 0; k < 3; k++) assert.ok(out[0][k].equals(out[1][k]), `length ${length}, function ${k}`);
    assert.ok(out[0][0].subarray(3).equals(maskedByKey(original.subarray(3), packKey(mask), 2)));
  }
});

test('property: native in-place masking equals the reference for any bytes, range, key and phase', () => {
  setNativeMasker(bufferutil);
  try {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 4000 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 3 }),
        (bytes, a, b, key, phase) => {
          const data = Buffer.from(bytes);
          const from = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const to = from + (bytes.length - from === 0 ? 0 : b % (bytes.length - from + 1));
          const expected = Buffer.from(data);
          expected.set(maskedByKey(data.subarray(from, to), key, phase), from);
          maskWithKey(data, from, to, key, phase);
          return data.equals(expected);
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    setNativeMasker(null);
  }
});
