// Client options of `new WebSocket(url, protocols, options)` against local
// servers: headers and origin, subprotocol and Sec-WebSocket-Accept checks,
// handshakeTimeout, followRedirects (bounded), a CONNECT proxy written here,
// agent, and refused handshakes ('unexpected-response', status and headers).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { acceptFor, closeServer, completeHandshake, listen, rawUpgradeServer } from '../helpers/api-net.mjs';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';
import { once, withTimeout } from '../helpers/once.mjs';

async function socketeerServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(wss, 'listening', 3000);
  return {
    wss,
    port: wss.address().port,
    url: `ws://127.0.0.1:${wss.address().port}`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await withTimeout(new Promise((resolve) => wss.close(resolve)), 3000, 'for the server to close');
    },
  };
}

/** A client that must fail its handshake: resolves with the error event's error after the 1006 close. */
async function expectHandshakeFailure(url, protocols, options) {
  const ws = new WebSocket(url, protocols, options);
  const rec = watchClose(ws);
  const errors = [];
  ws.on('error', (error) => errors.push(error));
  let opened = false;
  ws.on('open', () => (opened = true));
  await expectClose(ws, rec, { code: 1006, wasClean: false });
  assert.equal(opened, false, 'never opened');
  assert.equal(errors.length, 1, 'exactly one error event');
  return errors[0];
}

/**
 * An HTTP server whose every request gets `handler(req, res)`. With no
 * 'upgrade' listener, node hands upgrade requests to the request handler.
 */
async function httpServer(handler) {
  const server = http.createServer(handler);
  const port = await listen(server);
  return { server, port, close: () => closeServer(server) };
}

describe('client: URL', () => {
  test('http(s) URLs become ws(s); other schemes, fragments and garbage throw SyntaxError', () => {
    const ws = new WebSocket('http://127.0.0.1:9/path?q=1');
    ws.on('error', () => {});
    assert.equal(ws.url, 'ws://127.0.0.1:9/path?q=1');
    ws.terminate();
    for (const bad of ['ftp://127.0.0.1/', 'ws://127.0.0.1/#frag', 'not a url']) {
      assert.throws(() => new WebSocket(bad), (error) => error instanceof DOMException && error.name === 'SyntaxError', bad);
    }
  });
});

describe('client: request headers', () => {
  test('extra headers and origin reach the server', async () => {
    const s = await socketeerServer();
    try {
      const connection = once(s.wss, 'connection', 3000);
      const ws = new WebSocket(`${s.url}/x?y=1`, { headers: { 'X-Token': 'abc', 'User-Agent': 'socketeer-test' }, origin: 'https://app.example' });
      const [[, req]] = await Promise.all([connection, once(ws, 'open', 3000)]);
      assert.equal(req.headers['x-token'], 'abc');
      assert.equal(req.headers['user-agent'], 'socketeer-test');
      assert.equal(req.headers.origin, 'https://app.example');
      assert.equal(req.url, '/x?y=1');
      ws.terminate();
    } finally {
      await s.close();
    }
  });

  test('a header value with CR/LF throws WS_ERR_INVALID_HEADER_VALUE before connecting', () => {
    assert.throws(() => new WebSocket('ws://127.0.0.1:1/', { headers: { 'X-A': 'a\r\nInjected: 1' } }), { code: 'WS_ERR_INVALID_HEADER_VALUE' });
    assert.throws(() => new WebSocket('ws://127.0.0.1:1/', { origin: 'x\ny' }), { code: 'WS_ERR_INVALID_HEADER_VALUE' });
  });
});

describe('client: subprotocols and the accept key', () => {
  test('the server picks one of the offered subprotocols', async () => {
    const s = await socketeerServer({ handleProtocols: (set) => (set.has('chat.v2') ? 'chat.v2' : false) });
    try {
      const ws = new WebSocket(s.url, ['chat.v1', 'chat.v2']);
      await once(ws, 'open', 3000);
      assert.equal(ws.protocol, 'chat.v2');
      ws.terminate();
    } finally {
      await s.close();
    }
  });

  test('invalid or duplicate subprotocols throw SyntaxError', () => {
    assert.throws(() => new WebSocket('ws://127.0.0.1:1/', ['a', 'a']), { name: 'SyntaxError' });
    assert.throws(() => new WebSocket('ws://127.0.0.1:1/', ['with space']), { name: 'SyntaxError' });
  });

  const badAnswers = [
    ['a subprotocol that was not offered', ['chat'], (req, socket, key) => completeHandshake(req, socket, key, ['Sec-WebSocket-Protocol: other'])],
    ['a subprotocol when none was offered', undefined, (req, socket, key) => completeHandshake(req, socket, key, ['Sec-WebSocket-Protocol: chat'])],
    [
      'a wrong Sec-WebSocket-Accept',
      undefined,
      (_req, socket) =>
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor('wrong')}\r\n\r\n`),
    ],
    ['no Sec-WebSocket-Accept', undefined, (_req, socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')],
  ];
  for (const [name, protocols, answer] of badAnswers) {
    test(`a 101 with ${name} fails the handshake (error, 1006)`, async () => {
      const raw = await rawUpgradeServer(answer);
      try {
        const error = await expectHandshakeFailure(raw.url, protocols);
        assert.equal(typeof error.code, 'string');
        assert.ok(error.message.length > 0);
      } finally {
        await raw.close();
      }
    });
  }
});

describe('client: bytes behind the 101', () => {
  test('a frame sent in the same packet as the 101 is delivered', async () => {
    const raw = await rawUpgradeServer((req, socket, key) => {
      socket.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`),
          Buffer.from([0x81, 8]),
          Buffer.from('with 101'),
        ]),
      );
      socket.resume();
    });
    try {
      const ws = new WebSocket(raw.url);
      const [data, isBinary] = await once(ws, 'message', 3000);
      assert.deepEqual([String(data), isBinary], ['with 101', false]);
      ws.terminate();
    } finally {
      await raw.close();
    }
  });
});

describe('client: handshakeTimeout', () => {
  test('a server that never answers: WS_ERR_HANDSHAKE_TIMEOUT, then 1006', async () => {
    const raw = await rawUpgradeServer(() => {});
    try {
      const start = performance.now();
      const error = await expectHandshakeFailure(raw.url, undefined, { handshakeTimeout: 150 });
      const elapsed = performance.now() - start;
      assert.equal(error.code, 'WS_ERR_HANDSHAKE_TIMEOUT');
      assert.ok(elapsed >= 150 - 15 && elapsed < 2000, `failed after ${elapsed} ms`);
    } finally {
      await raw.close();
    }
  });
});

describe('client: refused handshakes', () => {
  const refuse = (req, res) => {
    res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer', 'X-Reason': 'no token' });
    res.end('go away');
  };

  test('no unexpected-response listener: error with statusCode and headers', async () => {
    const s = await httpServer(refuse);
    try {
      const error = await expectHandshakeFailure(`ws://127.0.0.1:${s.port}/`);
      assert.equal(error.code, 'WS_ERR_UNEXPECTED_RESPONSE');
      assert.equal(error.statusCode, 401);
      assert.equal(error.headers['x-reason'], 'no token');
      assert.match(error.message, /401/);
    } finally {
      await s.close();
    }
  });

  test("'unexpected-response' hands over the response instead of an error", async () => {
    const s = await httpServer(refuse);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`);
      const rec = watchClose(ws);
      const errors = [];
      ws.on('error', (error) => errors.push(error));
      const [req, res] = await once(ws, 'unexpected-response', 3000);
      assert.ok(req instanceof http.ClientRequest);
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      await once(res, 'end', 3000);
      assert.equal(body, 'go away');
      await expectClose(ws, rec, { code: 1006, wasClean: false });
      assert.deepEqual(errors, [], 'no error event when the response was taken over');
    } finally {
      await s.close();
    }
  });

  test('a refused handshake with no listeners at all does not crash', async () => {
    const s = await httpServer(refuse);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`);
      const info = await withTimeout(ws.closed, 3000, 'for ws.closed');
      assert.deepEqual(info, { code: 1006, reason: '', wasClean: false });
    } finally {
      await s.close();
    }
  });
});

describe('client: followRedirects', () => {
  test('off by default: a 302 is a failed handshake with its status', async () => {
    const s = await httpServer((req, res) => res.writeHead(302, { Location: '/elsewhere' }).end());
    try {
      const error = await expectHandshakeFailure(`ws://127.0.0.1:${s.port}/`);
      assert.equal(error.statusCode, 302);
    } finally {
      await s.close();
    }
  });

  test('on: follows to another server; url updates; Authorization is dropped across origins', async () => {
    const target = await socketeerServer();
    const hop = await httpServer((req, res) => res.writeHead(301, { Location: `http://127.0.0.1:${target.port}/landed` }).end());
    try {
      const connection = once(target.wss, 'connection', 3000);
      const ws = new WebSocket(`ws://127.0.0.1:${hop.port}/start`, { followRedirects: true, headers: { Authorization: 'Bearer secret', 'X-Keep': '1' } });
      const redirects = [];
      ws.on('redirect', (url) => redirects.push(url));
      const [[, req]] = await Promise.all([connection, once(ws, 'open', 3000)]);
      assert.equal(req.url, '/landed');
      assert.equal(req.headers.authorization, undefined, 'Authorization not sent to another origin');
      assert.equal(req.headers['x-keep'], '1');
      assert.equal(ws.url, `ws://127.0.0.1:${target.port}/landed`);
      assert.deepEqual(redirects, [ws.url]);
      ws.terminate();
    } finally {
      await hop.close();
      await target.close();
    }
  });

  test('bounded: a redirect loop stops after maxRedirects with WS_ERR_TOO_MANY_REDIRECTS', async () => {
    let hits = 0;
    const s = await httpServer((req, res) => {
      hits++;
      res.writeHead(307, { Location: `/again${hits}` }).end();
    });
    try {
      const error = await expectHandshakeFailure(`ws://127.0.0.1:${s.port}/`, undefined, { followRedirects: true, maxRedirects: 3 });
      assert.equal(error.code, 'WS_ERR_TOO_MANY_REDIRECTS');
      assert.equal(hits, 4, 'the first request and three redirects');
    } finally {
      await s.close();
    }
  });
});

/** A minimal HTTP CONNECT proxy: records requests, optionally demands credentials. */
async function connectProxy({ requireAuth = null } = {}) {
  const seen = [];
  const tunnels = new Set();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, clientSocket, head) => {
    seen.push({
      target: req.url,
      auth: req.headers['proxy-authorization'],
      // Resolves when the client's side of the tunnel is gone (FIN or RST).
      clientGone: new Promise((resolve) => {
        clientSocket.once('end', resolve);
        clientSocket.once('close', resolve);
      }),
    });
    clientSocket.on('error', () => {});
    if (requireAuth !== null && req.headers['proxy-authorization'] !== requireAuth) {
      clientSocket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = req.url.split(':');
    const upstream = net.connect(Number(port), host, () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    upstream.on('error', () => clientSocket.destroy());
    tunnels.add(upstream).add(clientSocket);
    clientSocket.on('close', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    port,
    seen,
    close() {
      for (const s of tunnels) s.destroy();
      return closeServer(server);
    },
  };
}

describe('client: proxy and agent', () => {
  test('tunnels through an HTTP proxy with CONNECT and exchanges messages', async () => {
    const s = await socketeerServer();
    const proxy = await connectProxy({ requireAuth: 'Basic ' + Buffer.from('user:pa ss').toString('base64') });
    try {
      s.wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)));
      const ws = new WebSocket(s.url, { proxy: `http://user:pa%20ss@127.0.0.1:${proxy.port}` });
      await once(ws, 'open', 3000);
      ws.send('hi');
      const [data] = await once(ws, 'message', 3000);
      assert.equal(String(data), 'echo hi');
      assert.deepEqual(proxy.seen.map((r) => r.target), [`127.0.0.1:${s.port}`]);
      const closed = watchClose(ws);
      ws.close(1000);
      await expectClose(ws, closed, { code: 1000, wasClean: true });
      // The tunnel socket itself must be closed too, or the process never exits.
      await withTimeout(proxy.seen[0].clientGone, 2000, 'for the client to close its tunnel to the proxy');
    } finally {
      await proxy.close();
      await s.close();
    }
  });

  test('a proxy refusing the tunnel: error with its status (407), 1006', async () => {
    const proxy = await connectProxy({ requireAuth: 'Basic nope' });
    try {
      const error = await expectHandshakeFailure('ws://127.0.0.1:9/', undefined, { proxy: `http://127.0.0.1:${proxy.port}` });
      assert.equal(error.statusCode, 407);
      assert.match(error.message, /407/);
    } finally {
      await proxy.close();
    }
  });

  test('an http.Agent passed as `agent` makes the connection', async () => {
    const s = await socketeerServer();
    try {
      let created = 0;
      class CountingAgent extends http.Agent {
        createConnection(options, callback) {
          created++;
          return super.createConnection(options, callback);
        }
      }
      const ws = new WebSocket(s.url, { agent: new CountingAgent() });
      await once(ws, 'open', 3000);
      assert.equal(created, 1);
      ws.terminate();
    } finally {
      await s.close();
    }
  });
});
