// socketeer <-> socketeer with permessage-deflate, every parameter combination.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { closeAll, echo, listen, messages, open, parameterCombinations, roundTrip } from './deflate-helpers.mjs';

const full = process.env.SOCKETEER_FULL === '1';

test('defaults: the client offers, the server does not accept unless enabled', async () => {
  const off = await listen(WebSocketServer, {});
  let offered;
  off.wss.on('connection', (ws, req) => {
    offered = req.headers['sec-websocket-extensions'];
    echo(ws);
  });
  const a = await open(new WebSocket(off.url));
  assert.equal(offered, 'permessage-deflate; client_max_window_bits');
  assert.equal(a.extensions, '');
  await roundTrip(a, messages({ large: 100_000 }).slice(0, 4));
  const b = await open(new WebSocket(off.url, { perMessageDeflate: false }));
  assert.equal(offered, undefined);
  await closeAll(a, b, off.wss);

  const on = await listen(WebSocketServer, { perMessageDeflate: true });
  on.wss.on('connection', echo);
  const c = await open(new WebSocket(on.url));
  assert.equal(c.extensions, 'permessage-deflate');
  await roundTrip(c, messages({ large: 100_000 }));
  const d = await open(new WebSocket(on.url, { perMessageDeflate: false }));
  assert.equal(d.extensions, '');
  await closeAll(c, d, on.wss);
});

test('invalid options are refused with WS_ERR_INVALID_OPTION', () => {
  assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { serverMaxWindowBits: 16 } }), { code: 'WS_ERR_INVALID_OPTION' });
  assert.throws(() => new WebSocket('ws://127.0.0.1:9', { perMessageDeflate: { level: 12 } }), { code: 'WS_ERR_INVALID_OPTION' });
});

for (const requester of ['client', 'server']) {
  test(`round trips in every parameter combination (${requester} asks for the parameters)`, async () => {
    const { wss, url } = await listen(WebSocketServer, { perMessageDeflate: { threshold: 0 }, maxPayload: 64 << 20 });
    let server = null;
    for (const combo of parameterCombinations()) {
      const serverOptions = { threshold: 0 };
      const clientOptions = { threshold: 0 };
      Object.assign(requester === 'client' ? clientOptions : serverOptions, combo);
      wss.options.perMessageDeflate = serverOptions;
      const connected = new Promise((resolve) => wss.once('connection', resolve));
      const ws = await open(new WebSocket(url, { perMessageDeflate: clientOptions }));
      server = await connected;
      echo(server);
      // Every requested parameter shows in the agreement.
      const agreed = ws.extensions;
      assert.equal(server.extensions, agreed);
      if (combo.serverNoContextTakeover) assert.match(agreed, /server_no_context_takeover/);
      if (combo.clientNoContextTakeover) assert.match(agreed, /client_no_context_takeover/);
      if (combo.serverMaxWindowBits < 15) assert.match(agreed, new RegExp(`server_max_window_bits=${combo.serverMaxWindowBits}`));
      if (combo.clientMaxWindowBits < 15) assert.match(agreed, new RegExp(`client_max_window_bits=${combo.clientMaxWindowBits}`));
      await roundTrip(ws, messages({ large: full ? 4 << 20 : 64 * 1024, threshold: 1024 }));
      await closeAll(ws);
    }
    await closeAll(wss);
  });
}

test('multi-megabyte messages, both directions, with the default threshold', async () => {
  const { wss, url } = await listen(WebSocketServer, { perMessageDeflate: true, maxPayload: 64 << 20 });
  wss.on('connection', echo);
  const ws = await open(new WebSocket(url, { maxPayload: 64 << 20 }));
  await roundTrip(ws, messages({ large: full ? 32 << 20 : 6 << 20 }), { fragment: false });
  await closeAll(ws, wss);
});
