// maxConnections holds under any interleaving: a connection counts from the
// moment its upgrade is taken up for processing (while an asynchronous
// verifyClient or handleProtocols runs), and the slot is released when a
// handshake is refused, times out, or its socket goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { once, withTimeout } from '../helpers/once.mjs';

const CLIENTS = 20;

/** Opens `count` clients at once; resolves with how many opened and the refusal statuses of the rest. */
async function openMany(url, count, protocols, options = {}) {
  const outcomes = await Promise.all(
    Array.from({ length: count }, () => {
      const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...options });
      return withTimeout(
        new Promise((resolve) => {
          ws.on('open', () => resolve({ opened: true, ws }));
          ws.on('unexpected-response', (_req, res) => {
            resolve({ opened: false, status: res.statusCode, ws });
            res.resume();
            ws.terminate();
          });
          ws.on('error', () => {});
          ws.on('close', () => resolve({ opened: false, status: null, ws }));
        }),
        10_000,
        'for a client to open or be refused',
      );
    }),
  );
  return {
    opened: outcomes.filter((o) => o.opened),
    statuses: outcomes.filter((o) => !o.opened).map((o) => o.status),
  };
}

async function startServer(options) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(wss, 'listening');
  return { wss, url: `ws://127.0.0.1:${wss.address().port}/` };
}

const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test(`maxConnections 2 with an asynchronous verifyClient: of ${CLIENTS} concurrent handshakes, 2 open and the rest get 503`, async () => {
  const { wss, url } = await startServer({
    maxConnections: 2,
    verifyClient: (_info, done) => later(20).then(() => done(true)),
  });
  const { opened, statuses } = await openMany(url, CLIENTS);
  assert.equal(opened.length, 2);
  assert.deepEqual(statuses, Array(CLIENTS - 2).fill(503));
  assert.equal(wss.clients.size, 2);
  // A freed slot is reused once the socket is gone.
  opened[0].ws.close();
  await opened[0].ws.closed;
  await withTimeout(new Promise((resolve) => (function poll() { wss.clients.size === 1 ? resolve() : setImmediate(poll); })()), 5000, 'for the server side to close');
  const again = await openMany(url, 3);
  assert.equal(again.opened.length, 1);
  for (const o of [...opened, ...again.opened]) o.ws.terminate();
  await wss.close();
});

test('maxConnections with work in handleProtocols and verifyClient: the cap holds, refusals release their slots', async () => {
  let verifyCalls = 0;
  const { wss, url } = await startServer({
    maxConnections: 3,
    // Every other handshake is refused after a delay: its slot must come back.
    verifyClient: (_info, done) => {
      const accept = verifyCalls++ % 2 === 0;
      later(10).then(() => done(accept, 401));
    },
    handleProtocols: (protocols) => {
      const start = Date.now();
      while (Date.now() - start < 2); // synchronous work between the checks
      return [...protocols][0];
    },
  });
  const first = await openMany(url, CLIENTS, ['chat']);
  assert.ok(first.opened.length <= 3, `${first.opened.length} opened past the cap of 3`);
  assert.ok(first.statuses.every((s) => s === 503 || s === 401), String(first.statuses));
  for (const o of first.opened) o.ws.terminate();
  await Promise.all(first.opened.map((o) => o.ws.closed));
  await withTimeout(new Promise((resolve) => (function poll() { wss.clients.size === 0 ? resolve() : setImmediate(poll); })()), 5000, 'for the server sides to close');
  // Every slot taken by a refused or closed handshake is free again.
  verifyCalls = 0;
  const sequential = [];
  for (let i = 0; i < 6; i++) sequential.push(...(await openMany(url, 1, ['chat'])).opened);
  assert.equal(sequential.length, 3, 'accepted, refused, accepted, ... with no slot leaked');
  for (const o of sequential) o.ws.terminate();
  await wss.close();
});

test('a verifyClient that never answers: 408 after handshakeTimeout, and the slot comes back', async () => {
  let answer = false;
  const { wss, url } = await startServer({
    maxConnections: 1,
    handshakeTimeout: 200,
    verifyClient: (_info, done) => {
      if (answer) done(true);
    },
  });
  const stuck = await openMany(url, 1);
  assert.deepEqual([stuck.opened.length, stuck.statuses], [0, [408]], 'the stuck handshake was refused with 408');
  answer = true;
  const next = await openMany(url, 1);
  assert.equal(next.opened.length, 1);
  next.opened[0].ws.terminate();
  await wss.close();
});
