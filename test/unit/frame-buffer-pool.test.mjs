// The pool of large masked frame buffers: size classes, reuse only after the
// sink's write callback, the caps on what it keeps, and frames from it that
// are byte-exact whatever the payload's length and alignment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  POOLED_FRAME_MAX,
  POOLED_FRAME_MIN,
  clearFramePool,
  frameClassSize,
  idleFrameBytes,
  releaseFrameBuffer,
  takeFrameBuffer,
} from '../../dist/esm/core/frame-buffer-pool.js';
import { encodeFrame } from '../../dist/esm/core/frame-serializer.js';
import { maskedByKey, packKey } from './mask-reference.mjs';

function filled(length, seed) {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 131 + seed * 17 + (i >> 8)) & 0xff;
  return b;
}

/** A sink that keeps every write and its callback, to be settled by the test. */
function holdingSink(releasesOnCallback = true) {
  const writes = [];
  return {
    releasesOnCallback,
    writes,
    write(head, tail, callback) {
      writes.push({ frame: tail === null ? head : Buffer.concat([head, tail]), callback });
    },
  };
}

function checkFrame(frame, payload, mask) {
  const length = payload.length;
  const headerSize = (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + 4;
  assert.equal(frame.length, headerSize + length);
  assert.equal(frame[0], 0x82);
  assert.equal(frame[1] & 0x80, 0x80, 'mask bit');
  assert.deepEqual(frame.subarray(headerSize - 4, headerSize), Buffer.from(mask));
  assert.ok(frame.subarray(headerSize).equals(maskedByKey(payload, packKey(mask), 0)), `payload of ${length} bytes`);
}

test('size classes: at least the size, at most a fifth wasted, stable and monotonic', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 * 1024 * 1024 }), (size) => {
      const c = frameClassSize(size);
      assert.ok(c >= size);
      assert.ok(c - size < c / 5 + 1, `class ${c} for ${size}`);
      assert.equal(frameClassSize(c), c);
      assert.ok(frameClassSize(size + 1) >= c);
    }),
  );
  assert.equal(frameClassSize(65536), 65536);
  assert.equal(frameClassSize(65536 + 17), 81920);
});

test('a released buffer is handed out again; one still taken never is', () => {
  clearFramePool();
  const a = takeFrameBuffer(70000);
  const b = takeFrameBuffer(70000);
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.length, frameClassSize(70000));
  releaseFrameBuffer(a);
  assert.equal(idleFrameBytes(), a.length);
  const c = takeFrameBuffer(69000);
  assert.equal(c, a, 'same class, reused');
  assert.equal(idleFrameBytes(), 0);
  const d = takeFrameBuffer(70000);
  assert.notEqual(d.buffer, b.buffer);
  assert.notEqual(d.buffer, c.buffer);
});

test('the pool keeps at most 8 idle buffers of a class and 4 MiB in all', () => {
  clearFramePool();
  const small = Array.from({ length: 12 }, () => takeFrameBuffer(20000));
  for (const buffer of small) releaseFrameBuffer(buffer);
  assert.equal(idleFrameBytes(), 8 * frameClassSize(20000));
  clearFramePool();
  const large = Array.from({ length: 6 }, () => takeFrameBuffer(POOLED_FRAME_MAX));
  for (const buffer of large) releaseFrameBuffer(buffer);
  assert.ok(idleFrameBytes() <= 4 * 1024 * 1024);
  assert.equal(idleFrameBytes() % frameClassSize(POOLED_FRAME_MAX), 0);
  assert.ok(idleFrameBytes() >= 4 * 1024 * 1024 - frameClassSize(POOLED_FRAME_MAX));
  clearFramePool();
});

test('encodeFrame: pooled frames are byte-exact for every alignment and size around the limits', () => {
  clearFramePool();
  const mask = Uint8Array.of(0x12, 0xf0, 0x5a, 0x81);
  const sizes = [16 * 1024 - 1, 16 * 1024, 65535, 65536, 65537, 100003, POOLED_FRAME_MAX - 17, POOLED_FRAME_MAX - 16, POOLED_FRAME_MAX];
  for (const size of sizes) {
    for (let s = 0; s < 4; s++) {
      const payload = filled(size + 4, size + s).subarray(s, s + size);
      const before = Buffer.from(payload);
      const sink = holdingSink();
      encodeFrame(sink, 2, true, false, payload, mask);
      encodeFrame(sink, 2, true, false, payload, mask);
      for (const { frame } of sink.writes) checkFrame(frame, payload, mask);
      assert.ok(payload.equals(before), 'caller payload untouched');
      for (const { callback } of sink.writes) callback?.();
    }
  }
  clearFramePool();
});

test('encodeFrame: a frame is reused only after its write callback, and the callback reaches the caller', () => {
  clearFramePool();
  const mask = Uint8Array.of(1, 2, 3, 4);
  const sink = holdingSink();
  const seen = [];
  const one = filled(65536, 1);
  const two = filled(65536, 2);
  encodeFrame(sink, 2, true, false, one, mask, (error) => seen.push(['one', error]));
  encodeFrame(sink, 2, true, false, two, mask, (error) => seen.push(['two', error]));
  const [first, second] = sink.writes;
  assert.notEqual(first.frame.buffer, second.frame.buffer, 'two frames in flight never share memory');
  const failure = new Error('socket gone');
  first.callback(failure);
  assert.deepEqual(seen, [['one', failure]]);
  const three = filled(65536, 3);
  encodeFrame(sink, 2, true, false, three, mask);
  assert.equal(sink.writes[2].frame.buffer, first.frame.buffer, 'reused after the callback');
  checkFrame(second.frame, two, mask);
  checkFrame(sink.writes[2].frame, three, mask);
  second.callback();
  assert.deepEqual(seen.at(-1), ['two', undefined]);
  clearFramePool();
});

test('encodeFrame: no pool for sinks that do not release on callback, unmasked frames, or frames above the limit', () => {
  clearFramePool();
  const mask = Uint8Array.of(9, 8, 7, 6);
  for (const [sink, payload, frameMask] of [
    [holdingSink(false), filled(65536, 4), mask],
    [holdingSink(true), filled(65536, 5), null],
    [holdingSink(true), filled(POOLED_FRAME_MAX, 6), mask],
  ]) {
    encodeFrame(sink, 2, true, false, payload, frameMask);
    assert.equal(sink.writes[0].callback, undefined, 'no wrapper when no callback was asked for');
  }
  assert.equal(idleFrameBytes(), 0);
});
