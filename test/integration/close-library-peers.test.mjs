// The close table of issue 2 §3 between two real libraries over loopback:
// socketeer against socketeer, and socketeer against npm `ws` on either end.
// Rows a well-behaved library cannot produce live in close-raw-*.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPair } from '../helpers/pairs.mjs';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';
import { once } from '../helpers/once.mjs';

const COMBOS = [
  { server: 'socketeer', client: 'socketeer' },
  { server: 'socketeer', client: 'ws' },
  { server: 'ws', client: 'socketeer' },
];

const closeTimeout = 2000;

async function setup(combo, extra = {}) {
  const sOpts = combo.server === 'socketeer' ? { closeTimeout, ...extra.serverOptions } : { ...extra.serverOptions };
  const cOpts = combo.client === 'socketeer' ? { closeTimeout, ...extra.clientOptions } : { ...extra.clientOptions };
  const pair = await openPair({ ...combo, serverOptions: sOpts, clientOptions: cOpts });
  const ends = {
    server: { ws: pair.serverWs, kind: combo.server, rec: watchClose(pair.serverWs) },
    client: { ws: pair.clientWs, kind: combo.client, rec: watchClose(pair.clientWs) },
  };
  return { pair, ends };
}

function check(end, expected) {
  return expectClose(end.ws, end.rec, expected, { closed: end.kind === 'socketeer' });
}

for (const combo of COMBOS) {
  describe(`close: ${combo.server} server, ${combo.client} client`, () => {
    for (const initiator of ['client', 'server']) {
      const other = initiator === 'client' ? 'server' : 'client';
      const code = initiator === 'client' ? 4000 : 1001;

      test(`${initiator} close(code, reason) while OPEN: queued data first, both clean with the code`, async () => {
        const { pair, ends } = await setup(combo);
        try {
          const closer = ends[initiator].ws;
          closer.send('a');
          closer.send(Buffer.from('b'));
          closer.close(code, 'bye');
          assert.equal(closer.readyState, 2, 'CLOSING right after close()');
          let sendError = null;
          closer.send('after', (error) => (sendError = error));
          await check(ends[other], { code, reason: 'bye', wasClean: true });
          await check(ends[initiator], { code, reason: 'bye', wasClean: true });
          assert.deepEqual(ends[other].rec.messages.map((m) => m.data), ['a', 'b'], 'data queued before close() arrives, nothing after');
          if (ends[initiator].kind === 'socketeer') assert.ok(sendError, 'send() after close() reports an error to its callback');
        } finally {
          await pair.dispose();
        }
      });

      test(`${initiator} close() with no code: peer sees 1005, both clean`, async () => {
        const { pair, ends } = await setup(combo);
        try {
          ends[initiator].ws.close();
          await check(ends[other], { code: 1005, wasClean: true });
          await check(ends[initiator], { code: 1005, wasClean: true });
        } finally {
          await pair.dispose();
        }
      });

      test(`${initiator} terminate(): 1006 and not clean on both ends`, async () => {
        const { pair, ends } = await setup(combo);
        try {
          ends[initiator].ws.terminate();
          await check(ends[initiator], { code: 1006, wasClean: false });
          await check(ends[other], { code: 1006, wasClean: false });
        } finally {
          await pair.dispose();
        }
      });

      if (combo[initiator] === 'socketeer') {
        test(`${initiator} close() while CLOSING and CLOSED does nothing`, async () => {
          const { pair, ends } = await setup(combo);
          try {
            const closer = ends[initiator].ws;
            closer.close(3001, 'first');
            closer.close(3002, 'second');
            closer.close();
            assert.equal(closer.readyState, 2);
            await check(ends[other], { code: 3001, reason: 'first', wasClean: true });
            await check(ends[initiator], { code: 3001, reason: 'first', wasClean: true });
            closer.close(3003);
            await new Promise((resolve) => setImmediate(resolve));
            assert.equal(ends[initiator].rec.emitter.length, 1, 'close() after CLOSED emits nothing');
          } finally {
            await pair.dispose();
          }
        });
      }
    }

    test('both ends close at the same time: each reports the other code, both clean', async () => {
      const { pair, ends } = await setup(combo);
      try {
        ends.client.ws.close(4001, 'from client');
        ends.server.ws.close(4002, 'from server');
        await check(ends.client, { code: 4002, reason: 'from server', wasClean: true });
        await check(ends.server, { code: 4001, reason: 'from client', wasClean: true });
      } finally {
        await pair.dispose();
      }
    });

    test('a message over maxPayload fails the receiver with 1009', async () => {
      // The socketeer end is the one that enforces the limit.
      const receiver = combo.server === 'socketeer' ? 'server' : 'client';
      const sender = receiver === 'server' ? 'client' : 'server';
      const key = `${receiver}Options`;
      const { pair, ends } = await setup(combo, { [key]: { maxPayload: 16 } });
      try {
        ends[sender].ws.send(Buffer.alloc(17));
        const reason = 'Message too big: it exceeds maxPayload (16 bytes)';
        await check(ends[sender], { code: 1009, reason, wasClean: true });
        await check(ends[receiver], { code: 1009, reason, wasClean: false });
        assert.deepEqual(ends[receiver].rec.messages, [], 'the oversized message is not delivered');
      } finally {
        await pair.dispose();
      }
    });

    if (combo.server === 'socketeer') {
      for (const code of [1001, 1008, 1011, 1012, 4999]) {
        test(`server-side close(${code}) is allowed and reaches the client`, async () => {
          const { pair, ends } = await setup(combo);
          try {
            ends.server.ws.close(code, 'server says');
            await check(ends.client, { code, reason: 'server says', wasClean: true });
            await check(ends.server, { code, reason: 'server says', wasClean: true });
          } finally {
            await pair.dispose();
          }
        });
      }
    }

    if (combo.client === 'socketeer') {
      test('client-side close() refuses codes not valid on the wire and sends nothing', async () => {
        const { pair, ends } = await setup(combo);
        try {
          // Codes valid on the wire (1001, 1008, 1011...) are accepted from a client, as ws does (issue 18).
          for (const code of [1004, 1005, 1006, 1015, 2999, 5000]) {
            assert.throws(() => ends.client.ws.close(code), { name: 'InvalidAccessError' }, `client close(${code})`);
          }
          assert.equal(ends.client.ws.readyState, 1, 'still OPEN');
          // The connection still works: a message round trip proves no Close went out.
          ends.client.ws.send('still here');
          const [data] = await once(ends.server.ws, 'message');
          assert.equal(String(data), 'still here');
          ends.client.ws.close(1000);
          await check(ends.server, { code: 1000, wasClean: true });
          await check(ends.client, { code: 1000, wasClean: true });
        } finally {
          await pair.dispose();
        }
      });
    }
  });
}
