// Close paths that race each other must still give exactly one Close frame
// on the wire and exactly one close event: the peer's answer arriving around
// closeTimeout, close() called from a message handler while the peer's Close
// sits in the same chunk, terminate() or close() from inside event handlers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectClose } from '../helpers/close-watch.mjs';
import { expectNoEvent } from '../helpers/once.mjs';
import { OP, closeBody, frame } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';

const LATE_BOUND = 2000;

/** Waits for the close event, ending the peer's side so either role can finish. */
async function finish(t) {
  t.peer.end();
  await t.rec.done;
  await expectNoEvent(t.ws, 'close', 30);
}

for (const role of ['server', 'client']) {
  const code = role === 'server' ? 1001 : 4000;
  const peerMasks = role === 'server';

  describe(`races (socketeer ${role})`, () => {
    test('the peer answers around closeTimeout: one close event, clean or 1006, never both', async () => {
      const closeTimeout = 60;
      for (const factor of [0.5, 0.8, 0.95, 1, 1.05, 1.2, 1.5]) {
        const t = await ROLES[role]({ closeTimeout });
        try {
          t.ws.close(code);
          await t.peer.nextFrame();
          await new Promise((resolve) => setTimeout(resolve, closeTimeout * factor));
          if (!t.peer.isClosed) t.peer.sendClose(1000, 'late');
          await finish(t);
          assert.equal(t.rec.emitter.length, 1, `one close event (answer at ${factor} × closeTimeout)`);
          const [event] = t.rec.emitter;
          assert.ok(event.code === 1000 || event.code === 1006, `code ${event.code}`);
          assert.equal(t.rec.listener[0].wasClean, event.code === 1000);
          assert.deepEqual(await t.ws.closed, { ...event, wasClean: event.code === 1000 });
          assert.equal(t.peer.closeFrames.length, 1, 'one Close frame');
        } finally {
          await t.dispose();
        }
      }
    });

    test("close() from a 'message' handler while the peer's Close is in the same chunk: one Close", async () => {
      const t = await ROLES[role]({ closeTimeout: LATE_BOUND });
      try {
        t.ws.on('message', () => t.ws.close(code, 'from handler'));
        t.peer.write(Buffer.concat([frame(OP.text, 'hi', { mask: peerMasks }), frame(OP.close, closeBody(3100, 'peer'), { mask: peerMasks })]));
        const first = await t.peer.nextFrame();
        assert.deepEqual(first.payload, closeBody(code, 'from handler'), 'our Close went out first');
        if (role === 'server') await t.peer.waitPeerEnd(LATE_BOUND);
        t.peer.end();
        await expectClose(t.ws, t.rec, { code: 3100, reason: 'peer', wasClean: true });
        assert.equal(t.peer.closeFrames.length, 1, 'the peer Close is not answered a second time');
      } finally {
        await t.dispose();
      }
    });

    test("terminate() from a 'message' handler with the peer's Close behind: no Close sent, not clean", async () => {
      const t = await ROLES[role]({ closeTimeout: LATE_BOUND });
      try {
        t.ws.on('message', () => t.ws.terminate());
        t.peer.write(Buffer.concat([frame(OP.text, 'hi', { mask: peerMasks }), frame(OP.close, closeBody(1000), { mask: peerMasks })]));
        await finish(t);
        // Whether the Close that followed in the same chunk still counts as
        // received is open (npm ws reports its code, 1000); either way no
        // closing handshake completed, so the close cannot be clean.
        const [event] = t.rec.emitter;
        assert.equal(t.rec.emitter.length, 1);
        assert.ok(event.code === 1006 || event.code === 1000, `code ${event.code}`);
        assert.deepEqual(t.rec.listener, [{ ...event, wasClean: false, type: 'close' }], 'CloseEvent.wasClean is false: we sent no Close');
        assert.deepEqual(await t.ws.closed, { ...event, wasClean: false });
        assert.equal(t.peer.closeFrames.length, 0);
      } finally {
        await t.dispose();
      }
    });

    test("close() and terminate() from an 'error' handler during a protocol failure: one Close, one close event", async () => {
      const t = await ROLES[role]({ closeTimeout: LATE_BOUND });
      try {
        let errors = 0;
        t.ws.on('error', () => {
          errors++;
          t.ws.close(code);
          t.ws.close();
        });
        t.peer.write(frame(0x3, '', { mask: peerMasks }));
        const f = await t.peer.nextFrame();
        assert.equal(f.code, 1002);
        if (role === 'server') await t.peer.waitPeerEnd(LATE_BOUND);
        await finish(t);
        assert.equal(errors, 1);
        assert.deepEqual(t.rec.emitter.map((e) => e.code), [1002]);
        assert.equal(t.peer.closeFrames.length, 1);
      } finally {
        await t.dispose();
      }
    });

    test("close() and terminate() inside the 'close' handler do nothing", async () => {
      const t = await ROLES[role]({ closeTimeout: LATE_BOUND });
      try {
        t.ws.on('close', () => {
          t.ws.close(code);
          t.ws.terminate();
        });
        t.peer.sendClose(1000);
        await t.peer.nextFrame();
        if (role === 'server') await t.peer.waitPeerEnd(LATE_BOUND);
        await finish(t);
        assert.equal(t.rec.emitter.length, 1);
        assert.equal(t.peer.closeFrames.length, 1);
      } finally {
        await t.dispose();
      }
    });
  });
}
