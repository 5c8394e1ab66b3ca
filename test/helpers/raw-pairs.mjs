// socketeer on one end of a loopback connection, the hand-driven RawPeer on
// the other. Each returns { ws, peer, rec, dispose }; `watch: false` leaves
// the WebSocket without listeners (rec is null).
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { watchClose } from './close-watch.mjs';
import { once, withTimeout } from './once.mjs';
import { connectRaw, startRawServer } from './raw-peer.mjs';

/** socketeer server, raw client. */
export async function serverWithRawClient(serverOptions = {}, { watch = true } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOptions });
  await once(wss, 'listening', 3000);
  const connection = once(wss, 'connection', 3000);
  const peer = await connectRaw(wss.address().port);
  const [ws] = await connection;
  const rec = watch ? watchClose(ws) : null;
  return {
    ws,
    peer,
    rec,
    wss,
    async dispose() {
      peer.destroy();
      if (ws.readyState !== 3) ws.terminate();
      await withTimeout(wss.close(), 3000, 'for the server to close');
    },
  };
}

/** socketeer client, raw server. */
export async function clientWithRawServer(clientOptions = {}, { watch = true } = {}) {
  const raw = await startRawServer();
  const ws = new WebSocket(raw.url, { perMessageDeflate: false, ...clientOptions });
  const rec = watch ? watchClose(ws) : null;
  const [peer] = await Promise.all([raw.accept(), once(ws, 'open', 3000)]);
  return {
    ws,
    peer,
    rec,
    raw,
    async dispose() {
      peer.destroy();
      if (ws.readyState !== 3) ws.terminate();
      await raw.close();
    },
  };
}

export const ROLES = {
  server: serverWithRawClient,
  client: clientWithRawServer,
};
