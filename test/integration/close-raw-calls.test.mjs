// The close-related API calls, checked on the wire by a raw peer: close()
// while CONNECTING, CLOSING and CLOSED, terminate(), close() with no code,
// and close() arguments that must throw before anything is sent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from '../../dist/esm/index.js';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';
import { expectNoEvent, withTimeout } from '../helpers/once.mjs';
import { OP, closeBody, startRawServer } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';

const LONG_TIMEOUT = 4000;
const LATE_BOUND = 2000;
const QUIET_WINDOW = 150;

/** The peer answers and TCP ends in each role's order; resolves once both ends are done. */
async function answerAndFinish(t, role, code, reason) {
  t.peer.sendClose(code, reason);
  if (role === 'server') await t.peer.waitPeerEnd(LATE_BOUND);
  t.peer.end();
  if (role === 'client') await t.peer.waitPeerEnd(LATE_BOUND);
}

/** Proves nothing went out before: the next frame the peer sees is this message. */
async function expectNextIsMessage(t, text) {
  t.ws.send(text);
  const next = await t.peer.nextFrame();
  assert.deepEqual([next.opcode, String(next.payload)], [OP.text, text], 'no frame was sent before this message');
}

describe('close() while CONNECTING (client)', () => {
  test('before the server answers: handshake aborted, 1006, not clean, no open', async () => {
    const raw = await startRawServer({ answerHandshake: false });
    try {
      const ws = new WebSocket(raw.url, { closeTimeout: LONG_TIMEOUT });
      const rec = watchClose(ws);
      let opened = false;
      ws.on('open', () => (opened = true));
      const socket = await raw.accept();
      // TCP is up (the request may still be in flight); nobody will answer it.
      assert.equal(ws.readyState, 0);
      // The client's abort arrives as a FIN, or as an RST if it raced the connect.
      const ended = new Promise((resolve) => {
        socket.once('end', resolve);
        socket.once('close', resolve);
      });
      ws.close(1000, 'never mind');
      assert.ok(ws.readyState === 2 || ws.readyState === 3, `CLOSING or CLOSED after close() (got ${ws.readyState})`);
      await expectClose(ws, rec, { code: 1006, wasClean: false });
      await withTimeout(ended, LATE_BOUND, 'for the aborted connection to end');
      assert.equal(opened, false, 'no open event');
    } finally {
      await raw.close();
    }
  });

  test('right after the constructor (before TCP connects): 1006, no crash without an error listener', async () => {
    const raw = await startRawServer({ answerHandshake: false });
    try {
      const ws = new WebSocket(raw.url);
      const rec = watchClose(ws);
      ws.close();
      await expectClose(ws, rec, { code: 1006, wasClean: false });
    } finally {
      await raw.close();
    }
  });

  test('the close event comes after close() returns, as in browsers (a handler set just after still runs)', async () => {
    const raw = await startRawServer({ answerHandshake: false });
    try {
      const ws = new WebSocket(raw.url);
      await raw.accept();
      const events = [];
      ws.close();
      const stateAfterCall = ws.readyState;
      ws.onclose = (event) => events.push(['onclose', event.code, event.wasClean]);
      ws.on('close', (code) => events.push(['close', code]));
      const info = await withTimeout(ws.closed, LATE_BOUND, 'for ws.closed');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(info, { code: 1006, reason: '', wasClean: false });
      assert.deepEqual(events, [['onclose', 1006, false], ['close', 1006]], 'listeners added right after close() see the close event');
      assert.equal(stateAfterCall, 2, 'CLOSING right after close(), CLOSED only when the close event fires');
    } finally {
      await raw.close();
    }
  });

  test('terminate() while CONNECTING: 1006, not clean', async () => {
    const raw = await startRawServer({ answerHandshake: false });
    try {
      const ws = new WebSocket(raw.url);
      const rec = watchClose(ws);
      await raw.accept();
      ws.terminate();
      await expectClose(ws, rec, { code: 1006, wasClean: false });
    } finally {
      await raw.close();
    }
  });
});

for (const role of ['server', 'client']) {
  const code = role === 'server' ? 1001 : 4000;

  describe(`socketeer ${role}: close calls on the wire`, () => {
    test('close() with no code sends a Close frame with an empty body', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.ws.close();
        const f = await t.peer.nextFrame();
        assert.equal(f.opcode, OP.close);
        assert.equal(f.payload.length, 0, 'no body');
        const expectedRaw = role === 'client' ? 6 : 2;
        assert.equal(f.raw.length, expectedRaw, 'header (and mask key) only');
        assert.equal(f.raw[0], 0x88);
        await answerAndFinish(t, role);
        await expectClose(t.ws, t.rec, { code: 1005, wasClean: true });
      } finally {
        await t.dispose();
      }
    });

    test('close() while CLOSING and CLOSED sends nothing more', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        t.ws.close(code, 'first');
        t.ws.close(3002, 'second');
        t.ws.close();
        assert.equal(t.ws.readyState, 2);
        const f = await t.peer.nextFrame();
        assert.deepEqual(f.payload, closeBody(code, 'first'));
        await answerAndFinish(t, role, 3005, 'answer');
        await expectClose(t.ws, t.rec, { code: 3005, reason: 'answer', wasClean: true });
        t.ws.close(3003, 'after');
        t.ws.terminate();
        await expectNoEvent(t.ws, 'close', 50);
        assert.equal(t.peer.closeFrames.length, 1, 'one Close frame in all');
        assert.equal(t.rec.emitter.length, 1, 'one close event in all');
      } finally {
        await t.dispose();
      }
    });

    test('terminate() while OPEN: no Close frame, TCP gone at once, 1006', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const start = performance.now();
        t.ws.terminate();
        assert.equal(t.ws.readyState, 2, 'CLOSING until the socket is gone');
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        await t.peer.waitPeerEnd(LATE_BOUND);
        assert.ok(t.rec.at - start < LATE_BOUND, 'no timer involved');
        assert.deepEqual(t.peer.frames, [], 'nothing written');
      } finally {
        await t.dispose();
      }
    });

    test('terminate() while CLOSING: 1006 at once instead of waiting for the answer', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        const start = performance.now();
        t.ws.close(code);
        await t.peer.nextFrame();
        t.ws.terminate();
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        assert.ok(t.rec.at - start < LONG_TIMEOUT / 2, 'did not wait for closeTimeout');
      } finally {
        await t.dispose();
      }
    });

    const invalid = [
      [0, undefined, 'InvalidAccessError'],
      [999, undefined, 'InvalidAccessError'],
      [1004, undefined, 'InvalidAccessError'],
      [1005, undefined, 'InvalidAccessError'],
      [1006, undefined, 'InvalidAccessError'],
      [1015, undefined, 'InvalidAccessError'],
      [2999, undefined, 'InvalidAccessError'],
      [5000, undefined, 'InvalidAccessError'],
      [1000.5, undefined, 'InvalidAccessError'],
      [NaN, undefined, 'InvalidAccessError'],
      [1000, 'x'.repeat(124), 'SyntaxError'],
      [1000, 'é'.repeat(62), 'SyntaxError'],
    ];
    test('a Buffer reason (ws style) that is not UTF-8 throws SyntaxError and sends nothing', async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        // Sent as is, it would make the peer fail the connection with 1007.
        assert.throws(() => t.ws.close(code, Buffer.from([0x61, 0xff])), (error) => error instanceof DOMException && error.name === 'SyntaxError');
        assert.equal(t.ws.readyState, 1, 'still OPEN');
        await expectNextIsMessage(t, 'still open');
        t.ws.close(code, Buffer.from('ok'));
        assert.deepEqual((await t.peer.nextFrame()).payload, closeBody(code, 'ok'), 'a valid Buffer reason is sent as is');
      } finally {
        await t.dispose();
      }
    });

    test(`invalid close() arguments throw DOMExceptions and send nothing (${invalid.length} cases)`, async () => {
      const t = await ROLES[role]({ closeTimeout: LONG_TIMEOUT });
      try {
        for (const [c, reason, name] of invalid) {
          assert.throws(
            () => t.ws.close(c, reason),
            (error) => error instanceof DOMException && error.name === name && error.message.length > 0,
            `close(${c}, ${reason === undefined ? '' : `${Buffer.byteLength(reason)}-byte reason`}) throws ${name}`,
          );
          assert.equal(t.ws.readyState, 1, 'still OPEN');
        }
        await expectNextIsMessage(t, 'still open');
        // The longest valid reason is accepted.
        t.ws.close(code, 'é'.repeat(61) + 'a');
        const f = await t.peer.nextFrame();
        assert.deepEqual(f.payload, closeBody(code, 'é'.repeat(61) + 'a'));
        await answerAndFinish(t, role, code);
        await expectClose(t.ws, t.rec, { code, wasClean: true });
      } finally {
        await t.dispose();
      }
    });
  });
}
