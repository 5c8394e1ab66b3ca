// Known attacks on the handshake headers: quadratic parsing of the
// subprotocol/extension lists, prototype-polluting names, CR/LF injection
// through the client's options, and invalid window bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { parseExtensionHeader } from '../../dist/esm/core/extension-header.js';
import { parseTokenList } from '../../dist/esm/core/handshake.js';
import { cleanup, connectRaw, nextConnection, startServer, statusOf, upgradeRequest, withTimeout } from './lib.mjs';

// A quadratic parser needs ~10^10 steps on 100,000 characters (tens of
// seconds); a linear one needs well under a millisecond per kilobyte. The
// bound below is loose enough for a slow CI machine and tight enough to catch
// the quadratic case.
const LINEAR_BOUND_MS = 1000;

const HOSTILE = [
  ['Sec-WebSocket-Protocol', 'a' + ' '.repeat(100_000) + 'b'],
  ['Sec-WebSocket-Protocol', 'a' + ','.repeat(100_000) + 'b'],
  ['Sec-WebSocket-Protocol', ', '.repeat(50_000)],
  ['Sec-WebSocket-Extensions', 'a' + ' '.repeat(100_000) + 'b'],
  ['Sec-WebSocket-Extensions', 'a' + ','.repeat(100_000) + 'b'],
  ['Sec-WebSocket-Extensions', 'permessage-deflate' + ';'.repeat(100_000)],
  ['Sec-WebSocket-Extensions', 'permessage-deflate; a="' + '\\'.repeat(100_000)],
  ['Sec-WebSocket-Extensions', 'permessage-deflate; a=' + ' '.repeat(100_000) + ',b'],
];

test('core parsers take linear time on 100,000 spaces, commas, semicolons and escapes', () => {
  for (const [name, value] of HOSTILE) {
    const t0 = performance.now();
    try {
      if (name === 'Sec-WebSocket-Protocol') parseTokenList(value);
      else parseExtensionHeader(value);
    } catch (error) {
      assert.ok(error instanceof Error, 'a refusal is an Error');
    }
    const ms = performance.now() - t0;
    assert.ok(ms < LINEAR_BOUND_MS, `${name}: ${JSON.stringify(value.slice(0, 30))}... took ${ms.toFixed(1)} ms`);
  }
});

test('a server answers 100,000-character hostile headers promptly and keeps serving', async () => {
  // Node's default 16 KiB header cap would answer 431 before our parsers run:
  // a user server with a larger cap lets the hostile values reach them.
  const server = http.createServer({ maxHeaderSize: 1 << 20 });
  const wss = new WebSocketServer({ server });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  try {
    for (const [name, value] of HOSTILE) {
      const s = await connectRaw(port);
      const t0 = performance.now();
      s.write(upgradeRequest([`${name}: ${value}`]));
      const [chunk] = await withTimeout(once(s, 'data'), 5000, `for an answer to ${name}`);
      const ms = performance.now() - t0;
      const status = statusOf(chunk.toString('latin1'));
      assert.ok(status === 101 || status === 400, `${name}: got ${status}`);
      assert.ok(ms < LINEAR_BOUND_MS, `${name}: answered after ${ms.toFixed(1)} ms`);
      s.destroy();
    }
  } finally {
    await cleanup(wss);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('__proto__, constructor, hasOwnProperty are plain subprotocol and extension names', async () => {
  const { wss, port } = await startServer({ handleProtocols: (set) => (set.has('__proto__') ? '__proto__' : false) });
  try {
    for (const names of [['__proto__'], ['constructor', 'hasOwnProperty', '__proto__'], ['toString']]) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, names, {
        headers: { 'Sec-WebSocket-Extensions': '__proto__; constructor=1, hasOwnProperty, permessage-deflate; __proto__' },
        perMessageDeflate: false,
      });
      const errors = [];
      ws.on('error', (e) => errors.push(e));
      await withTimeout(new Promise((resolve) => ws.once('open', resolve).once('close', resolve)), 5000, 'open');
      assert.equal(ws.readyState, WebSocket.OPEN, `names ${names}: ${errors.map((e) => e.message)}`);
      assert.equal(ws.protocol, names.includes('__proto__') ? '__proto__' : '');
      ws.close();
      await ws.closed;
    }
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.constructor, Object);
    for (const header of ['__proto__=1', 'x; __proto__=1; constructor="a"', 'permessage-deflate; __proto__']) {
      try {
        const parsed = parseExtensionHeader(header);
        for (const ext of parsed) assert.equal(typeof ext.name, 'string');
      } catch (error) {
        assert.ok(error instanceof Error);
      }
    }
  } finally {
    await cleanup(wss);
  }
});

test('CR or LF in client header options is refused before anything is sent', async () => {
  const server = http.createServer();
  let connections = 0;
  server.on('connection', () => connections++);
  server.on('upgrade', (_req, socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `ws://127.0.0.1:${server.address().port}/`;
  try {
    const bad = [
      { headers: { 'X-A': 'ok\r\nX-Injected: 1' } },
      { headers: { 'X-A\r\nX-B': 'v' } },
      { headers: { 'X-A': 'v\n' } },
      { origin: 'http://a.example\r\nX-Injected: 1' },
    ];
    for (const options of bad) {
      assert.throws(() => new WebSocket(url, options), (e) => e.code === 'WS_ERR_INVALID_HEADER_VALUE', JSON.stringify(options));
    }
    // A valid client proves the server would have seen a connection.
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    await withTimeout(new Promise((r) => ws.once('close', r)), 5000, 'the probe client to close');
    assert.equal(connections, 1, 'only the valid client may have connected');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('window bits 7, 16 or x fail the handshake cleanly on both sides', async () => {
  const { wss, port } = await startServer({ perMessageDeflate: true });
  try {
    for (const bits of ['7', '16', 'x', '', '08', '9.5']) {
      for (const param of ['client_max_window_bits', 'server_max_window_bits']) {
        const s = await connectRaw(port);
        s.write(upgradeRequest([`Sec-WebSocket-Extensions: permessage-deflate; ${param}=${bits}`]));
        const [chunk] = await withTimeout(once(s, 'data'), 5000, 'an answer');
        const head = chunk.toString('latin1');
        const status = statusOf(head);
        // Refused (400), or the invalid offer declined: never accepted as is.
        assert.ok(status === 400 || (status === 101 && !/permessage-deflate/i.test(head)), `${param}=${bits}: ${head.split('\r\n')[0]}`);
        s.destroy();
      }
    }
    // The client side: a server that answers with invalid window bits.
    const raw = http.createServer();
    raw.on('upgrade', async (req, socket) => {
      const { createHash } = await import('node:crypto');
      const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
          `Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=${req.url.slice(1)}\r\n\r\n`,
      );
      socket.on('error', () => {});
      upgraded.add(socket);
    });
    const upgraded = new Set();
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    try {
      for (const bits of ['7', '16', 'x']) {
        const ws = new WebSocket(`ws://127.0.0.1:${raw.address().port}/${bits}`);
        const errors = [];
        ws.on('error', (e) => errors.push(e));
        let opened = false;
        ws.on('open', () => (opened = true));
        const code = await withTimeout(new Promise((r) => ws.once('close', r)), 5000, 'client close');
        assert.equal(opened, false, `server_max_window_bits=${bits} must not open`);
        assert.equal(code, 1006);
        assert.ok(errors.length === 1 && typeof errors[0].code === 'string', `one coded error for ${bits}`);
      }
    } finally {
      for (const socket of upgraded) socket.destroy();
      await new Promise((r) => raw.close(r));
    }
  } finally {
    await cleanup(wss);
  }
});
