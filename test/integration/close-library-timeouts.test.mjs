// Rows of the close table that need a misbehaving peer, played by npm `ws`
// with its socket tampered with: a peer that stops reading (no answer to our
// Close within closeTimeout) and a peer whose TCP ends or resets without any
// Close. socketeer must report 1006 (not clean) exactly once, in bounded time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPair } from '../helpers/pairs.mjs';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';

const closeTimeout = 300;
const EARLY_SLACK = 15;
const LATE_BOUND = 2000;

const COMBOS = [
  { server: 'socketeer', client: 'ws', ours: 'serverWs', theirs: 'clientWs', options: 'serverOptions' },
  { server: 'ws', client: 'socketeer', ours: 'clientWs', theirs: 'serverWs', options: 'clientOptions' },
];

for (const combo of COMBOS) {
  const role = combo.ours === 'serverWs' ? 'server' : 'client';
  describe(`socketeer ${role} against a ws ${role === 'server' ? 'client' : 'server'} that misbehaves`, () => {
    test('the ws peer stops reading: no answer within closeTimeout, 1006 not clean', async () => {
      const p = await openPair({ server: combo.server, client: combo.client, [combo.options]: { closeTimeout } });
      try {
        const ours = p[combo.ours];
        const rec = watchClose(ours);
        p[combo.theirs]._socket.pause();
        const start = performance.now();
        ours.close(role === 'server' ? 1001 : 4000);
        await expectClose(ours, rec, { code: 1006, wasClean: false });
        const elapsed = rec.at - start;
        assert.ok(elapsed >= closeTimeout - EARLY_SLACK && elapsed < LATE_BOUND, `close event after ${elapsed} ms`);
      } finally {
        await p.dispose();
      }
    });

    test('the ws peer ends TCP without a Close: 1006 not clean', async () => {
      const p = await openPair({ server: combo.server, client: combo.client, [combo.options]: { closeTimeout: LATE_BOUND * 2 } });
      try {
        const ours = p[combo.ours];
        const rec = watchClose(ours);
        p[combo.theirs]._socket.end();
        await expectClose(ours, rec, { code: 1006, wasClean: false });
      } finally {
        await p.dispose();
      }
    });

    test('the ws peer resets TCP without a Close: 1006 not clean', async () => {
      const p = await openPair({ server: combo.server, client: combo.client, [combo.options]: { closeTimeout: LATE_BOUND * 2 } });
      try {
        const ours = p[combo.ours];
        const rec = watchClose(ours);
        ours.send('in flight');
        p[combo.theirs]._socket.resetAndDestroy();
        await expectClose(ours, rec, { code: 1006, wasClean: false });
      } finally {
        await p.dispose();
      }
    });
  });
}
