// wss.close(): 1001 to every open client, resolves (and emits 'close') once
// they are all closed, bounded by closeTimeout for clients that never answer;
// new upgrades are refused meanwhile. Plus clientTracking and wss.clients.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { WebSocket as WWebSocket } from 'ws';
import { HOST } from '../helpers/api-net.mjs';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { connectRaw } from '../helpers/raw-peer.mjs';

async function server(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: HOST, ...options });
  await once(wss, 'listening', 3000);
  return { wss, port: wss.address().port, url: `ws://${HOST}:${wss.address().port}/` };
}

async function openClients(Impl, url, n) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    const ws = new Impl(url);
    clients.push(ws);
    await once(ws, 'open', 3000);
  }
  return clients;
}

describe('wss.close()', () => {
  test('sends 1001 to every open client (socketeer and ws clients) and resolves once they are closed', async () => {
    const { wss, url } = await server({ closeTimeout: 2000 });
    const clients = [...(await openClients(WebSocket, url, 2)), ...(await openClients(WWebSocket, url, 2))];
    const recs = clients.map((ws) => watchClose(ws));
    let closeEvents = 0;
    wss.on('close', () => closeEvents++);
    const serverSides = [...wss.clients];
    assert.equal(serverSides.length, 4);
    await withTimeout(wss.close(), 3000, 'for wss.close()');
    for (const ws of serverSides) assert.equal(ws.readyState, 3, 'every server-side socket is CLOSED when close() resolves');
    assert.equal(wss.clients.size, 0);
    assert.equal(closeEvents, 1, "one 'close' event");
    for (const [i, ws] of clients.entries()) {
      await expectClose(ws, recs[i], { code: 1001, reason: 'Server shutting down', wasClean: true }, { closed: ws instanceof WebSocket });
    }
  });

  test('a client that never answers holds close() only until closeTimeout', async () => {
    const closeTimeout = 300;
    const { wss, port } = await server({ closeTimeout });
    const peer = await connectRaw(port);
    try {
      const start = performance.now();
      const closing = wss.close();
      const f = await peer.nextFrame();
      assert.equal(f.code, 1001);
      await withTimeout(closing, 2000, 'for wss.close() to give up on the silent client');
      const elapsed = performance.now() - start;
      assert.ok(elapsed >= closeTimeout - 15 && elapsed < 2000, `resolved after ${elapsed} ms`);
    } finally {
      peer.destroy();
    }
  });

  test('the callback form is called once everything is closed; a second close() is harmless', async () => {
    const { wss, url } = await server({ closeTimeout: 2000 });
    const [client] = await openClients(WebSocket, url, 1);
    await withTimeout(new Promise((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve()))), 3000, 'for the callback');
    assert.equal(client.readyState === 2 || client.readyState === 3, true);
    await withTimeout(wss.close(), 1000, 'for a second close()');
    await withTimeout(client.closed, 2000, 'for the client');
  });

  test('no new connection is accepted while closing', async () => {
    const { wss, url, port } = await server({ closeTimeout: 2000 });
    const peer = await connectRaw(port); // keeps close() pending until it answers
    try {
      const closing = wss.close();
      await peer.nextFrame();
      const late = new WebSocket(url);
      late.on('error', () => {});
      const info = await withTimeout(late.closed, 2000, 'for the late client to be refused');
      assert.equal(info.code, 1006);
      peer.sendClose(1001);
      peer.end();
      await withTimeout(closing, 2000, 'for wss.close()');
    } finally {
      peer.destroy();
    }
  });
});

describe('wss.clients and clientTracking', () => {
  test('clients holds open server-side sockets and drops them once closed', async () => {
    const { wss, url } = await server({ closeTimeout: 2000 });
    try {
      const clients = await openClients(WebSocket, url, 3);
      assert.equal(wss.clients.size, 3);
      for (const ws of wss.clients) assert.ok(ws instanceof WebSocket);
      clients[0].close(1000);
      clients[1].terminate();
      await Promise.all([withTimeout(clients[0].closed, 2000, 'c0'), withTimeout(clients[1].closed, 2000, 'c1')]);
      // The server side learns about the close within a round trip.
      const deadline = performance.now() + 2000;
      while (wss.clients.size !== 1 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(wss.clients.size, 1);
      clients[2].terminate();
    } finally {
      await withTimeout(wss.close(), 3000, 'for the server to close');
    }
  });

  test('clientTracking: false leaves clients undefined (as ws does)', async () => {
    const { wss, url } = await server({ clientTracking: false });
    const serverSide = [];
    wss.on('connection', (ws) => serverSide.push(ws));
    const [client] = await openClients(WebSocket, url, 1);
    try {
      assert.equal(wss.clients, undefined);
    } finally {
      client.terminate();
      for (const ws of serverSide) ws.terminate();
      await withTimeout(wss.close(), 3000, 'for the server to close');
    }
  });
});
