// Opening-handshake limits: the whole-request timeout (slowloris), header
// bytes and header count (Node's maxHeadersCount), and maxConnections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import {
  startServer, cleanup, connectRaw, collectUntilClose, statusOf, upgradeRequest, rawUpgrade, nextConnection, withTimeout, hostileServer,
} from './lib.mjs';

/** Open a client and resolve with how it ended or opened. */
function clientOutcome(url, options) {
  const ws = new WebSocket(url, options);
  const errors = [];
  ws.on('error', (e) => errors.push(e));
  return withTimeout(
    new Promise((resolve) => {
      ws.on('open', () => resolve({ opened: true, ws, errors }));
      ws.on('close', (code) => resolve({ opened: false, code, errors }));
    }),
    5000,
    'for the client to open or close',
  );
}

test('slowloris: a request trickled one byte at a time is cut off by handshakeTimeout, others keep being served', async () => {
  const { wss, port } = await startServer({ handshakeTimeout: 300 });
  const slow = await connectRaw(port);
  const result = collectUntilClose(slow, 10_000);
  const request = upgradeRequest();
  let i = 0;
  const trickle = setInterval(() => {
    if (!slow.destroyed && i < request.length - 1) slow.write(request[i++]);
  }, 20);
  try {
    // While the slow client holds its socket, a normal client still connects.
    const conn = nextConnection(wss);
    const { socket } = await rawUpgrade(port);
    (await conn).terminate();
    socket.destroy();
    const { text, ms } = await result;
    assert.ok(i < request.length - 1, 'the server must cut the request off before it completes');
    const status = statusOf(text);
    assert.equal(status, 408, `answered 408 Request Timeout, got ${JSON.stringify(text.split("\r\n")[0])}`);
    assert.ok(ms >= 250, `cut off after ${ms} ms: before the timeout`);
  } finally {
    clearInterval(trickle);
    await cleanup(wss);
  }
});

test('header bytes past 16 KiB are answered 431 and the socket is closed', async () => {
  const { wss, port } = await startServer();
  try {
    const s = await connectRaw(port);
    const done = collectUntilClose(s);
    s.write(upgradeRequest(['X-Big: ' + 'a'.repeat(20_000)]));
    const { text } = await done;
    assert.equal(statusOf(text), 431);
  } finally {
    await cleanup(wss);
  }
});

test('more header fields than maxHeaderCount (256): 431, and the server keeps serving (the ws DoS)', async () => {
  const { wss, port } = await startServer();
  try {
    // 2500 tiny fields fit in 16 KiB, past the ~1000 after which Node drops
    // fields silently; the handshake headers come last, so Node would drop
    // exactly the ones the server checks.
    const filler = Array.from({ length: 2500 }, () => 'a: 1');
    const s = await connectRaw(port);
    const done = collectUntilClose(s);
    s.write(
      [
        'GET / HTTP/1.1', 'Host: 127.0.0.1', ...filler, 'Upgrade: websocket', 'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13',
      ].join('\r\n') + '\r\n\r\n',
    );
    assert.equal(statusOf((await done).text), 431);
    // The handshake headers first and the filler after: refused all the same.
    const s2 = await connectRaw(port);
    const done2 = collectUntilClose(s2);
    s2.write(upgradeRequest(filler));
    assert.equal(statusOf((await done2).text), 431);
    // 250 extra fields (256 in all) are still fine, and the server serves on.
    const conn = nextConnection(wss);
    const { socket } = await rawUpgrade(port, Array.from({ length: 250 }, () => 'a: 1'));
    (await conn).terminate();
    socket.destroy();
  } finally {
    await cleanup(wss);
  }
});

test('maxHeaderCount is an option (handleUpgrade on a user server)', async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, maxHeaderCount: 6 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const s = await connectRaw(server.address().port);
    const done = collectUntilClose(s);
    s.write(upgradeRequest(['a: 1', 'b: 2', 'c: 3']));
    assert.equal(statusOf((await done).text), 431);
    const { socket } = await rawUpgrade(server.address().port, ['a: 1']);
    socket.destroy();
  } finally {
    await cleanup(wss);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('client: a 101 with more header fields than maxHeadersCount fails cleanly (1006), no crash', async () => {
  const peer = await hostileServer(undefined, Array.from({ length: 2500 }, () => 'a: y'));
  try {
    const outcome = await clientOutcome(peer.url);
    assert.equal(outcome.opened, false, 'the accept header was dropped by Node: the handshake must fail');
    assert.equal(outcome.code, 1006);
    assert.ok(outcome.errors.length === 1 && typeof outcome.errors[0].code === 'string', 'one error with a code');
  } finally {
    await peer.close();
  }
});

test('client: a 101 whose head overflows the header size fails cleanly (1006), no crash', async () => {
  const peer = await hostileServer(undefined, Array.from({ length: 3000 }, (_, i) => `x${i}: y`));
  try {
    const outcome = await clientOutcome(peer.url);
    assert.equal(outcome.opened, false);
    assert.equal(outcome.code, 1006);
    assert.equal(outcome.errors[0]?.code, 'HPE_HEADER_OVERFLOW');
  } finally {
    await peer.close();
  }
});

test('maxConnections: the next upgrade gets 503 with Retry-After; a freed slot is reused', async () => {
  const { wss, port } = await startServer({ maxConnections: 2 });
  const raws = [];
  try {
    for (let i = 0; i < 2; i++) {
      const conn = nextConnection(wss);
      raws.push((await rawUpgrade(port)).socket);
      await conn;
    }
    const s = await connectRaw(port);
    const done = collectUntilClose(s);
    s.write(upgradeRequest());
    const { text } = await done;
    assert.equal(statusOf(text), 503);
    assert.match(text, /^Retry-After: \d+/im);
    const [first] = [...wss.clients];
    first.terminate();
    await first.closed;
    const conn = nextConnection(wss);
    raws.push((await rawUpgrade(port)).socket);
    await conn;
    assert.equal(wss.clients.size, 2);
  } finally {
    for (const r of raws) r.destroy();
    await cleanup(wss);
  }
});
