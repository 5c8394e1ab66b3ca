// Audit (issue 2 §3): every way a connection can end gives exactly one close
// event per end, in all three forms ('close', addEventListener, onclose), and
// `closed` resolves with the same values even when every listener was removed.
// After each case the process holds no more sockets, servers or timers than
// before it: nothing is left that could fire a second close event later.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { once, settle, withTimeout } from '../helpers/once.mjs';
import { startRawServer, connectRaw } from '../helpers/raw-peer.mjs';

const HANDLES = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'];

function handleCounts() {
  const counts = Object.fromEntries(HANDLES.map((h) => [h, 0]));
  for (const r of process.getActiveResourcesInfo()) if (r in counts) counts[r]++;
  return counts;
}

/** Count close reports of every kind; `bare` removes every listener instead. */
function record(ws, { bare = false } = {}) {
  const rec = { emitter: [], listener: [], attribute: [], errors: 0 };
  if (bare) return rec;
  ws.on('error', () => rec.errors++);
  ws.on('close', (code, reason) => rec.emitter.push({ code, reason: String(reason) }));
  ws.addEventListener('close', (e) => rec.listener.push({ code: e.code, reason: e.reason, wasClean: e.wasClean }));
  ws.onclose = (e) => rec.attribute.push({ code: e.code, reason: e.reason, wasClean: e.wasClean });
  return rec;
}

async function verify(ws, rec, expected, label) {
  const info = await withTimeout(ws.closed, 5000, `for ${label}.closed`);
  await settle();
  const { code, reason = '', wasClean } = expected;
  const got = { code: info.code, reason: info.reason, wasClean: info.wasClean };
  const want = { code, reason, wasClean };
  if (wasClean === undefined) delete got.wasClean, delete want.wasClean;
  assert.deepEqual(got, want, `${label}: closed`);
  assert.equal(ws.readyState, 3, `${label}: readyState CLOSED`);
  if (rec.bare) return;
  assert.equal(rec.emitter.length, 1, `${label}: exactly one 'close' event (${JSON.stringify(rec.emitter)})`);
  assert.equal(rec.listener.length, 1, `${label}: exactly one close listener call`);
  assert.equal(rec.attribute.length, 1, `${label}: exactly one onclose call`);
  assert.deepEqual(rec.emitter[0], { code, reason }, `${label}: 'close' (code, reason)`);
  assert.deepEqual(rec.listener[0], { ...info }, `${label}: CloseEvent matches closed`);
}

/** Run `body` and check that no socket, server or timer outlives it. */
async function noLeftovers(body) {
  const before = handleCounts();
  await body();
  // Socket handles are released on the 'close' of the net.Socket, which may
  // follow the WebSocket's close event by a turn of the event loop.
  for (let i = 0; i < 50; i++) {
    const now = handleCounts();
    if (HANDLES.every((h) => now[h] <= before[h])) return;
    await settle();
  }
  assert.deepEqual(handleCounts(), before, 'handles back to where they were');
}

async function pair(serverOptions = {}, clientOptions = {}, { bare = false } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', closeTimeout: 500, ...serverOptions });
  await once(wss, 'listening', 3000);
  const connection = once(wss, 'connection', 3000);
  const client = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`, { closeTimeout: 500, ...clientOptions });
  const crec = record(client, { bare });
  const [[server]] = await Promise.all([connection, once(client, 'open', 3000)]);
  const srec = record(server, { bare });
  if (bare) {
    client.removeAllListeners();
    server.removeAllListeners();
    client.onclose = client.onerror = client.onmessage = null;
    crec.bare = srec.bare = true;
  }
  return { wss, client, server, crec, srec, closeServer: () => withTimeout(wss.close(), 3000, 'wss.close()') };
}

const TOO_BIG = 'Message too big: it exceeds maxPayload (16 bytes)';

const CASES = [
  ['client close(4000, reason)', ({ client }) => client.close(4000, 'c'), { code: 4000, reason: 'c', wasClean: true }, { code: 4000, reason: 'c', wasClean: true }],
  ['server close(4001, reason)', ({ server }) => server.close(4001, 's'), { code: 4001, reason: 's', wasClean: true }, { code: 4001, reason: 's', wasClean: true }],
  ['client close() without code', ({ client }) => client.close(), { code: 1005, wasClean: true }, { code: 1005, wasClean: true }],
  ['server close() without code', ({ server }) => server.close(), { code: 1005, wasClean: true }, { code: 1005, wasClean: true }],
  ['client terminate()', ({ client }) => client.terminate(), { code: 1006, wasClean: false }, { code: 1006, wasClean: false }],
  ['server terminate()', ({ server }) => server.terminate(), { code: 1006, wasClean: false }, { code: 1006, wasClean: false }],
  ['both close() in the same tick', ({ client, server }) => { client.close(4000, 'a'); server.close(4001, 'b'); }, { code: 4001, reason: 'b', wasClean: true }, { code: 4000, reason: 'a', wasClean: true }],
  ['client close() then terminate()', ({ client }) => { client.close(4000); client.terminate(); }, { code: 1006, wasClean: false }, {}],
  ['client close() twice, then close() on the server too', ({ client, server }) => { client.close(4000); client.close(4002); server.close(4003); }, { code: 4003, wasClean: true }, { code: 4000, wasClean: true }],
  ['wss.close() sends 1001', ({ closeServer }) => closeServer(), { code: 1001, reason: 'Server shutting down', wasClean: true }, { code: 1001, reason: 'Server shutting down', wasClean: true }],
  ['server maxPayload exceeded: 1009', ({ client }) => client.send(Buffer.alloc(64)), { code: 1009, reason: TOO_BIG, wasClean: true }, { code: 1009, reason: TOO_BIG, wasClean: false }, { maxPayload: 16 }],
  ['client maxPayload exceeded: 1009', ({ server }) => server.send(Buffer.alloc(64)), { code: 1009, reason: TOO_BIG, wasClean: false }, { code: 1009, reason: TOO_BIG, wasClean: true }, {}, { maxPayload: 16 }],
];

for (const bare of [false, true]) {
  describe(`one close per end, ${bare ? 'every listener removed (closed only)' : 'every kind of listener'}`, () => {
    for (const [name, act, clientExpect, serverExpect, serverOptions = {}, clientOptions = {}] of CASES) {
      test(name, async () => {
        await noLeftovers(async () => {
          const p = await pair(serverOptions, clientOptions, { bare });
          try {
            await act(p);
            await verify(p.client, p.crec, clientExpect, 'client');
            // 'client close() then terminate()': the server sees whatever reached it first.
            if (serverExpect.code !== undefined) await verify(p.server, p.srec, serverExpect, 'server');
            else await verify(p.server, p.srec, { code: (await p.server.closed).code, reason: (await p.server.closed).reason }, 'server');
          } finally {
            if (p.client.readyState !== 3) p.client.terminate();
            await p.closeServer();
          }
        });
      });
    }
  });
}

describe('one close per end against a raw peer', () => {
  test('client: the server never answers our Close: closeTimeout, 1006', async () => {
    await noLeftovers(async () => {
      const raw = await startRawServer();
      const ws = new WebSocket(raw.url, { closeTimeout: 200 });
      const rec = record(ws);
      const [peer] = await Promise.all([raw.accept(), once(ws, 'open')]);
      try {
        ws.close(4000);
        await verify(ws, rec, { code: 1006, wasClean: false }, 'client');
        assert.equal(peer.closeFrames.length, 1, 'one Close sent');
      } finally {
        await raw.close();
      }
    });
  });

  test('server: the client resets TCP in the middle of a frame: 1006', async () => {
    await noLeftovers(async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      const connection = once(wss, 'connection');
      const peer = await connectRaw(wss.address().port);
      const [ws] = await connection;
      const rec = record(ws);
      try {
        peer.write(Buffer.from([0x81, 0xfe, 0x01, 0x00, 1, 2, 3, 4, 5]));
        peer.reset();
        await verify(ws, rec, { code: 1006, wasClean: false }, 'server');
      } finally {
        await withTimeout(wss.close(), 3000, 'wss.close()');
      }
    });
  });

  test('client: close() while CONNECTING to a server that never answers: 1006 once', async () => {
    await noLeftovers(async () => {
      const raw = await startRawServer({ answerHandshake: false });
      const ws = new WebSocket(raw.url);
      const rec = record(ws);
      try {
        await raw.accept();
        ws.close();
        await verify(ws, rec, { code: 1006, wasClean: false }, 'client');
        assert.equal(rec.errors <= 1, true, 'at most one error');
      } finally {
        await raw.close();
      }
    });
  });

  test('client: handshake refused with 404 and no listener at all: closed says 1006, no crash', async () => {
    await noLeftovers(async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/only' });
      await once(wss, 'listening');
      const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/other`);
      try {
        const info = await withTimeout(ws.closed, 3000, 'closed');
        assert.deepEqual({ code: info.code, wasClean: info.wasClean }, { code: 1006, wasClean: false });
      } finally {
        await withTimeout(wss.close(), 3000, 'wss.close()');
      }
    });
  });

  test('terminate() inside the close handler and close() inside open: still one event', async () => {
    await noLeftovers(async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`);
      const rec = record(ws);
      ws.on('open', () => ws.close(4000, 'from open'));
      ws.on('close', () => { ws.terminate(); ws.close(); });
      try {
        await verify(ws, rec, { code: 4000, reason: 'from open', wasClean: true }, 'client');
      } finally {
        await withTimeout(wss.close(), 3000, 'wss.close()');
      }
    });
  });
});

describe('one close and nothing left behind: timers and failed connections', () => {
  test('heartbeat on both ends: close() leaves no heartbeat timer behind', async () => {
    await noLeftovers(async () => {
      const heartbeat = { interval: 20, timeout: 200 };
      const p = await pair({ heartbeat }, { heartbeat });
      try {
        let pings = 0;
        await withTimeout(new Promise((resolve) => p.client.on('ping', () => ++pings === 2 && resolve())), 3000, 'two pings');
        p.client.close(4000);
        await verify(p.client, p.crec, { code: 4000, wasClean: true }, 'client');
        await verify(p.server, p.srec, { code: 4000, wasClean: true }, 'server');
      } finally {
        await p.closeServer();
      }
    });
  });

  test('connection refused: one error, one close 1006, closed resolves', async () => {
    await noLeftovers(async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      const port = wss.address().port;
      await withTimeout(wss.close(), 3000, 'wss.close()');
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      const rec = record(ws);
      await verify(ws, rec, { code: 1006, wasClean: false }, 'client');
      assert.equal(rec.errors, 1, 'one error');
    });
  });

  test('client handshakeTimeout against a server that never answers: one close 1006, no timer left', async () => {
    await noLeftovers(async () => {
      const raw = await startRawServer({ answerHandshake: false });
      const ws = new WebSocket(raw.url, { handshakeTimeout: 100 });
      const rec = record(ws);
      try {
        await verify(ws, rec, { code: 1006, wasClean: false }, 'client');
        assert.equal(rec.errors, 1, 'one error');
      } finally {
        await raw.close();
      }
    });
  });

  test('wss.close() while a client is half-way through its upgrade request resolves, nothing left', async () => {
    await noLeftovers(async () => {
      const net = await import('node:net');
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      const socket = net.connect(wss.address().port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
      const gone = new Promise((resolve) => socket.on('close', resolve));
      try {
        await withTimeout(wss.close(), 3000, 'wss.close() with a pending handshake');
        await withTimeout(gone, 3000, 'the pending socket to be closed by the server');
      } finally {
        socket.destroy();
      }
    });
  });
});
