import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameParser } from '../../dist/esm/core/frame-parser.js';
import { frame, chunkings, MASK } from './frame-builder.mjs';

function recorder() {
  const events = [];
  let current = null;
  const handler = {
    onFrameHeader(fin, rsv, opcode, masked, length) {
      current = { fin, rsv, opcode, masked, length, payload: [] };
    },
    onFramePayload(data) {
      current.payload.push(Buffer.from(data));
    },
    onFrameEnd() {
      events.push({ ...current, payload: Buffer.concat(current.payload) });
    },
    onInvalidLength() {
      events.push('invalid-length');
    },
  };
  return { events, handler };
}

function parseAll(chunks) {
  const { events, handler } = recorder();
  const parser = new FrameParser(handler);
  for (const c of chunks) parser.push(Buffer.from(c));
  return events;
}

const payloadOf = (n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));

for (const size of [0, 1, 125, 126, 127, 65535, 65536]) {
  test(`a ${size}-byte frame parses the same under every chunking`, () => {
    const payload = payloadOf(size);
    for (const masked of [false, true]) {
      const bytes = frame({ opcode: 2, payload, mask: masked ? MASK : null });
      const cuts = size > 300 ? [[bytes], [bytes.subarray(0, 1), bytes.subarray(1)], [bytes.subarray(0, 5), bytes.subarray(5, 4000), bytes.subarray(4000)]] : chunkings(bytes);
      for (const chunks of cuts) {
        const events = parseAll(chunks);
        assert.equal(events.length, 1);
        assert.equal(events[0].length, size);
        assert.equal(events[0].masked, masked);
        assert.ok(events[0].payload.equals(payload), `payload intact (masked=${masked}, ${chunks.length} chunks)`);
      }
    }
  });
}

test('many frames in one chunk are all seen, in order', () => {
  const frames = [];
  for (let i = 0; i < 50; i++) frames.push(frame({ opcode: i % 2 ? 1 : 2, payload: payloadOf(i * 3), mask: MASK }));
  const events = parseAll([Buffer.concat(frames)]);
  assert.equal(events.length, 50);
  events.forEach((e, i) => assert.equal(e.length, i * 3));
});

test('a Close frame behind a partial data message is seen', () => {
  const bytes = Buffer.concat([
    frame({ fin: false, opcode: 1, payload: 'hel', mask: MASK }),
    frame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]), mask: MASK }),
  ]);
  for (const chunks of chunkings(bytes)) {
    const events = parseAll(chunks);
    assert.deepEqual(events.map((e) => e.opcode), [1, 8]);
    assert.equal(events[1].payload.readUInt16BE(0), 1000);
  }
});

test('a 64-bit length with the top bit set is refused without reading on', () => {
  const bytes = Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
  const events = parseAll([bytes]);
  assert.deepEqual(events, ['invalid-length']);
});

test('a huge declared length is reported before any payload byte arrives', () => {
  const { handler } = recorder();
  let declared = -1;
  handler.onFrameHeader = (fin, rsv, opcode, masked, length) => {
    declared = length;
  };
  const parser = new FrameParser(handler);
  parser.push(Buffer.from([0x82, 0x7f, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  assert.equal(declared, 2 ** 53 - 1);
});

test('reserved bits and opcodes are reported as they are', () => {
  const events = parseAll([frame({ opcode: 0xb, rsv: 5, payload: 'x' })]);
  assert.equal(events[0].opcode, 0xb);
  assert.equal(events[0].rsv, 5);
});

test('pause holds bytes back and resume replays them in order', () => {
  const { events, handler } = recorder();
  const parser = new FrameParser(handler);
  const originalEnd = handler.onFrameEnd;
  handler.onFrameEnd = () => {
    originalEnd();
    if (events.length === 1) parser.pause();
  };
  parser.push(Buffer.concat([frame({ opcode: 2, payload: 'a' }), frame({ opcode: 2, payload: 'b' })]));
  parser.push(frame({ opcode: 2, payload: 'c' }));
  assert.equal(events.length, 1);
  parser.resume();
  assert.deepEqual(events.map((e) => e.payload.toString()), ['a', 'b', 'c']);
});

test('stop discards everything after it', () => {
  const { events, handler } = recorder();
  const parser = new FrameParser(handler);
  handler.onFrameHeader = ((orig) => function (...args) {
    orig.apply(this, args);
    parser.stop();
  })(handler.onFrameHeader);
  parser.push(Buffer.concat([frame({ opcode: 2, payload: 'a' }), frame({ opcode: 2, payload: 'b' })]));
  assert.equal(events.length, 0);
  assert.equal(parser.stopped, true);
});
