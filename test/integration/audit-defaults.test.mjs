// Audit (issue 2, issue 8: "every public limit has a documented default"):
// the exported defaults have the documented values, and the defaults are the
// ones actually applied when no option is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CLOSE_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_PAYLOAD,
} from '../../dist/esm/index.js';
import { ROLES } from '../helpers/raw-pairs.mjs';

const MiB = 1024 * 1024;

test('documented default values', () => {
  assert.equal(DEFAULT_MAX_PAYLOAD, 100 * MiB);
  assert.equal(DEFAULT_CLOSE_TIMEOUT, 30_000);
  assert.equal(DEFAULT_HIGH_WATER_MARK, 1 * MiB);
  assert.equal(DEFAULT_HANDSHAKE_TIMEOUT, 10_000);
});

for (const role of ['server', 'client']) {
  test(`socketeer ${role} without options: a frame announcing 100 MiB + 1 is refused with 1009 from its header`, async () => {
    const t = await ROLES[role]();
    try {
      const len = 100 * MiB + 1;
      const head = Buffer.from([0x82, (role === 'server' ? 0x80 : 0) | 127, 0, 0, 0, 0, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
      t.peer.write(role === 'server' ? Buffer.concat([head, Buffer.from([1, 2, 3, 4])]) : head);
      // The default closeTimeout (30 s) would hold `closed`: read the Close socketeer sends.
      const answer = await t.peer.nextFrame(5000);
      assert.equal(answer.opcode, 0x8);
      assert.equal(answer.payload.readUInt16BE(0), 1009);
    } finally {
      await t.dispose();
    }
  });

  test(`socketeer ${role} without options: send() turns false exactly past 1 MiB buffered`, async () => {
    const t = await ROLES[role]();
    try {
      t.peer.socket.pause();
      const chunk = Buffer.alloc(64 * 1024);
      let before = 0;
      let sends = 0;
      while (t.ws.send(chunk)) {
        before = t.ws.bufferedAmount;
        assert.ok(++sends < 2000, 'send() never returned false');
      }
      assert.ok(before <= MiB, `true while ${before} bytes were buffered`);
      assert.ok(t.ws.bufferedAmount > MiB, `false with ${t.ws.bufferedAmount} bytes buffered`);
    } finally {
      await t.dispose();
    }
  });
}
