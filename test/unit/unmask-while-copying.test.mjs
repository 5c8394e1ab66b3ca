// A server reassembling a large masked binary frame that arrives in several
// reads holds the reads masked and unmasks them while copying them together
// (FrameParser's onMaskedFramePayload -> MessageBuffer.pushMasked ->
// copyMaskedWithKey), instead of unmasking in place and copying after; a
// small read in between makes it copy early. Checked with the native masker
// on and off: copyMaskedWithKey against a byte-wise reference at every phase,
// alignment and length around the thresholds; pushMasked, mixed with plain
// pushes, against plain pushes (property); and whole connections against the
// sent bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { copyMaskedWithKey } from '../../dist/esm/core/mask.js';
import { NATIVE_COPY_THRESHOLD, setNativeMasker } from '../../dist/esm/core/mask-native.js';
import { MessageBuffer } from '../../dist/esm/core/message-buffer.js';
import { makeConnection } from './connection-harness.mjs';
import { frame } from './frame-builder.mjs';
import { cut, randomBytes } from './split-payloads.mjs';
import { maskedByKey, unpackKey } from './mask-reference.mjs';

const require = createRequire(import.meta.url);
const bufferutil = require('bufferutil');
const MODES = [['native masker', bufferutil], ['built-in masking', null]];

const keyOf = (seed) => randomBytes(4, seed * 7 + 3).readUInt32BE(0);

function withMasker(masker, run) {
  setNativeMasker(masker);
  try {
    run();
  } finally {
    setNativeMasker(null);
  }
}

for (const [mode, masker] of MODES) {
  test(`copyMaskedWithKey equals the reference at every phase, alignment and length (${mode})`, () => {
    withMasker(masker, () => {
      const lengths = [];
      for (let n = 0; n <= 80; n++) lengths.push(n);
      for (const n of [NATIVE_COPY_THRESHOLD - 1, NATIVE_COPY_THRESHOLD, 511, 512, 513, 4096, 65536, 70001]) lengths.push(n);
      for (const length of lengths) {
        const key = keyOf(length + 1);
        for (let from = 0; from < 8; from++) {
          for (let phase = 0; phase < 4; phase++) {
            const source = randomBytes(length + 16, length * 31 + from);
            const before = Buffer.from(source);
            const to = (from * 5 + phase) & 7;
            const target = randomBytes(length + 16, length + 7);
            const expected = Buffer.from(target);
            maskedByKey(source.subarray(from, from + length), key, phase).copy(expected, to);
            copyMaskedWithKey(source.subarray(from, from + length), target, to, key, phase);
            if (!target.equals(expected)) assert.fail(`length ${length}, from ${from}, to ${to}, phase ${phase}`);
            if (!source.equals(before)) assert.fail(`the source changed: length ${length}`);
          }
        }
      }
    });
  });

  test(`MessageBuffer.pushMasked, alone or mixed with push(), gives the sent bytes (property, ${mode})`, () => {
    withMasker(masker, () => {
      fc.assert(fc.property(
        fc.array(fc.record({
          len: fc.integer({ min: 0, max: 70000 }),
          cuts: fc.array(fc.integer({ min: 1, max: 30000 }), { minLength: 1, maxLength: 4 }),
          key: fc.integer({ min: 0, max: 0xffffffff }),
          plain: fc.boolean(),
        }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (frames, shift) => {
          const fused = new MessageBuffer();
          const expected = [];
          frames.forEach((f, i) => {
            const bytes = randomBytes(f.len, i + 11);
            expected.push(bytes);
            fused.expectFrame(f.len);
            let done = 0;
            for (const masked of cut(maskedByKey(bytes, f.key, 0), f.cuts, shift)) {
              const phase = done & 3;
              const source = Buffer.from(masked);
              // Some parts come unmasked through push(), as after a Connection declined pushMasked.
              const plainPush = f.plain && done > 0;
              if (plainPush || !fused.pushMasked(masked, 0, masked.length, f.key, phase)) {
                assert.ok(masked.equals(source), 'a declined part is left as it was');
                fused.push(maskedByKey(masked, f.key, phase));
              } else {
                assert.ok(masked.equals(source), 'a held part is not unmasked in place');
              }
              done += masked.length;
            }
          });
          const all = Buffer.concat(expected);
          assert.equal(fused.length, all.length);
          assert.ok(fused.take().equals(all));
        },
      ), { numRuns: 150 });
    });
  });

  test(`a server gets split masked frames whole: lengths, reads, alignments, fragments (${mode})`, () => {
    withMasker(masker, () => {
      for (const length of [16383, 16384, 16385, 65535, 65536, 70000, 3 * 1024 * 1024 + 5]) {
        const payload = randomBytes(length, length);
        const wire = frame({ opcode: 2, payload, mask: unpackKey(keyOf(length)) });
        const readSizes = length > 100000 ? [[65536], [65535, 1, 131075]] : [[1000], [4096, 7], [3, 65536], [length >> 1]];
        for (const sizes of readSizes) {
          for (const shift of [0, 1, 2, 3]) {
            const h = makeConnection('server', { maxPayload: 8 * 1024 * 1024 });
            for (const chunk of cut(wire, sizes, shift)) h.connection.receive(chunk);
            assert.equal(h.messages.length, 1, `length ${length}, reads ${sizes}, shift ${shift}`);
            assert.ok(h.messages[0].data.equals(payload), `length ${length}, reads ${sizes}, shift ${shift}`);
          }
        }
      }
      const parts = [randomBytes(40000, 1), randomBytes(17, 2), randomBytes(70000, 3)];
      const wire = Buffer.concat([
        frame({ opcode: 2, fin: false, payload: parts[0], mask: unpackKey(keyOf(1)) }),
        frame({ opcode: 9, payload: Buffer.from('p'), mask: unpackKey(keyOf(2)) }),
        frame({ opcode: 0, fin: false, payload: parts[1], mask: unpackKey(keyOf(3)) }),
        frame({ opcode: 0, fin: true, payload: parts[2], mask: unpackKey(keyOf(4)) }),
      ]);
      for (const sizes of [[1000], [8191, 3]]) {
        const h = makeConnection('server', { maxPayload: 8 * 1024 * 1024 });
        for (const chunk of cut(wire, sizes, 1)) h.connection.receive(chunk);
        assert.equal(h.messages.length, 1);
        assert.ok(h.messages[0].data.equals(Buffer.concat(parts)));
        assert.ok(h.log.includes('ping:p'));
      }
    });
  });

  test(`a split large text frame is validated as it arrives: whole when valid, 1007 when not (${mode})`, () => {
    withMasker(masker, () => {
      const text = 'é€😀a'.repeat(5000);
      const payload = Buffer.from(text);
      for (const sizes of [[1000], [7, 65536], [4099]]) {
        const h = makeConnection('server', {});
        for (const chunk of cut(frame({ opcode: 1, payload, mask: unpackKey(keyOf(8)) }), sizes, 2)) h.connection.receive(chunk);
        assert.equal(h.messages.length, 1);
        assert.equal(h.messages[0].data.toString(), text);
      }
      for (const at of [100, 30000, payload.length - 1]) {
        const bad = Buffer.from(payload);
        bad[at] = 0xff;
        const h = makeConnection('server', {});
        for (const chunk of cut(frame({ opcode: 1, payload: bad, mask: unpackKey(keyOf(9)) }), [4096])) h.connection.receive(chunk);
        assert.equal(h.messages.length, 0, `invalid byte at ${at}`);
        assert.ok(h.log.some((line) => line.startsWith('failure:1007')), `invalid byte at ${at}`);
      }
    });
  });
}
