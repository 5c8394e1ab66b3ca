// Common `ws` usage, run once with the npm `ws` classes and once with
// socketeer's: code written for `ws` moves over by changing the import.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { describe, test } from 'node:test';
import * as wsPackage from 'ws';
import * as socketeer from '../../dist/esm/index.js';
import { HOST, closeServer, listen, listenWss, nextConnection, openClient } from '../helpers/api-net.mjs';

const implementations = [
  ['ws', wsPackage.WebSocket, wsPackage.WebSocketServer],
  ['socketeer', socketeer.WebSocket, socketeer.WebSocketServer],
];

/** An echo-less server plus one open client and its server-side socket. */
async function pair(WebSocket, WebSocketServer, serverOptions = {}, protocols, clientOptions) {
  const listening = await listenWss(WebSocketServer, serverOptions);
  const { wss } = listening;
  const url = `${listening.url}/room?id=1`;
  const accepted = nextConnection(wss);
  const client = await openClient(WebSocket, url, protocols, clientOptions);
  const [server, req] = await accepted;
  const done = async () => {
    client.terminate();
    server.terminate();
    await new Promise((resolve) => wss.close(() => resolve()));
  };
  return { wss, url, client, server, req, done };
}

/** Waits for the client's 'close' after a clean close started by the client. */
async function closeCleanly(client) {
  const closed = once(client, 'close');
  client.close(1000, 'bye');
  const [code, reason] = await closed;
  return { code, reason };
}

for (const [name, WebSocket, WebSocketServer] of implementations) {
  describe(`ws-style usage with ${name}`, () => {
    test('readyState constants on the class and the instance', async () => {
      assert.deepEqual([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED], [0, 1, 2, 3]);
      const p = await pair(WebSocket, WebSocketServer);
      const { client } = p;
      assert.deepEqual([client.CONNECTING, client.OPEN, client.CLOSING, client.CLOSED], [0, 1, 2, 3]);
      assert.equal(client.readyState, WebSocket.OPEN);
      const closed = once(client, 'close');
      client.close();
      assert.equal(client.readyState, WebSocket.CLOSING);
      await closed;
      assert.equal(client.readyState, WebSocket.CLOSED);
      await p.done();
    });

    test("on('message', (data, isBinary)) and send with {binary}", async () => {
      const p = await pair(WebSocket, WebSocketServer);
      const got = [];
      const three = new Promise((resolve) => {
        p.server.on('message', (data, isBinary) => {
          got.push([data, isBinary]);
          if (got.length === 4) resolve();
        });
      });
      p.client.send('text');
      p.client.send(Buffer.from([1, 2, 3]));
      p.client.send(Buffer.from('as text'), { binary: false });
      p.client.send('as binary', { binary: true });
      await three;
      assert.ok(got.every(([data]) => Buffer.isBuffer(data)), 'nodebuffer delivers Buffers for both kinds');
      assert.deepEqual(
        got.map(([data, isBinary]) => [data.toString('hex'), isBinary]),
        [
          [Buffer.from('text').toString('hex'), false],
          ['010203', true],
          [Buffer.from('as text').toString('hex'), false],
          [Buffer.from('as binary').toString('hex'), true],
        ],
      );
      await p.done();
    });

    test('send, ping and pong callbacks fire without an error once written', async () => {
      const p = await pair(WebSocket, WebSocketServer);
      const errors = await Promise.all([
        new Promise((resolve) => p.client.send('x', (err) => resolve(err))),
        new Promise((resolve) => p.client.send('y', { binary: true }, (err) => resolve(err))),
        new Promise((resolve) => p.client.ping('p', undefined, (err) => resolve(err))),
        new Promise((resolve) => p.client.pong('q', undefined, (err) => resolve(err))),
      ]);
      for (const err of errors) assert.ok(err == null, `callback got ${err}`);
      await p.done();
    });

    test('send after close calls back with an error instead of throwing', async () => {
      const p = await pair(WebSocket, WebSocketServer);
      await closeCleanly(p.client);
      const err = await new Promise((resolve) => p.client.send('late', (e) => resolve(e)));
      assert.ok(err instanceof Error);
      await p.done();
    });

    test('ping and pong events carry their payloads; pings are answered automatically', async () => {
      const p = await pair(WebSocket, WebSocketServer);
      const serverPing = once(p.server, 'ping');
      const clientPong = once(p.client, 'pong');
      p.client.ping('hello');
      assert.equal(String((await serverPing)[0]), 'hello');
      assert.equal(String((await clientPong)[0]), 'hello');
      const unsolicited = once(p.client, 'pong');
      p.server.pong(Buffer.from([9, 8]));
      assert.deepEqual([...(await unsolicited)[0]], [9, 8]);
      await p.done();
    });

    for (const [binaryType, check] of [
      ['nodebuffer', (d) => Buffer.isBuffer(d) && d.toString() === 'bin'],
      ['arraybuffer', (d) => d instanceof ArrayBuffer && Buffer.from(d).toString() === 'bin'],
      ['fragments', (d) => Array.isArray(d) && Buffer.concat(d).toString() === 'bin'],
      ['blob', (d) => d instanceof Blob && d.size === 3],
    ]) {
      test(`binaryType ${binaryType}`, async () => {
        const p = await pair(WebSocket, WebSocketServer);
        assert.equal(p.client.binaryType, 'nodebuffer');
        p.client.binaryType = binaryType;
        assert.equal(p.client.binaryType, binaryType);
        const message = once(p.client, 'message');
        p.server.send(Buffer.from('bin'));
        const [data, isBinary] = await message;
        assert.equal(isBinary, true);
        assert.ok(check(data), `unexpected ${Object.prototype.toString.call(data)}`);
        if (binaryType === 'blob') assert.equal(await data.text(), 'bin');
        await p.done();
      });
    }

    test('protocol, extensions and url', async () => {
      const p = await pair(
        WebSocket,
        WebSocketServer,
        { perMessageDeflate: true, handleProtocols: (set) => (set.has('chat') ? 'chat' : false) },
        ['superchat', 'chat'],
      );
      assert.equal(p.client.protocol, 'chat');
      assert.equal(p.server.protocol, 'chat');
      assert.match(p.client.extensions, /permessage-deflate/);
      assert.equal(p.client.url, p.url);
      await p.done();

      const plain = await pair(WebSocket, WebSocketServer, { perMessageDeflate: false }, undefined, { perMessageDeflate: false });
      assert.equal(plain.client.protocol, '');
      assert.equal(plain.client.extensions, '');
      await plain.done();
    });

    test('bufferedAmount is 0 when idle and drops back to 0 once written', async () => {
      const p = await pair(WebSocket, WebSocketServer);
      assert.equal(p.client.bufferedAmount, 0);
      const big = Buffer.alloc(4 * 1024 * 1024, 7);
      const received = once(p.server, 'message');
      await new Promise((resolve, reject) => p.client.send(big, (err) => (err ? reject(err) : resolve())));
      await received;
      assert.equal(p.client.bufferedAmount, 0);
      await p.done();
    });

    test("'upgrade' gives the 101 response", async () => {
      const { wss, url } = await listenWss(WebSocketServer);
      const ws = new WebSocket(url);
      const upgraded = once(ws, 'upgrade');
      const opened = once(ws, 'open'); // ws emits 'open' in the same tick as 'upgrade'
      const [response] = await upgraded;
      assert.equal(response.statusCode, 101);
      assert.equal(response.headers.upgrade.toLowerCase(), 'websocket');
      await opened;
      await closeCleanly(ws);
      await new Promise((resolve) => wss.close(resolve));
    });

    test("'unexpected-response' hands over a refused handshake's response", async () => {
      const { wss, url } = await listenWss(WebSocketServer, { verifyClient: (_info, cb) => cb(false, 418, 'no tea') });
      const ws = new WebSocket(url);
      ws.on('error', () => {});
      const [request, response] = await once(ws, 'unexpected-response');
      assert.equal(typeof request.setHeader, 'function', 'the first argument is the ClientRequest');
      assert.equal(response.statusCode, 418);
      const closed = new Promise((resolve) => ws.on('close', resolve)); // once() would reject on 'error'
      ws.terminate();
      const code = await closed;
      assert.equal(code, 1006);
      await new Promise((resolve) => wss.close(resolve));
    });

    test('WebSocketServer on an existing http.Server', async () => {
      const server = http.createServer();
      const wss = new WebSocketServer({ server });
      const port = await listen(server);
      const accepted = nextConnection(wss);
      const ws = await openClient(WebSocket, `ws://${HOST}:${port}`);
      const [serverWs] = await accepted;
      serverWs.on('message', (data, isBinary) => serverWs.send(data, { binary: isBinary }));
      ws.send('echo me');
      const [data] = await once(ws, 'message');
      assert.equal(String(data), 'echo me');
      await closeCleanly(ws);
      await new Promise((resolve) => wss.close(resolve));
      await closeServer(server);
    });

    test('noServer with handleUpgrade, routed by the caller', async () => {
      const server = http.createServer();
      const wss = new WebSocketServer({ noServer: true });
      server.on('upgrade', (req, socket, head) => {
        if (req.url !== '/here') {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      });
      const port = await listen(server);
      const accepted = nextConnection(wss);
      const ws = await openClient(WebSocket, `ws://${HOST}:${port}/here`);
      const [, req] = await accepted;
      assert.equal(req.url, '/here');
      const refused = new WebSocket(`ws://${HOST}:${port}/elsewhere`);
      const [error] = await once(refused, 'error');
      assert.match(error.message, /404/);
      await closeCleanly(ws);
      await new Promise((resolve) => wss.close(resolve));
      await closeServer(server);
    });

    test('path: only that path connects', async () => {
      const { wss, url } = await listenWss(WebSocketServer, { path: '/live' });
      const ws = await openClient(WebSocket, `${url}/live?x=1`);
      const other = new WebSocket(`${url}/dead`);
      const [error] = await once(other, 'error');
      assert.match(error.message, /Unexpected server response: (400|404)/);
      await closeCleanly(ws);
      await new Promise((resolve) => wss.close(resolve));
    });

    test('handleProtocols receives the offered Set and the request', async () => {
      let seen;
      const p = await pair(
        WebSocket,
        WebSocketServer,
        {
          handleProtocols: (protocols, req) => {
            seen = { protocols: [...protocols], url: req.url };
            return 'b';
          },
        },
        ['a', 'b'],
      );
      assert.deepEqual(seen, { protocols: ['a', 'b'], url: '/room?id=1' });
      assert.equal(p.client.protocol, 'b');
      await p.done();
    });

    test('verifyClient, synchronous and asynchronous', async () => {
      const sync = await listenWss(WebSocketServer, { verifyClient: ({ req }) => req.headers['x-token'] === 'ok' });
      const good = await openClient(WebSocket, sync.url, { headers: { 'x-token': 'ok' } });
      const bad = new WebSocket(sync.url, { headers: { 'x-token': 'nope' } });
      const [syncError] = await once(bad, 'error');
      assert.match(syncError.message, /Unexpected server response: 40[13]/);
      await closeCleanly(good);
      await new Promise((resolve) => sync.wss.close(resolve));

      const async = await listenWss(WebSocketServer, {
        verifyClient: (info, done) => setImmediate(() => done(info.origin === 'https://good.test', 451)),
      });
      const ok = await openClient(WebSocket, async.url, { origin: 'https://good.test' });
      const refused = new WebSocket(async.url, { origin: 'https://evil.test' });
      const [asyncError] = await once(refused, 'error');
      assert.match(asyncError.message, /451/);
      await closeCleanly(ok);
      await new Promise((resolve) => async.wss.close(resolve));
    });

    test('wss.clients tracks open connections; clientTracking: false does not', async () => {
      const p = await pair(WebSocket, WebSocketServer);
      assert.equal(p.wss.clients.size, 1);
      assert.ok(p.wss.clients.has(p.server));
      const serverClosed = once(p.server, 'close');
      await closeCleanly(p.client);
      await serverClosed;
      assert.equal(p.wss.clients.size, 0);
      await p.done();

      const untracked = await pair(WebSocket, WebSocketServer, { clientTracking: false });
      assert.ok(untracked.wss.clients === undefined || untracked.wss.clients.size === 0);
      await untracked.done();
    });

    test("close (code, reason) reaches the other side's 'close' (code, reason Buffer)", async () => {
      const p = await pair(WebSocket, WebSocketServer);
      const serverClose = once(p.server, 'close');
      const { code, reason } = await closeCleanly(p.client);
      assert.equal(code, 1000);
      assert.ok(Buffer.isBuffer(reason));
      assert.equal(reason.toString(), 'bye');
      const [serverCode, serverReason] = await serverClose;
      assert.equal(serverCode, 1000);
      assert.equal(serverReason.toString(), 'bye');
      await p.done();
    });
  });
}
