// Rows of the close table where something goes wrong: TCP ends or resets
// with no Close, the peer breaks the protocol, or the peer's Close itself is
// invalid. socketeer must send one Close with the failure code, read nothing
// after the offending frame, tear TCP down in the right order, report the
// code it sent (wasClean false), and never throw an unhandled 'error'.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectClose } from '../helpers/close-watch.mjs';
import { expectNoEvent } from '../helpers/once.mjs';
import { OP, closeBody, frame } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';

const LONG_TIMEOUT = 4000;
const SHORT_TIMEOUT = 300;
const EARLY_SLACK = 15;
const LATE_BOUND = 2000;
const QUIET_WINDOW = 150;
const MAX_PAYLOAD = 64;

/** Bytes the raw peer writes; `peerRole` decides masking like a real peer would. */
const violations = [
  { name: 'reserved data opcode 0x3', code: 1002, bytes: (m) => frame(0x3, 'x', { mask: m }) },
  { name: 'reserved control opcode 0xB', code: 1002, bytes: (m) => frame(0xb, '', { mask: m }) },
  { name: 'RSV1 set with no extension', code: 1002, bytes: (m) => frame(OP.text, 'x', { rsv: 4, mask: m }) },
  { name: 'RSV3 set with no extension', code: 1002, bytes: (m) => frame(OP.binary, 'x', { rsv: 1, mask: m }) },
  { name: 'a ping over 125 bytes', code: 1002, bytes: (m) => frame(OP.ping, Buffer.alloc(126), { mask: m }) },
  { name: 'a fragmented ping', code: 1002, bytes: (m) => frame(OP.ping, 'p', { fin: false, mask: m }) },
  { name: 'a fragmented Close', code: 1002, bytes: (m) => frame(OP.close, closeBody(1000), { fin: false, mask: m }) },
  { name: 'a continuation with no message started', code: 1002, bytes: (m) => frame(OP.cont, 'x', { mask: m }) },
  {
    name: 'a new text frame inside a fragmented message',
    code: 1002,
    bytes: (m) => Buffer.concat([frame(OP.text, 'a', { fin: false, mask: m }), frame(OP.text, 'b', { mask: m })]),
  },
  { name: 'invalid UTF-8 in a text frame', code: 1007, bytes: (m) => frame(OP.text, Buffer.from([0x61, 0xff, 0x62]), { mask: m }) },
  {
    // Fails on the first fragment: the message is never finished.
    name: 'invalid UTF-8 in the first fragment of a text message',
    code: 1007,
    bytes: (m) => frame(OP.text, Buffer.from([0xc0, 0x80]), { fin: false, mask: m }),
  },
  {
    name: 'a surrogate code point split across fragments',
    code: 1007,
    bytes: (m) => Buffer.concat([frame(OP.text, Buffer.from([0xed]), { fin: false, mask: m }), frame(OP.cont, Buffer.from([0xa0, 0x80]), { fin: false, mask: m })]),
  },
  { name: `a message over maxPayload (${MAX_PAYLOAD})`, code: 1009, bytes: (m) => frame(OP.binary, Buffer.alloc(MAX_PAYLOAD + 1), { mask: m }) },
  {
    name: 'fragments adding up to more than maxPayload',
    code: 1009,
    bytes: (m) => Buffer.concat([frame(OP.binary, Buffer.alloc(40), { fin: false, mask: m }), frame(OP.cont, Buffer.alloc(40), { mask: m })]),
  },
  { name: 'a Close with a 1-byte body', code: 1002, bytes: (m) => frame(OP.close, Buffer.from([0x03]), { mask: m }) },
  ...[0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535].map((c) => ({
    name: `a Close with the invalid code ${c}`,
    code: 1002,
    bytes: (m) => frame(OP.close, closeBody(c, 'r'), { mask: m }),
  })),
  { name: 'a Close whose reason is not UTF-8', code: 1007, bytes: (m) => frame(OP.close, closeBody(1000, Buffer.from([0xce, 0xbb, 0xff])), { mask: m }) },
  {
    name: 'a Close whose reason is a truncated UTF-8 sequence',
    code: 1007,
    bytes: (m) => frame(OP.close, closeBody(4000, Buffer.from([0x61, 0xe2, 0x82])), { mask: m }),
  },
];

/** Tear down the way each role should after socketeer failed the connection. */
async function finishFailure(t, role) {
  if (role === 'server') {
    await t.peer.waitPeerEnd(LATE_BOUND);
    assert.equal(t.peer.frames.length, 1, 'only the Close, then FIN');
    t.peer.end();
  } else {
    await expectNoEvent(t.peer, 'peer-end', QUIET_WINDOW);
    t.peer.end();
    await t.peer.waitPeerEnd(LATE_BOUND);
  }
}

for (const role of ['server', 'client']) {
  const peerMasks = role === 'server';

  describe(`socketeer ${role}: protocol violations by the peer fail the connection`, () => {
    for (const v of violations) {
      test(`${v.name}: Close ${v.code}, nothing read after it, close event ${v.code}`, async () => {
        const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT, maxPayload: MAX_PAYLOAD });
        try {
          // No 'error' listener: the failure must be reported by the close event alone.
          t.peer.send(OP.text, 'before');
          t.peer.write(Buffer.concat([v.bytes(peerMasks), frame(OP.text, 'after', { mask: peerMasks })]));
          const answer = await t.peer.nextFrame();
          assert.equal(answer.opcode, OP.close, 'the first frame socketeer sends is a Close');
          assert.equal(answer.code, v.code, `Close code (reason: ${answer.reason})`);
          assert.ok(Buffer.byteLength(answer.reason) <= 123);
          assert.equal(t.ws.readyState, 2, 'CLOSING after failing');
          // The peer's answer is input after the failure: it must not be read either.
          t.peer.sendClose(1000, 'late answer');
          await finishFailure(t, role);
          await expectClose(t.ws, t.rec, { code: v.code, reason: answer.reason, wasClean: false });
          assert.deepEqual(t.rec.messages, [{ data: 'before', isBinary: false }], 'nothing after the offending frame is delivered');
          assert.equal(t.peer.closeFrames.length, 1, 'exactly one Close from socketeer');
        } finally {
          await t.dispose();
        }
      });
    }

    test(`${role === 'server' ? 'an unmasked client frame' : 'a masked server frame'}: Close 1002`, async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.peer.write(frame(OP.text, 'wrong mask', { mask: !peerMasks }));
        const answer = await t.peer.nextFrame();
        assert.equal(answer.code, 1002);
        await finishFailure(t, role);
        await expectClose(t.ws, t.rec, { code: 1002, reason: answer.reason, wasClean: false });
        assert.deepEqual(t.rec.messages, []);
      } finally {
        await t.dispose();
      }
    });

    test("with an 'error' listener: one error with a stable code and the close code", async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const errors = [];
        t.ws.on('error', (error) => errors.push(error));
        const whatwgErrors = [];
        t.ws.addEventListener('error', (event) => whatwgErrors.push(event.type));
        t.peer.write(frame(OP.text, Buffer.from([0xff]), { mask: peerMasks }));
        const answer = await t.peer.nextFrame();
        assert.equal(answer.code, 1007);
        await finishFailure(t, role);
        await expectClose(t.ws, t.rec, { code: 1007, reason: answer.reason, wasClean: false });
        assert.equal(errors.length, 1, 'exactly one error event');
        assert.equal(errors[0].code, 'WS_ERR_INVALID_UTF8');
        assert.equal(errors[0].closeCode, 1007);
        assert.equal(whatwgErrors.length, 1, 'one WHATWG error event');
      } finally {
        await t.dispose();
      }
    });

    if (role === 'client') {
      test('client: after failing, a server that never ends TCP is cut off after closeTimeout', async () => {
        const t = await ROLES.client({ closeTimeout: SHORT_TIMEOUT });
        try {
          const start = performance.now();
          t.peer.write(frame(0x3, ''));
          await t.peer.nextFrame();
          await t.peer.waitPeerEnd(LATE_BOUND);
          const finAfter = t.peer.gotEndAt - start;
          assert.ok(finAfter >= SHORT_TIMEOUT - EARLY_SLACK, `client ended TCP ${finAfter} ms after failing`);
          await expectClose(t.ws, t.rec, { code: 1002, reason: t.peer.closeFrames[0].reason, wasClean: false });
        } finally {
          await t.dispose();
        }
      });
    }
  });

  describe(`socketeer ${role}: TCP ends or resets with no Close exchanged`, () => {
    test('peer ends TCP (FIN) while OPEN: nothing sent, 1006, not clean', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.peer.end();
        await t.peer.waitPeerEnd(LATE_BOUND);
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        assert.deepEqual(t.peer.frames, [], 'no Close frame is sent to a peer that left');
      } finally {
        await t.dispose();
      }
    });

    test('peer ends TCP in the middle of a frame: 1006, the partial message is not delivered', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const whole = frame(OP.text, 'partial message', { mask: peerMasks });
        t.peer.write(whole.subarray(0, whole.length - 3));
        t.peer.end();
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        assert.deepEqual(t.rec.messages, []);
      } finally {
        await t.dispose();
      }
    });

    test('peer resets TCP while OPEN: 1006, not clean', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.peer.send(OP.text, 'one');
        t.peer.reset();
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
      } finally {
        await t.dispose();
      }
    });

    test('peer ends TCP after our Close without answering: 1006, not clean, before closeTimeout', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const start = performance.now();
        t.ws.close(role === 'server' ? 1001 : 1000);
        await t.peer.nextFrame();
        t.peer.end();
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        assert.ok(t.rec.at - start < LONG_TIMEOUT / 2, 'did not wait for closeTimeout');
        assert.equal(t.peer.closeFrames.length, 1);
      } finally {
        await t.dispose();
      }
    });

    test('peer resets TCP after our Close without answering: 1006, not clean', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.ws.close(4000);
        await t.peer.nextFrame();
        t.peer.reset();
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
      } finally {
        await t.dispose();
      }
    });
  });
}
