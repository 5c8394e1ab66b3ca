// A client's large masked frames come from a pool and are used again once the
// socket has written them. Over real loopback (plain TCP, TLS, and with
// permessage-deflate), a client sends many distinct large messages at once,
// so most wait in the socket's write buffer while others are reused; every
// message must arrive byte-exact at a ws and a socketeer server. A client
// terminated with frames still queued must not throw or corrupt the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { WebSocketServer as WsServer } from 'ws';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { idleFrameBytes } from '../../dist/esm/core/frame-buffer-pool.js';
import { closeServer, listen } from '../helpers/api-net.mjs';
import { openPair } from '../helpers/pairs.mjs';
import { once, withTimeout } from '../helpers/once.mjs';

const digest = (data) => createHash('sha256').update(data).digest('hex');
const SIZES = [16 * 1024, 65536, 65536 + 7, 200_003, 1024 * 1024];

/** Distinct messages (random bytes, so deflate cannot shrink them under the pool's limit). */
function messages(count) {
  return Array.from({ length: count }, (_, i) => randomBytes(SIZES[i % SIZES.length]));
}

/** Sends every message at once from `client`; resolves when `receiver` has them all, checked in order. */
async function sendAllAndCheck(client, receiver, sent) {
  const got = [];
  const all = new Promise((resolve) => {
    receiver.on('message', (data) => {
      got.push(digest(data));
      if (got.length === sent.length) resolve();
    });
  });
  let acknowledged = 0;
  for (const data of sent) client.send(data, { binary: true }, (error) => { assert.ifError(error); acknowledged++; });
  await withTimeout(all, 20_000, `for ${sent.length} messages`);
  assert.deepEqual(got, sent.map(digest));
  return () => acknowledged;
}

for (const server of ['ws', 'socketeer']) {
  for (const perMessageDeflate of [false, true]) {
    test(`40 large messages sent at once reach a ${server} server byte-exact${perMessageDeflate ? ' (permessage-deflate)' : ''}`, async () => {
      const pair = await openPair({ server, client: 'socketeer', serverOptions: { perMessageDeflate }, clientOptions: { perMessageDeflate } });
      try {
        assert.equal(/permessage-deflate/.test(pair.clientWs.extensions), perMessageDeflate);
        const acknowledged = await sendAllAndCheck(pair.clientWs, pair.serverWs, messages(40));
        // The second round reuses what the first gave back.
        await sendAllAndCheck(pair.clientWs, pair.serverWs.removeAllListeners('message'), messages(40));
        assert.ok(acknowledged() >= 40);
        assert.ok(idleFrameBytes() > 0, 'written frames went back to the pool');
        const closed = once(pair.clientWs, 'close', 5000);
        pair.clientWs.close(1000, 'done');
        const [code] = await closed;
        assert.equal(code, 1000);
      } finally {
        await pair.dispose();
      }
    });
  }
}

test('over TLS, large messages sent at once reach the server byte-exact', async () => {
  const dir = new URL('../helpers/tls/', import.meta.url);
  const httpsServer = https.createServer({ cert: readFileSync(new URL('localhost-cert.pem', dir)), key: readFileSync(new URL('localhost-key.pem', dir)) });
  const wss = new WsServer({ server: httpsServer });
  const port = await listen(httpsServer);
  try {
    const connection = once(wss, 'connection', 5000);
    const client = new WebSocket(`wss://127.0.0.1:${port}/`, { ca: readFileSync(new URL('localhost-cert.pem', dir)) });
    const [[serverWs]] = await Promise.all([connection, once(client, 'open', 5000)]);
    await sendAllAndCheck(client, serverWs, messages(30));
    const closed = once(client, 'close', 5000);
    client.close(1000);
    assert.equal((await closed)[0], 1000);
  } finally {
    for (const ws of wss.clients) ws.terminate();
    await withTimeout(new Promise((resolve) => wss.close(resolve)), 3000, 'for the server to close');
    await closeServer(httpsServer);
  }
});

test('terminate() with large frames still queued: callbacks get errors, no exception, the next connection is byte-exact', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening', 3000);
  const url = `ws://127.0.0.1:${wss.address().port}/`;
  try {
    const client = new WebSocket(url);
    await once(client, 'open', 3000);
    const results = [];
    const settled = new Promise((resolve) => {
      for (const data of messages(40)) {
        client.send(data, { binary: true }, (error) => {
          results.push(error ?? null);
          if (results.length === 40) resolve();
        });
      }
    });
    client.terminate();
    await withTimeout(settled, 5000, 'for every send callback');
    assert.ok(results.some((error) => error !== null), 'frames cut off by terminate() report an error');
    for (const error of results) if (error !== null) assert.equal(typeof error.code, 'string');

    const other = new WebSocket(url);
    const [[serverSide]] = await Promise.all([once(wss, 'connection', 3000), once(other, 'open', 3000)]);
    await sendAllAndCheck(other, serverSide, messages(20));
    other.terminate();
  } finally {
    for (const ws of wss.clients) ws.terminate();
    await withTimeout(new Promise((resolve) => wss.close(resolve)), 3000, 'for the server to close');
  }
});
