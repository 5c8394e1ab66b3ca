// Audit (issue 2 §4): the promise form of send settles when the data has been
// handed to the OS, not before, and never resolves for data that was not: a
// connection destroyed while data is still queued rejects it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPair } from '../helpers/pairs.mjs';
import { once, settle, withTimeout } from '../helpers/once.mjs';

const MiB = 1024 * 1024;
// Far more than loopback's kernel buffers hold for a peer that does not read.
const LOAD = 32 * MiB;
const options = { maxBufferedAmount: 256 * MiB };

async function state(promise) {
  const marker = Symbol('pending');
  await settle();
  const v = await Promise.race([promise.then(() => 'resolved', (e) => `rejected ${e?.code}`), Promise.resolve(marker)]);
  return v === marker ? 'pending' : v;
}

/** A socketeer pair whose `receiver` end stops reading from its TCP socket. */
async function stalledPair(sender) {
  const p = await openPair({ serverOptions: options, clientOptions: options });
  const ends = { server: p.serverWs, client: p.clientWs };
  const receiver = sender === 'server' ? 'client' : 'server';
  ends[receiver]._socket.pause();
  return { ...p, from: ends[sender], to: ends[receiver] };
}

for (const sender of ['server', 'client']) {
  describe(`sendAsync (socketeer ${sender} sends)`, () => {
    test('stays pending while the peer does not read; resolves once the bytes are handed over', async () => {
      const p = await stalledPair(sender);
      try {
        const sent = p.from.sendAsync(Buffer.alloc(LOAD, 7));
        assert.equal(await state(sent), 'pending', 'cannot have been handed to the OS yet');
        assert.ok(p.from.bufferedAmount > 0, 'bytes are still buffered');
        const message = once(p.to, 'message', 10_000);
        p.to._socket.resume();
        await withTimeout(sent, 10_000, 'for sendAsync after the peer reads');
        const [data] = await message;
        assert.equal(data.length, LOAD);
      } finally {
        await p.dispose();
      }
    });

    test(
      'terminate() while data is queued rejects the promise instead of resolving it',
      // Node 20 calls a write callback without an error when destroy() cancels the write.
      async () => {
        const p = await stalledPair(sender);
        try {
          const sent = p.from.sendAsync(Buffer.alloc(LOAD, 7));
          const settled = sent.then(() => 'resolved', (e) => e);
          assert.equal(await state(sent), 'pending');
          p.from.terminate();
          const outcome = await withTimeout(settled, 5000, 'for sendAsync to settle after terminate()');
          assert.ok(outcome instanceof Error, `rejected (got ${outcome})`);
        } finally {
          await p.dispose();
        }
      },
    );
  });
}
