// close() / terminate() while CONNECTING between real libraries: a server
// holds the handshake in an asynchronous verifyClient while the client gives
// up. The client reports 1006 (not clean) exactly once, the server never
// reports a connection, and neither side crashes or leaks a socket.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SWebSocket, SWebSocketServer, WWebSocket, WWebSocketServer } from '../helpers/pairs.mjs';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';
import { once, withTimeout } from '../helpers/once.mjs';

const impl = {
  socketeer: { WebSocket: SWebSocket, WebSocketServer: SWebSocketServer },
  ws: { WebSocket: WWebSocket, WebSocketServer: WWebSocketServer },
};

/** A server whose verifyClient waits until the test releases it. */
async function holdingServer(kind) {
  const held = [];
  let onHeld;
  const heldOne = new Promise((resolve) => (onHeld = resolve));
  const wss = new impl[kind].WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: (info, done) => {
      held.push({ info, done });
      onHeld();
    },
  });
  await once(wss, 'listening', 3000);
  const connections = [];
  wss.on('connection', (ws) => connections.push(ws));
  return {
    wss,
    url: `ws://127.0.0.1:${wss.address().port}/`,
    held,
    heldOne: withTimeout(heldOne, 3000, 'for the upgrade request to reach verifyClient'),
    connections,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await withTimeout(new Promise((resolve) => wss.close(() => resolve())), 3000, 'for the server to close');
    },
  };
}

const COMBOS = [
  { server: 'socketeer', client: 'socketeer' },
  { server: 'ws', client: 'socketeer' },
  { server: 'socketeer', client: 'ws' },
];

for (const combo of COMBOS) {
  describe(`while CONNECTING: ${combo.client} client, ${combo.server} server`, () => {
    for (const how of ['close', 'terminate']) {
      test(`client ${how}() during the handshake: 1006 once, no connection on the server`, async () => {
        const server = await holdingServer(combo.server);
        try {
          const client = new impl[combo.client].WebSocket(server.url);
          // ws reports "closed before the connection was established" as an error.
          const errors = [];
          client.on('error', (error) => errors.push(error));
          const rec = watchClose(client);
          await server.heldOne;
          assert.equal(client.readyState, 0);
          client[how]();
          await expectClose(client, rec, { code: 1006, wasClean: false }, { closed: combo.client === 'socketeer' });
          // Let the server continue with a request whose client is gone.
          server.held[0].done(true);
          const socket = server.held[0].info.req.socket;
          if (!socket.destroyed) await once(socket, 'close', 2000);
          assert.equal(server.connections.length, 0, 'no connection event for the aborted client');
          assert.equal(server.wss.clients.size, 0);
          if (combo.client === 'socketeer') assert.ok(errors.length <= 1, 'at most one error');
        } finally {
          await server.close();
        }
      });
    }
  });
}
