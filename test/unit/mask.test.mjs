// applyMask against a byte-by-byte reference: every length up to 300, every
// alignment of the view, every starting mask phase, shared and large buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMask, copyMasked } from '../../dist/esm/core/mask.js';

function reference(bytes, mask, phase) {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) out[i] ^= mask[(i + phase) & 3];
  return out;
}

function filled(length, seed) {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 17) & 0xff;
  return b;
}

test('applyMask matches the byte-wise reference for every length, alignment and phase', () => {
  const mask = Buffer.from([0xa5, 0x3c, 0x0f, 0xf0]);
  for (let length = 0; length <= 300; length++) {
    for (let align = 0; align < 4; align++) {
      for (let phase = 0; phase < 4; phase++) {
        const backing = filled(length + 8, length);
        const view = backing.subarray(align, align + length);
        const expected = reference(view, mask, phase);
        applyMask(view, mask, phase);
        assert.deepEqual(view, expected, `length ${length}, align ${align}, phase ${phase}`);
        assert.equal(backing[align + length], (((length + align) * 31 + length * 17) & 0xff), 'byte after the view untouched');
      }
    }
  }
});

test('applyMask leaves neighbours in a shared buffer untouched and handles large buffers', () => {
  const mask = Buffer.from([1, 2, 3, 4]);
  const shared = filled(4096, 3);
  const copy = Buffer.from(shared);
  applyMask(shared.subarray(101, 1101), mask, 1);
  assert.deepEqual(shared.subarray(0, 101), copy.subarray(0, 101));
  assert.deepEqual(shared.subarray(1101), copy.subarray(1101));
  assert.deepEqual(shared.subarray(101, 1101), reference(copy.subarray(101, 1101), mask, 1));

  const big = filled(1024 * 1024 + 3, 5);
  const expected = reference(big.subarray(1), mask, 2);
  applyMask(big.subarray(1), mask, 2);
  assert.deepEqual(big.subarray(1), expected);
});

test('copyMasked masks into the target and leaves the source as it was', () => {
  const mask = Buffer.from([9, 8, 7, 6]);
  const source = filled(70, 1);
  const before = Buffer.from(source);
  const target = Buffer.alloc(80);
  copyMasked(source, target, 5, mask);
  assert.deepEqual(source, before);
  assert.deepEqual(target.subarray(5, 75), reference(source, mask, 0));
});

test('maskRange masks only data[from..to) with the phase starting at from', async () => {
  const { maskRange } = await import('../../dist/esm/core/mask.js');
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  for (let from = 0; from < 9; from++) {
    for (let len = 0; len < 90; len += 7) {
      for (let phase = 0; phase < 4; phase++) {
        const buf = filled(from + len + 5, from + len);
        const before = Buffer.from(buf);
        maskRange(buf, from, from + len, mask, phase);
        assert.deepEqual(buf.subarray(0, from), before.subarray(0, from));
        assert.deepEqual(buf.subarray(from, from + len), reference(before.subarray(from, from + len), mask, phase));
        assert.deepEqual(buf.subarray(from + len), before.subarray(from + len));
      }
    }
  }
});

test('randomMask reuses one 4-byte buffer and its keys vary', async () => {
  const { randomMask } = await import('../../dist/esm/core/mask-source.js');
  const seen = new Set();
  let first = null;
  for (let i = 0; i < 5000; i++) {
    const m = randomMask();
    assert.equal(m.length, 4);
    first ??= m;
    assert.equal(m, first);
    seen.add(m.readUInt32BE(0));
  }
  assert.ok(seen.size > 4900, `only ${seen.size} distinct keys`);
});

test('randomMask refills its pool in place: no buffer is allocated after the first call', async () => {
  const { randomMask } = await import('../../dist/esm/core/mask-source.js');
  randomMask();
  const made = [];
  const { allocUnsafe, allocUnsafeSlow, alloc } = Buffer;
  Buffer.allocUnsafe = (size) => { made.push(size); return allocUnsafe(size); };
  Buffer.allocUnsafeSlow = (size) => { made.push(size); return allocUnsafeSlow(size); };
  Buffer.alloc = (size, fill) => { made.push(size); return alloc(size, fill); };
  try {
    // Three refills of the 8 KiB pool (2,048 keys each).
    for (let i = 0; i < 3 * 2048 + 10; i++) randomMask();
  } finally {
    Object.assign(Buffer, { allocUnsafe, allocUnsafeSlow, alloc });
  }
  assert.deepEqual(made, []);
});

test('copyMasked: one-pass and fallback paths match the reference at every alignment', () => {
  const mask = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
  for (const length of [0, 5, 63, 64, 65, 1000, 70001]) {
    for (let s = 0; s < 4; s++) {
      for (let t = 0; t < 4; t++) {
        const source = filled(length + 4, length + s).subarray(s, s + length);
        const before = Buffer.from(source);
        const target = Buffer.alloc(length + 12, 0x77);
        copyMasked(source, target, t + 3, mask);
        assert.deepEqual(source, before, 'source untouched');
        assert.deepEqual(target.subarray(t + 3, t + 3 + length), reference(source, mask, 0), `length ${length}, s ${s}, t ${t}`);
        assert.ok(target.subarray(0, t + 3).every((b) => b === 0x77));
        assert.ok(target.subarray(t + 3 + length).every((b) => b === 0x77));
      }
    }
  }
});

test('encodeFrame of a large masked payload: header, mask and payload are right whatever its alignment', async () => {
  const { encodeFrame } = await import('../../dist/esm/core/frame-serializer.js');
  const mask = Buffer.from([1, 2, 3, 4]);
  for (let s = 0; s < 4; s++) {
    const payload = filled(100000 + 4, s).subarray(s, s + 100000);
    let frame = null;
    encodeFrame({ write(head, tail) { frame = tail ?? head; } }, 2, true, false, payload, mask);
    assert.equal(frame.length, 14 + payload.length);
    assert.equal(frame[0], 0x82);
    assert.equal(frame[1], 0xff);
    assert.equal(Number(frame.readBigUInt64BE(2)), payload.length);
    assert.deepEqual(frame.subarray(10, 14), mask);
    assert.deepEqual(frame.subarray(14), reference(payload, mask, 0));
  }
});

test('encodeFrame of small masked payloads (0-200 bytes) matches the reference', async () => {
  const { encodeFrame } = await import('../../dist/esm/core/frame-serializer.js');
  const mask = Buffer.from([0x5a, 0xa5, 0x0f, 0xf0]);
  for (let length = 0; length <= 200; length++) {
    const payload = filled(length + 1, length).subarray(1);
    const before = Buffer.from(payload);
    let frame = null;
    encodeFrame({ write(head, tail) { frame = tail ?? head; } }, 1, true, false, payload, mask);
    const headerSize = length < 126 ? 6 : 8;
    assert.equal(frame.length, headerSize + length);
    assert.equal(frame[0], 0x81);
    assert.deepEqual(frame.subarray(headerSize - 4, headerSize), mask);
    assert.deepEqual(frame.subarray(headerSize), reference(payload, mask, 0), `length ${length}`);
    assert.deepEqual(payload, before, 'caller payload untouched');
  }
});
