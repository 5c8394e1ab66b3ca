// Bad upgrade requests get an HTTP answer and a closed socket, never a hang
// or a crash: 404 for another path, 426 (with Sec-WebSocket-Version: 13) for
// another version, 400 with a reason for a malformed request, 403 (or the
// chosen status) when verifyClient refuses. Also noServer + handleUpgrade.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { closeServer, listen, rawExchange, upgradeRequest, HOST } from '../helpers/api-net.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { connectRaw, frame, OP } from '../helpers/raw-peer.mjs';

async function server(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: HOST, ...options });
  await once(wss, 'listening', 3000);
  const connections = [];
  wss.on('connection', (ws) => connections.push(ws));
  return {
    wss,
    port: wss.address().port,
    connections,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await withTimeout(wss.close(), 3000, 'for the server to close');
    },
  };
}

const refusals = [
  ['another path', { path: '/ws' }, { path: '/other' }, 404],
  ['another path with a query', { path: '/ws' }, { path: '/wsx?a=1' }, 404],
  ['version 8', {}, { headers: { 'Sec-WebSocket-Version': '8' } }, 426, { 'sec-websocket-version': '13' }],
  ['version 14', {}, { headers: { 'Sec-WebSocket-Version': '14' } }, 426, { 'sec-websocket-version': '13' }],
  ['no version', {}, { headers: { 'Sec-WebSocket-Version': null } }, 400],
  ['no Sec-WebSocket-Key', {}, { headers: { 'Sec-WebSocket-Key': null } }, 400],
  ['a key of the wrong length', {}, { headers: { 'Sec-WebSocket-Key': 'c2hvcnQ=' } }, 400],
  ['a key that is not base64', {}, { headers: { 'Sec-WebSocket-Key': '!!!!!!!!!!!!!!!!!!!!!!==' } }, 400],
  ['Upgrade: h2c', {}, { headers: { Upgrade: 'h2c' } }, 400],
  // Without the upgrade token node's HTTP parser treats the request as plain
  // HTTP, so the server's request handler answers it.
  ['Connection without the upgrade token', {}, { headers: { Connection: 'close, upgrade-ish' } }, 426],
  ['a duplicated subprotocol', {}, { headers: { 'Sec-WebSocket-Protocol': 'a, a' } }, 400],
  ['a POST', {}, { method: 'POST' }, 405],
  ['a refusing verifyClient', { verifyClient: () => false }, {}, 403],
];

describe('server: refused upgrade requests', () => {
  for (const [name, options, request, status, headers = {}] of refusals) {
    test(`${name}: ${status}, a reason, the socket closed, no connection`, async () => {
      const s = await server(options);
      try {
        const answer = await rawExchange(s.port, upgradeRequest(request), 2000);
        assert.equal(answer.status, status, answer.raw.split('\r\n')[0]);
        assert.ok(answer.body.trim().length > 0, 'the body says why');
        assert.equal(Number(answer.headers['content-length']), Buffer.byteLength(answer.body));
        for (const [k, v] of Object.entries(headers)) assert.equal(answer.headers[k], v, k);
        assert.equal(s.connections.length, 0);
      } finally {
        await s.close();
      }
    });
  }

  test('asynchronous verifyClient refusing with its own status, message and headers', async () => {
    const s = await server({
      verifyClient: (info, done) => setImmediate(() => done(false, 401, 'Token expired', { 'WWW-Authenticate': 'Bearer' })),
    });
    try {
      const answer = await rawExchange(s.port, upgradeRequest(), 2000);
      assert.equal(answer.status, 401);
      assert.equal(answer.headers['www-authenticate'], 'Bearer');
      assert.match(answer.body, /Token expired/);
    } finally {
      await s.close();
    }
  });

  test('verifyClient sees origin, secure and the request; the client gets the status', async () => {
    let seen = null;
    const s = await server({
      verifyClient: (info) => {
        seen = { origin: info.origin, secure: info.secure, url: info.req.url };
        return false;
      },
    });
    try {
      const ws = new WebSocket(`ws://${HOST}:${s.port}/p`, { origin: 'https://o.example' });
      const [error] = await once(ws, 'error', 3000);
      assert.equal(error.statusCode, 403);
      assert.deepEqual(seen, { origin: 'https://o.example', secure: false, url: '/p' });
      await withTimeout(ws.closed, 2000, 'for ws.closed');
    } finally {
      await s.close();
    }
  });

  test('a plain HTTP request to the server gets 426 Upgrade Required', async () => {
    const s = await server();
    try {
      const answer = await rawExchange(s.port, `GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`, 2000);
      assert.equal(answer.status, 426);
    } finally {
      await s.close();
    }
  });

  test('garbage instead of HTTP: the socket is closed, the server keeps serving', async () => {
    const s = await server();
    try {
      const answer = await rawExchange(s.port, '\x16\x03\x01 not http at all\r\n\r\n', 2000);
      assert.ok(answer.status === 400 || Number.isNaN(answer.status), `got ${answer.raw.split('\r\n')[0]}`);
      const peer = await connectRaw(s.port);
      peer.destroy();
    } finally {
      await s.close();
    }
  });

  test('an upgrade request that never finishes is dropped after handshakeTimeout', async () => {
    const s = await server({ handshakeTimeout: 300 });
    try {
      const { default: net } = await import('node:net');
      const start = performance.now();
      const socket = net.connect(s.port, HOST);
      socket.on('error', () => {});
      await once(socket, 'connect', 2000);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
      socket.resume();
      await once(socket, 'close', 2500, 'the server dropping a half-sent request');
      assert.ok(performance.now() - start >= 300 - 15);
    } finally {
      await s.close();
    }
  });
});

describe('server: bytes behind the upgrade request', () => {
  test('a frame sent in the same packet as the request (head) is delivered', async () => {
    const s = await server();
    const { default: net } = await import('node:net');
    const socket = net.connect(s.port, HOST);
    socket.on('error', () => {});
    try {
      await once(socket, 'connect', 2000);
      const message = withTimeout(
        new Promise((resolve) => s.wss.once('connection', (ws) => ws.once('message', (...args) => resolve(args)))),
        2000,
        'for the message in the head',
      );
      socket.write(Buffer.concat([Buffer.from(upgradeRequest()), frame(OP.text, 'in the head', { mask: true })]));
      socket.resume();
      const [data, isBinary] = await message;
      assert.deepEqual([String(data), isBinary], ['in the head', false]);
    } finally {
      socket.destroy();
      await s.close();
    }
  });
});

describe('server: noServer with handleUpgrade', () => {
  test('the caller routes by path to two servers; a bad request through handleUpgrade still gets 400', async () => {
    const chat = new WebSocketServer({ noServer: true });
    const feed = new WebSocketServer({ noServer: true });
    assert.throws(() => chat.address(), { code: 'WS_ERR_NO_SERVER' });
    const httpServer = http.createServer((_req, res) => res.writeHead(404).end());
    httpServer.on('upgrade', (req, socket, head) => {
      const target = req.url === '/chat' ? chat : req.url === '/feed' ? feed : null;
      if (target === null) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      target.handleUpgrade(req, socket, head, (ws, request) => target.emit('connection', ws, request));
    });
    const port = await listen(httpServer);
    try {
      const got = [];
      chat.on('connection', (ws) => got.push(['chat', ws.readyState]));
      feed.on('connection', (ws) => got.push(['feed', ws.readyState]));
      const a = new WebSocket(`ws://${HOST}:${port}/chat`);
      const b = new WebSocket(`ws://${HOST}:${port}/feed`);
      await Promise.all([once(a, 'open', 3000), once(b, 'open', 3000)]);
      assert.deepEqual(got.sort(), [['chat', 1], ['feed', 1]]);
      assert.equal(chat.clients.size, 1);
      const bad = await rawExchange(port, upgradeRequest({ path: '/chat', headers: { 'Sec-WebSocket-Key': null } }), 2000);
      assert.equal(bad.status, 400);
      a.close();
      b.close();
      await Promise.all([withTimeout(a.closed, 2000, 'a'), withTimeout(b.closed, 2000, 'b')]);
      await withTimeout(Promise.all([chat.close(), feed.close()]), 2000, 'for the noServer servers to close');
    } finally {
      await closeServer(httpServer);
    }
  });
});
