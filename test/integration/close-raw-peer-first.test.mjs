// The raw peer starts the closing handshake (or both ends start it at once);
// the wire must show exactly one answering Close from socketeer with the
// peer's code and reason, and TCP must end in the order RFC 6455 §7 asks:
// the server at once, the client only after the server (or closeTimeout).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectClose } from '../helpers/close-watch.mjs';
import { expectNoEvent } from '../helpers/once.mjs';
import { OP, closeBody } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';

const LONG_TIMEOUT = 4000;
const SHORT_TIMEOUT = 300;
const EARLY_SLACK = 15;
const LATE_BOUND = 2000;
// Long enough on loopback for a FIN that was going to be sent to arrive.
const QUIET_WINDOW = 150;

function assertCloseFrame(frame, role, payload) {
  assert.equal(frame.opcode, OP.close);
  assert.equal(frame.fin, true);
  assert.equal(frame.rsv, 0);
  assert.equal(frame.masked, role === 'client', 'clients mask, servers do not');
  assert.deepEqual(frame.payload, payload, 'Close payload');
}

/** Finish the TCP side the way each role should, then check the close event. */
async function finishAndExpect(t, role, expected) {
  if (role === 'server') {
    await t.peer.waitPeerEnd(LATE_BOUND);
    t.peer.end();
  } else {
    await expectNoEvent(t.peer, 'peer-end', QUIET_WINDOW);
    t.peer.end();
    await t.peer.waitPeerEnd(LATE_BOUND);
  }
  await expectClose(t.ws, t.rec, expected);
}

for (const role of ['server', 'client']) {
  describe(`raw peer closes first, socketeer ${role} answers`, () => {
    const cases = [
      { name: 'code and reason', payload: closeBody(4321, 'see you'), code: 4321, reason: 'see you' },
      { name: 'code only', payload: closeBody(1000), code: 1000, reason: '' },
      { name: 'a reserved-for-application code 3000', payload: closeBody(3000, 'x'), code: 3000, reason: 'x' },
      { name: 'a wire-only code 1011', payload: closeBody(1011, 'oops'), code: 1011, reason: 'oops' },
      { name: 'a 123-byte UTF-8 reason', payload: closeBody(1000, 'é'.repeat(61) + 'a'), code: 1000, reason: 'é'.repeat(61) + 'a' },
      { name: 'no body (1005, answered with no body)', payload: Buffer.alloc(0), code: 1005, reason: '' },
    ];
    for (const c of cases) {
      test(`Close with ${c.name}: echoed once, clean, close event carries it`, async () => {
        const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
        try {
          t.peer.send(OP.close, c.payload);
          const answer = await t.peer.nextFrame();
          assertCloseFrame(answer, role, c.payload);
          await finishAndExpect(t, role, { code: c.code, reason: c.reason, wasClean: true });
          assert.equal(t.peer.closeFrames.length, 1, 'exactly one Close from socketeer');
          assert.equal(t.peer.frames.length, 1, 'nothing but the Close');
        } finally {
          await t.dispose();
        }
      });
    }

    test('data the peer sent before its Close is delivered; nothing is sent after the answer', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.peer.send(OP.text, 'last words');
        t.peer.sendClose(1000, 'bye');
        await t.peer.nextFrame();
        const stateAfterExchange = t.ws.readyState;
        let sendError = null;
        assert.equal(t.ws.send('too late', (error) => (sendError = error)), false);
        await finishAndExpect(t, role, { code: 1000, reason: 'bye', wasClean: true });
        assert.deepEqual(t.rec.messages, [{ data: 'last words', isBinary: false }]);
        assert.equal(t.peer.frames.length, 1, 'only the Close went out');
        assert.equal(sendError?.code, 'WS_ERR_NOT_OPEN');
        assert.equal(stateAfterExchange, 2, 'CLOSING once the Close was received and answered, while TCP is open');
      } finally {
        await t.dispose();
      }
    });

    test('frames the peer sends after its Close are ignored', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.peer.sendClose(1000);
        t.peer.send(OP.text, 'after close');
        t.peer.send(OP.ping, 'p');
        t.peer.sendClose(4000, 'second');
        await t.peer.nextFrame();
        await finishAndExpect(t, role, { code: 1000, wasClean: true });
        assert.deepEqual(t.rec.messages, [], 'no message after the Close');
        assert.equal(t.peer.frames.length, 1, 'no pong, no second Close');
      } finally {
        await t.dispose();
      }
    });

    if (role === 'server') {
      test('server ends TCP at once after answering, without waiting for the client', async () => {
        const t = await ROLES.server({ closeTimeout: LONG_TIMEOUT });
        try {
          const sentAt = performance.now();
          t.peer.sendClose(1000);
          await t.peer.waitPeerEnd(LONG_TIMEOUT / 2);
          assert.ok(t.peer.gotEndAt - sentAt < LONG_TIMEOUT / 2, 'FIN well before closeTimeout');
          assert.deepEqual(t.peer.log, ['close-frame', 'peer-fin'], 'Close, then FIN, with the client not ended');
          assert.equal(t.rec.emitter.length, 0, 'no close event while the client half is open');
          t.peer.end();
          await expectClose(t.ws, t.rec, { code: 1000, wasClean: true });
        } finally {
          await t.dispose();
        }
      });

      test('server: client never ends its half: destroyed after closeTimeout, still clean', async () => {
        const t = await ROLES.server({ closeTimeout: SHORT_TIMEOUT });
        try {
          const sentAt = performance.now();
          t.peer.sendClose(1000, 'x');
          await t.peer.nextFrame();
          await expectClose(t.ws, t.rec, { code: 1000, reason: 'x', wasClean: true });
          const elapsed = t.rec.at - sentAt;
          assert.ok(elapsed >= SHORT_TIMEOUT - EARLY_SLACK && elapsed < LATE_BOUND, `close event after ${elapsed} ms`);
        } finally {
          await t.dispose();
        }
      });
    } else {
      test('client: server never ends TCP: the client ends it after closeTimeout, still clean', async () => {
        const t = await ROLES.client({ closeTimeout: SHORT_TIMEOUT });
        try {
          const sentAt = performance.now();
          t.peer.sendClose(4000, 'y');
          await t.peer.nextFrame();
          await t.peer.waitPeerEnd(LATE_BOUND);
          const finAfter = t.peer.gotEndAt - sentAt;
          assert.ok(finAfter >= SHORT_TIMEOUT - EARLY_SLACK, `client FIN after ${finAfter} ms, before closeTimeout`);
          await expectClose(t.ws, t.rec, { code: 4000, reason: 'y', wasClean: true });
        } finally {
          await t.dispose();
        }
      });

      test('client: server resets TCP after the exchange: still clean (the Close was exchanged)', async () => {
        const t = await ROLES.client({ closeTimeout: LONG_TIMEOUT });
        try {
          t.peer.sendClose(1000);
          await t.peer.nextFrame();
          t.peer.reset();
          await expectClose(t.ws, t.rec, { code: 1000, wasClean: true });
        } finally {
          await t.dispose();
        }
      });
    }

    test('both send Close at once: no second Close from socketeer, clean with the peer code', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        // Written in the same tick: socketeer reads the peer's Close only after
        // its own close() has queued its Close frame.
        t.peer.sendClose(4002, 'from raw');
        const ours = role === 'server' ? 1001 : 4001;
        t.ws.close(ours, 'from socketeer');
        const first = await t.peer.nextFrame();
        assertCloseFrame(first, role, closeBody(ours, 'from socketeer'));
        await finishAndExpect(t, role, { code: 4002, reason: 'from raw', wasClean: true });
        assert.equal(t.peer.closeFrames.length, 1, 'exactly one Close from socketeer');
      } finally {
        await t.dispose();
      }
    });

    test('`closed` resolves even with every listener removed', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT }, { watch: false });
      try {
        t.ws.removeAllListeners();
        t.ws.onclose = null;
        t.peer.sendClose(3333, 'gone');
        await t.peer.nextFrame();
        if (role === 'server') await t.peer.waitPeerEnd(LATE_BOUND);
        t.peer.end();
        const info = await Promise.race([
          t.ws.closed,
          new Promise((_, reject) => setTimeout(() => reject(new Error('ws.closed did not resolve')), LATE_BOUND).unref()),
        ]);
        assert.deepEqual(info, { code: 3333, reason: 'gone', wasClean: true });
        assert.equal(t.ws.readyState, 3);
      } finally {
        await t.dispose();
      }
    });
  });
}
