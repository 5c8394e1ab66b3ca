// WebSocketServer construction and events: exactly one of port/server/
// noServer, 'listening', 'error' (port in use) without a crash, 'headers'
// to add response headers, 'connection' (ws, req), and handleProtocols.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { HOST } from '../helpers/api-net.mjs';
import { once, withTimeout } from '../helpers/once.mjs';

async function server(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: HOST, ...options });
  await once(wss, 'listening', 3000);
  return { wss, port: wss.address().port, url: `ws://${HOST}:${wss.address().port}/` };
}

const stop = (wss) => {
  for (const ws of wss.clients) ws.terminate();
  return withTimeout(wss.close(), 3000, 'for the server to close');
};

describe('WebSocketServer construction and events', () => {
  test('exactly one of port, server or noServer', () => {
    assert.throws(() => new WebSocketServer({}), { code: 'WS_ERR_INVALID_OPTION' });
    assert.throws(() => new WebSocketServer({ port: 0, noServer: true }), { code: 'WS_ERR_INVALID_OPTION' });
  });

  test("a port in use: 'error' with EADDRINUSE, no crash", async () => {
    const { wss, port } = await server();
    const second = new WebSocketServer({ port, host: HOST });
    try {
      const [error] = await once(second, 'error', 3000);
      assert.equal(error.code, 'EADDRINUSE');
    } finally {
      await withTimeout(second.close(), 3000, 'for the second server').catch(() => {});
      await stop(wss);
    }
  });

  test("'headers' lets the server add response headers; 'connection' gets (ws, req)", async () => {
    const { wss, url } = await server();
    try {
      wss.on('headers', (headers, req) => headers.push(`X-Room: ${new URL(req.url, 'http://x').searchParams.get('room')}`));
      const connection = once(wss, 'connection', 3000);
      const ws = new WebSocket(`${url}?room=7`);
      const [upgrade] = await once(ws, 'upgrade', 3000);
      assert.equal(upgrade.headers['x-room'], '7');
      const [serverWs, req] = await connection;
      assert.ok(serverWs instanceof WebSocket);
      assert.equal(serverWs.readyState, 1, 'OPEN when handed over');
      assert.equal(req.url, '/?room=7');
      ws.terminate();
    } finally {
      await stop(wss);
    }
  });

  test('handleProtocols: false means no subprotocol; by default the first offered one', async () => {
    const a = await server({ handleProtocols: () => false });
    const b = await server();
    try {
      const wsA = new WebSocket(a.url, ['x', 'y']);
      const wsB = new WebSocket(b.url, ['x', 'y']);
      await Promise.all([once(wsA, 'open', 3000), once(wsB, 'open', 3000)]);
      assert.equal(wsA.protocol, '');
      assert.equal(wsB.protocol, 'x');
      wsA.terminate();
      wsB.terminate();
    } finally {
      await stop(a.wss);
      await stop(b.wss);
    }
  });

  test('send() and ping() while CONNECTING throw InvalidStateError', async () => {
    const { wss, url } = await server();
    try {
      const ws = new WebSocket(url);
      assert.throws(() => ws.send('early'), { name: 'InvalidStateError' });
      assert.throws(() => ws.ping(), { name: 'InvalidStateError' });
      await once(ws, 'open', 3000);
      ws.terminate();
    } finally {
      await stop(wss);
    }
  });
});
