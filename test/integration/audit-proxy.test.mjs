// Audit (issue 2 §5): the client reaches wss:// servers through an HTTP
// CONNECT proxy (TLS inside the tunnel, certificate checked against the
// target), and a proxy URL it cannot use is refused with a coded error
// instead of being dialled as something else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { once, withTimeout } from '../helpers/once.mjs';

const dir = new URL('../helpers/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost-cert.pem', dir));
const key = readFileSync(new URL('localhost-key.pem', dir));

/** A minimal CONNECT proxy that records each tunnel's target. */
async function startProxy({ secure = false } = {}) {
  const targets = [];
  const sockets = new Set();
  const refuse = (_req, res) => res.writeHead(405).end();
  const server = secure ? https.createServer({ cert, key }, refuse) : http.createServer(refuse);
  server.on('connect', (req, client, head) => {
    targets.push(req.url);
    sockets.add(client);
    client.on('error', () => {});
    const [host, port] = req.url.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    targets,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Through an echo server: open, one 'hi' round trip, then a clean 1000 close. */
async function echoOnceAndClose(ws) {
  ws.on('error', () => {});
  await once(ws, 'open', 5000);
  const reply = once(ws, 'message', 3000);
  ws.send('hi');
  assert.equal(String((await reply)[0]), 'echo hi');
  ws.close(1000);
  const info = await withTimeout(ws.closed, 3000, 'closed');
  assert.deepEqual([info.code, info.wasClean], [1000, true]);
}

test('wss:// through a CONNECT proxy: TLS inside the tunnel, echo, clean close', async () => {
  const server = https.createServer({ cert, key });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  const proxy = await startProxy();
  try {
    await echoOnceAndClose(new WebSocket(`wss://localhost:${port}/`, { proxy: `http://127.0.0.1:${proxy.port}`, ca: cert }));
    assert.deepEqual(proxy.targets, [`localhost:${port}`]);
  } finally {
    await proxy.close();
    for (const c of wss.clients) c.terminate();
    await withTimeout(wss.close(), 3000, 'wss.close()');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('an https:// proxy is reached over TLS (checked against ca) and tunnels ws://', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
  await once(wss, 'listening');
  const port = wss.address().port;
  const proxy = await startProxy({ secure: true });
  try {
    const untrusted = new WebSocket(`ws://127.0.0.1:${port}/`, { proxy: `https://localhost:${proxy.port}` });
    untrusted.on('error', () => {});
    const refused = await withTimeout(untrusted.closed, 3000, 'closed (untrusted proxy certificate)');
    assert.deepEqual([refused.code, refused.wasClean], [1006, false], 'a proxy certificate outside ca is refused');
    assert.deepEqual(proxy.targets, [], 'no CONNECT went to an unverified proxy');

    await echoOnceAndClose(new WebSocket(`ws://127.0.0.1:${port}/`, { proxy: `https://localhost:${proxy.port}`, ca: cert }));
    assert.deepEqual(proxy.targets, [`127.0.0.1:${port}`]);
  } finally {
    await proxy.close();
    for (const c of wss.clients) c.terminate();
    await withTimeout(wss.close(), 3000, 'wss.close()');
  }
});

test('a proxy URL with an unsupported scheme is refused with a coded error, not dialled as plain HTTP', async () => {
  // A listener that records whether anything connected to it.
  let connections = 0;
  const trap = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  trap.listen(0, '127.0.0.1');
  await once(trap, 'listening');
  try {
    for (const scheme of ['socks5', 'ftp']) {
      let outcome;
      try {
        const ws = new WebSocket('ws://127.0.0.1:1/', { proxy: `${scheme}://127.0.0.1:${trap.address().port}` });
        ws.on('error', (e) => (outcome ??= e));
        await withTimeout(ws.closed, 3000, 'closed');
      } catch (error) {
        outcome = error;
      }
      assert.equal(typeof outcome?.code, 'string', `${scheme}: a coded error`);
      assert.match(outcome.code, /^WS_ERR_/, `${scheme}: got ${outcome?.code} ${outcome?.message}`);
    }
    assert.equal(connections, 0, 'nothing was sent to a proxy the client cannot speak to');
  } finally {
    await new Promise((r) => trap.close(r));
  }
});
