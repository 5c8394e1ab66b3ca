// Large frames split across reads are reassembled into one buffer allocated
// at the announced length (core/message-buffer.ts expectFrame). Whatever the
// chunking, alignment, length and fragmentation, the message must be the
// bytes that were sent, the same as the plain path gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageBuffer } from '../../dist/esm/core/message-buffer.js';
import { makeConnection } from './connection-harness.mjs';
import { frame } from './frame-builder.mjs';
import { cut, randomBytes } from './split-payloads.mjs';

function randomMask(seed) {
  const m = randomBytes(4, seed * 7 + 3);
  return [...m];
}

function receive(role, chunks, options = {}) {
  const h = makeConnection(role, { maxPayload: 8 * 1024 * 1024, ...options });
  for (const c of chunks) h.connection.receive(c);
  return h;
}

const LENGTHS = [0, 1, 125, 126, 4095, 16383, 16384, 16385, 65535, 65536, 65537, 70000];

test('every length and chunk size of a masked binary frame parses to the sent bytes', () => {
  for (const length of LENGTHS) {
    const payload = randomBytes(length, length + 1);
    const wire = frame({ opcode: 2, payload, mask: randomMask(length) });
    for (const sizes of [[wire.length], [1 << 16], [1000], [4096, 7], [3, 65536], [length >> 1 || 1]]) {
      for (const shift of [0, 1, 2, 3]) {
        const h = receive('server', cut(wire, sizes, shift));
        assert.equal(h.messages.length, 1, `length ${length}, sizes ${sizes}, shift ${shift}`);
        assert.ok(h.messages[0].data.equals(payload), `length ${length}, sizes ${sizes}, shift ${shift}`);
      }
    }
  }
});

test('a frame of a few MB in 64 KiB reads, and in uneven reads, on both roles', () => {
  const payload = randomBytes(3 * 1024 * 1024 + 5, 99);
  for (const [role, mask] of [['server', randomMask(5)], ['client', null]]) {
    const wire = frame({ opcode: 2, payload, mask });
    for (const sizes of [[65536], [65535, 1, 131072 + 3], [wire.length]]) {
      const h = receive(role, cut(wire, sizes, 1));
      assert.equal(h.messages.length, 1);
      assert.ok(h.messages[0].data.equals(payload));
    }
  }
});

test('a fragmented message of large split frames, with pings between, is the frames in order', () => {
  const parts = [randomBytes(40000, 1), randomBytes(17, 2), randomBytes(70000, 3)];
  const wire = Buffer.concat([
    frame({ opcode: 2, fin: false, payload: parts[0], mask: randomMask(1) }),
    frame({ opcode: 9, payload: Buffer.from('p'), mask: randomMask(2) }),
    frame({ opcode: 0, fin: false, payload: parts[1], mask: randomMask(3) }),
    frame({ opcode: 0, fin: true, payload: parts[2], mask: randomMask(4) }),
    frame({ opcode: 2, payload: randomBytes(20000, 5), mask: randomMask(5) }),
  ]);
  for (const sizes of [[1000], [8191, 3], [wire.length]]) {
    const h = receive('server', cut(wire, sizes, 3));
    assert.equal(h.messages.length, 2);
    assert.ok(h.messages[0].data.equals(Buffer.concat(parts)));
    assert.ok(h.messages[1].data.equals(randomBytes(20000, 5)));
    assert.ok(h.log.includes('ping:p'));
  }
});

test('a split large text frame is validated as UTF-8 and delivered whole', () => {
  const text = 'é€😀a'.repeat(5000);
  const payload = Buffer.from(text);
  const wire = frame({ opcode: 1, payload, mask: randomMask(8) });
  for (const sizes of [[1], [1000], [7, 65536]]) {
    const h = receive('server', cut(wire, sizes, 2));
    assert.equal(h.messages.length, 1);
    assert.equal(h.messages[0].data.toString(), text);
  }
  const bad = Buffer.from(payload);
  bad[30000] = 0xff;
  const h = receive('server', cut(frame({ opcode: 1, payload: bad, mask: randomMask(9) }), [4096]));
  assert.equal(h.messages.length, 0);
  assert.ok(h.log.some((l) => l.startsWith('failure:1007')));
});

test('a frame over maxPayload fails with 1009 before its payload is buffered', () => {
  const wire = frame({ opcode: 2, payload: randomBytes(70000, 4), mask: randomMask(4) });
  const h = receive('server', cut(wire, [1000]), { maxPayload: 65536 });
  assert.equal(h.messages.length, 0);
  assert.ok(h.log.some((l) => l.startsWith('failure:1009')));
});

test('MessageBuffer: expectFrame reassembly gives the same bytes as plain pushes (property)', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ len: fc.integer({ min: 0, max: 70000 }), cuts: fc.array(fc.integer({ min: 1, max: 30000 }), { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 0, max: 3 }),
    (frames, shift) => {
      const plain = new MessageBuffer();
      const whole = new MessageBuffer();
      const expected = [];
      frames.forEach((f, i) => {
        const bytes = randomBytes(f.len, i + 11);
        expected.push(bytes);
        whole.expectFrame(f.len);
        for (const c of cut(bytes, f.cuts, shift)) {
          plain.push(c);
          whole.push(c);
        }
      });
      const all = Buffer.concat(expected);
      assert.equal(whole.length, all.length);
      assert.ok(plain.take().equals(all));
      assert.ok(whole.take().equals(all));
      assert.equal(whole.length, 0);
    },
  ), { numRuns: 200 });
});
