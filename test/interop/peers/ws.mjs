// Peer driver: npm ws, as a client and as a server (same code path as our
// own side, since socketeer's API follows ws).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ws from 'ws';
import { startNodeServer, connectNodeClient } from '../lib/node-endpoint.mjs';

const require = createRequire(import.meta.url);

export async function start() {
  const M = { WebSocket: ws.WebSocket, WebSocketServer: ws.WebSocketServer };
  const { version } = JSON.parse(readFileSync(require.resolve('ws/package.json'), 'utf8'));
  return {
    versions: { ws: version },
    connect: (url, opts) => connectNodeClient(M, url, opts),
    startServer: () => startNodeServer(M),
    async close() {},
  };
}
