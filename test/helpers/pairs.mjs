// Connected WebSocket pairs over loopback: socketeer or npm `ws` on either end.
import { WebSocket as SWebSocket, WebSocketServer as SWebSocketServer } from '../../dist/esm/index.js';
import { WebSocket as WWebSocket, WebSocketServer as WWebSocketServer } from 'ws';
import { once, withTimeout } from './once.mjs';

const impl = {
  socketeer: { WebSocket: SWebSocket, WebSocketServer: SWebSocketServer },
  ws: { WebSocket: WWebSocket, WebSocketServer: WWebSocketServer },
};

/**
 * Start a server of kind `server` and connect a client of kind `client`.
 * Resolves with { wss, serverWs, clientWs, url, dispose }.
 */
export async function openPair({ server = 'socketeer', client = 'socketeer', serverOptions = {}, clientOptions = {} } = {}) {
  const wss = new impl[server].WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOptions });
  await once(wss, 'listening', 3000);
  const url = `ws://127.0.0.1:${wss.address().port}/`;
  const connection = once(wss, 'connection', 3000);
  const clientWs = new impl[client].WebSocket(url, clientOptions);
  const [[serverWs]] = await Promise.all([connection, once(clientWs, 'open', 3000)]);
  return { wss, serverWs, clientWs, url, dispose: () => disposeServer(wss, [serverWs, clientWs]) };
}

/** Terminate what is left and close the server; bounded so a bug cannot hang the run. */
export async function disposeServer(wss, sockets = []) {
  for (const ws of sockets) if (ws.readyState !== 3) ws.terminate();
  for (const ws of wss.clients ?? []) ws.terminate();
  await withTimeout(new Promise((resolve) => wss.close(() => resolve())), 3000, 'for the server to close');
}

export { SWebSocket, SWebSocketServer, WWebSocket, WWebSocketServer };
