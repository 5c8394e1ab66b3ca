// permessage-deflate between socketeer and the npm `ws` package, both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WS, { WebSocketServer as WSServer } from 'ws';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { closeAll, echo, listen, messages, open, parameterCombinations, roundTrip } from './deflate-helpers.mjs';

const full = process.env.SOCKETEER_FULL === '1';
const list = () => messages({ large: full ? 4 << 20 : 64 * 1024 });

for (const requester of ['socketeer', 'ws']) {
  test(`socketeer client <-> ws server, every parameter combination (${requester} side asks)`, async () => {
    for (const combo of parameterCombinations()) {
      const wsOptions = { threshold: 0 };
      const ourOptions = { threshold: 0 };
      // ws's server takes a window limit for its own deflater or for the client's.
      Object.assign(requester === 'ws' ? wsOptions : ourOptions, combo);
      const { wss, url } = await listen(WSServer, { perMessageDeflate: wsOptions });
      wss.on('connection', echo);
      const client = await open(new WebSocket(url, { perMessageDeflate: ourOptions }));
      assert.match(client.extensions, /^permessage-deflate/, JSON.stringify(combo));
      await roundTrip(client, list());
      await closeAll(client, wss);
    }
  });

  test(`ws client <-> socketeer server, every parameter combination (${requester} side asks)`, async () => {
    for (const combo of parameterCombinations()) {
      const wsOptions = { threshold: 0 };
      const ourOptions = { threshold: 0 };
      Object.assign(requester === 'ws' ? wsOptions : ourOptions, combo);
      const { wss, url } = await listen(WebSocketServer, { perMessageDeflate: ourOptions });
      wss.on('connection', echo);
      const client = await open(new WS(url, { perMessageDeflate: wsOptions }));
      assert.match(client.extensions, /^permessage-deflate/, JSON.stringify(combo));
      await roundTrip(client, list());
      await closeAll(client, wss);
    }
  });
}

test('ws defaults on both sides against socketeer defaults', async (t) => {
  // RFC 7692 §7.1.2.2: to an offer of client_max_window_bits without a value,
  // a server that does not limit the client's window may leave the parameter
  // out of its answer (the client then uses 15). ws does, and so do we.
  const a = await listen(WSServer, { perMessageDeflate: true });
  const b = await listen(WebSocketServer, { perMessageDeflate: true });
  let ours;
  let theirs;
  // Clients first: a server's close() waits for its connections.
  t.after(() => closeAll(ours, theirs, a.wss, b.wss));
  a.wss.on('connection', echo);
  b.wss.on('connection', echo);
  let offered;
  b.wss.on('connection', (_ws, req) => (offered = req.headers['sec-websocket-extensions']));

  ours = await open(new WebSocket(a.url));
  assert.equal(ours.extensions, 'permessage-deflate');
  await roundTrip(ours, list());

  theirs = new WS(b.url);
  const answered = new Promise((resolve) => theirs.once('upgrade', (res) => resolve(res.headers['sec-websocket-extensions'])));
  await open(theirs);
  assert.equal(offered, 'permessage-deflate; client_max_window_bits');
  assert.equal(await answered, 'permessage-deflate');
  assert.equal(theirs.extensions, 'permessage-deflate');
  await roundTrip(theirs, list());
});
