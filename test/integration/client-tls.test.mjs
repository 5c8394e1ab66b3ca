// wss:// with TLS options passed through to tls.connect: a self-signed
// server certificate is refused by default, accepted with `ca`, and a wss
// connection exchanges messages and closes cleanly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { closeServer, listen } from '../helpers/api-net.mjs';
import { expectClose, watchClose } from '../helpers/close-watch.mjs';
import { once, withTimeout } from '../helpers/once.mjs';

const dir = new URL('../helpers/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost-cert.pem', dir));
const key = readFileSync(new URL('localhost-key.pem', dir));

async function wssServer() {
  const server = https.createServer({ cert, key });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const port = await listen(server);
  return {
    wss,
    port,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await withTimeout(wss.close(), 3000, 'for the wss to close');
      await closeServer(server);
    },
  };
}

describe('client: wss://', () => {
  test('a self-signed certificate is refused by default (error, 1006)', async () => {
    const s = await wssServer();
    try {
      const ws = new WebSocket(`wss://127.0.0.1:${s.port}/`);
      const rec = watchClose(ws);
      const [error] = await once(ws, 'error', 3000);
      assert.match(String(error.code ?? error.message), /SELF_SIGNED|CERT|certificate/i);
      await expectClose(ws, rec, { code: 1006, wasClean: false });
    } finally {
      await s.close();
    }
  });

  for (const host of ['127.0.0.1', 'localhost']) {
    test(`with ca: connects to ${host}, echoes, closes cleanly`, async () => {
      const s = await wssServer();
      try {
        const ws = new WebSocket(`wss://${host}:${s.port}/secure`, { ca: cert, ...(host === 'localhost' ? { family: 4 } : {}) });
        const rec = watchClose(ws);
        await once(ws, 'open', 3000);
        assert.equal(ws.url, `wss://${host}:${s.port}/secure`);
        assert.equal(ws._socket.encrypted, true, 'a TLS socket');
        ws.send('over tls');
        const [data] = await once(ws, 'message', 3000);
        assert.equal(String(data), 'over tls');
        ws.close(1000, 'done');
        await expectClose(ws, rec, { code: 1000, reason: 'done', wasClean: true });
      } finally {
        await s.close();
      }
    });
  }
});
