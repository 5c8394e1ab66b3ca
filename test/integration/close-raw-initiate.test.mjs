// socketeer starts the closing handshake; a raw peer checks the wire: what is
// written before and after the Close frame, its exact bytes, who ends TCP
// first, and what closeTimeout does when the peer does not cooperate.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectClose } from '../helpers/close-watch.mjs';
import { OP } from '../helpers/raw-peer.mjs';
import { expectNoEvent } from '../helpers/once.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';

// Wide enough to tell "at once" from "after the timer" on a loaded CI machine.
const LONG_TIMEOUT = 4000;
const SHORT_TIMEOUT = 300;
// Timers never fire early, but the two clocks compared here are read in
// different callbacks; allow a little slack below the bound.
const EARLY_SLACK = 15;
const LATE_BOUND = 2000;

/** Unmasked Close payload bytes as a client or server frame would carry them. */
function expectCloseBytes(frame, role, payload) {
  assert.equal(frame.opcode, OP.close);
  assert.equal(frame.fin, true);
  assert.equal(frame.rsv, 0);
  assert.equal(frame.masked, role === 'client', role === 'client' ? 'a client masks its Close' : 'a server does not mask');
  assert.deepEqual(frame.payload, payload);
  const head = Buffer.from([0x88, (role === 'client' ? 0x80 : 0) | payload.length]);
  assert.deepEqual(frame.raw.subarray(0, 2), head, 'Close frame header bytes');
  assert.equal(frame.raw.length, 2 + (role === 'client' ? 4 : 0) + payload.length, 'nothing but header, mask and payload');
}

/**
 * The raw peer keeps its half of TCP open (allowHalfOpen), so it never sees
 * 'close' from a FIN alone. Once socketeer has destroyed its socket, the
 * kernel answers a write with an RST and the next write fails (EPIPE), which
 * closes the raw socket; a socket merely half-closed would keep reading.
 */
async function expectDestroyed(peer) {
  const probe = setInterval(() => {
    if (!peer.socket.destroyed) peer.socket.write(Buffer.from([0x89, 0x80, 0, 0, 0, 0]));
  }, 20);
  try {
    await peer.waitClosed(LATE_BOUND);
  } finally {
    clearInterval(probe);
  }
}

const body = (code, reason = '') => {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
};

for (const role of ['server', 'client']) {
  describe(`socketeer ${role} calls close() first (raw peer)`, () => {
    const code = role === 'server' ? 1001 : 4000;

    test('data queued before close() is written first, then one Close, then nothing', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const big = Buffer.alloc(256 * 1024, 7);
        t.ws.send('one');
        t.ws.send(big);
        t.ws.send('three', { fin: false });
        t.ws.send('four');
        t.ws.close(code, 'bye');
        let afterError = null;
        const returned = t.ws.send('after close', (error) => (afterError = error));
        t.ws.ping();
        const frames = await t.peer.untilClose();
        assert.deepEqual(
          frames.map((f) => [f.opcode, f.fin, f.payload.length]),
          [
            [OP.text, true, 3],
            [OP.binary, true, big.length],
            [OP.text, false, 5],
            [OP.cont, true, 4],
            [OP.close, true, 5],
          ],
        );
        assert.deepEqual(frames[1].payload, big);
        expectCloseBytes(frames[4], role, body(code, 'bye'));
        assert.equal(returned, false, 'send() after close() returns false');
        // Answer, then let the exchange finish; nothing may follow our Close.
        t.peer.sendClose(1000, 'ok');
        if (role === 'client') t.peer.end();
        else await t.peer.waitPeerEnd();
        t.peer.end();
        await expectClose(t.ws, t.rec, { code: 1000, reason: 'ok', wasClean: true });
        await t.peer.waitClosed();
        assert.equal(t.peer.frames.length, 5, 'no frame after the Close frame');
        assert.equal(afterError?.code, 'WS_ERR_NOT_OPEN', 'send() after close() calls back with WS_ERR_NOT_OPEN');
      } finally {
        await t.dispose();
      }
    });

    test('a Blob sent before close() (read asynchronously) still goes out before the Close', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const blob = new Blob([Buffer.alloc(70_000, 2)]);
        const callbacks = [];
        t.ws.send('a', (error) => callbacks.push(['a', error?.code]));
        t.ws.send(blob, (error) => callbacks.push(['blob', error?.code]));
        t.ws.send('c', (error) => callbacks.push(['c', error?.code]));
        t.ws.close(code, 'bye');
        const frames = await t.peer.untilClose();
        assert.deepEqual(
          frames.map((f) => [f.opcode, f.payload.length]),
          [
            [OP.text, 1],
            [OP.binary, 70_000],
            [OP.text, 1],
            [OP.close, 5],
          ],
          'everything sent before close() precedes the Close frame',
        );
        assert.deepEqual(callbacks, [['a', undefined], ['blob', undefined], ['c', undefined]]);
      } finally {
        await t.dispose();
      }
    });

    if (role === 'server') {
      test('server: after the peer answers, the server ends TCP at once (peer has not ended)', async () => {
        const t = await ROLES.server({ closeTimeout: LONG_TIMEOUT });
        try {
          t.ws.close(1001, 'going');
          await t.peer.untilClose();
          const answeredAt = performance.now();
          t.peer.sendClose(1000, 'ok');
          await t.peer.waitPeerEnd(LONG_TIMEOUT / 2);
          assert.ok(performance.now() - answeredAt < LONG_TIMEOUT / 2, 'ended well before closeTimeout');
          assert.deepEqual(t.peer.log, ['close-frame', 'peer-fin'], 'server FIN came without the client ending first');
          assert.equal(t.rec.emitter.length, 0, 'no close event while the client side of TCP is still open');
          t.peer.end();
          await expectClose(t.ws, t.rec, { code: 1000, reason: 'ok', wasClean: true });
        } finally {
          await t.dispose();
        }
      });

      test('server: a client that never ends TCP after the exchange is cut off after closeTimeout', async () => {
        const t = await ROLES.server({ closeTimeout: SHORT_TIMEOUT });
        try {
          // closeTimeout runs from our Close, not from the peer's answer.
          const start = performance.now();
          t.ws.close(1000);
          await t.peer.untilClose();
          t.peer.sendClose(1000);
          // The server half-closes at once; the raw peer keeps its side open
          // (allowHalfOpen), so only the server's timer can finish the connection.
          await t.peer.waitPeerEnd(LATE_BOUND);
          await expectClose(t.ws, t.rec, { code: 1000, wasClean: true });
          const elapsed = t.rec.at - start;
          assert.ok(elapsed >= SHORT_TIMEOUT - EARLY_SLACK && elapsed < LATE_BOUND, `closed ${elapsed} ms after close()`);
          await expectDestroyed(t.peer);
        } finally {
          await t.dispose();
        }
      });
    } else {
      test('client: after the exchange it waits for the server to end TCP', async () => {
        const t = await ROLES.client({ closeTimeout: LONG_TIMEOUT });
        try {
          t.ws.close(4000, 'bye');
          await t.peer.untilClose();
          t.peer.sendClose(4000, 'bye');
          // The client must not end TCP itself now. No event can prove that a FIN
          // will not come; on loopback one would arrive well within this window.
          await expectNoEvent(t.peer, 'peer-end', 150);
          assert.equal(t.peer.gotEnd, false, 'client did not end TCP before the server');
          assert.equal(t.rec.emitter.length, 0, 'no close event while TCP is still open');
          t.peer.end();
          await t.peer.waitPeerEnd();
          assert.deepEqual(t.peer.log.filter((e) => e.endsWith('fin')), ['our-fin', 'peer-fin'], 'server FIN first');
          await expectClose(t.ws, t.rec, { code: 4000, reason: 'bye', wasClean: true });
        } finally {
          await t.dispose();
        }
      });

      test('client: a server that never ends TCP is cut off after closeTimeout, still clean', async () => {
        const t = await ROLES.client({ closeTimeout: SHORT_TIMEOUT });
        try {
          // closeTimeout runs from our Close, not from the server's answer.
          const start = performance.now();
          t.ws.close(1000, 'done');
          await t.peer.untilClose();
          t.peer.sendClose(1000, 'done');
          await t.peer.waitPeerEnd(LATE_BOUND);
          const finAfter = t.peer.gotEndAt - start;
          assert.ok(finAfter >= SHORT_TIMEOUT - EARLY_SLACK && finAfter < LATE_BOUND, `client ended TCP ${finAfter} ms after close()`);
          await expectClose(t.ws, t.rec, { code: 1000, reason: 'done', wasClean: true });
        } finally {
          await t.dispose();
        }
      });
    }

    test('no Close from the peer within closeTimeout: TCP destroyed, 1006, not clean', async () => {
      const t = await ROLES[role]({ closeTimeout: SHORT_TIMEOUT });
      try {
        const start = performance.now();
        t.ws.close(code, 'bye');
        await t.peer.untilClose();
        // TCP stays open while socketeer waits for the answer, then it gives up.
        await t.peer.waitPeerEnd(LATE_BOUND);
        const finAfter = t.peer.gotEndAt - start;
        assert.ok(finAfter >= SHORT_TIMEOUT - EARLY_SLACK, `TCP ended ${finAfter} ms after close(), before closeTimeout`);
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        const elapsed = t.rec.at - start;
        assert.ok(elapsed >= SHORT_TIMEOUT - EARLY_SLACK && elapsed < LATE_BOUND, `close event after ${elapsed} ms`);
        await expectDestroyed(t.peer);
      } finally {
        await t.dispose();
      }
    });

    test('a peer that vanishes without FIN during the closing handshake: 1006 after closeTimeout', async () => {
      const t = await ROLES[role]({ closeTimeout: SHORT_TIMEOUT });
      try {
        // The peer stops reading and never writes again, as a host that dropped
        // off the network would (no FIN, no RST reaches us).
        t.peer.socket.pause();
        const start = performance.now();
        t.ws.close(code);
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        const elapsed = t.rec.at - start;
        assert.ok(elapsed >= SHORT_TIMEOUT - EARLY_SLACK && elapsed < LATE_BOUND, `close event after ${elapsed} ms`);
      } finally {
        await t.dispose();
      }
    });
  });
}
