// socketeer client <-> socketeer server over HTTP/2 streams: h2 (TLS) and
// h2c, HTTP/1.1 and HTTP/2 on one port, permessage-deflate, subprotocols,
// request information, and 100 WebSockets sharing one HTTP/2 session.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startH2Server, openClient, nextMessage, closed, withTimeout, HOST } from './lib.mjs';

function echo(fixture) {
  fixture.wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
}

for (const secure of [true, false]) {
  const label = secure ? 'h2 (TLS)' : 'h2c';
  describe(`http2 round trip over ${label}`, () => {
    test('text and binary echo, Close both ways with code and reason, wasClean on both sides', async () => {
      const fixture = await startH2Server({ secure });
      echo(fixture);
      const client = await openClient(fixture.url('/chat?room=1'), {}, ['v2', 'v1']);
      assert.equal(fixture.seen.connectStreams, 1, 'the server saw an extended CONNECT stream');
      const [{ ws: server, request }] = fixture.seen.connections;
      assert.equal(request.httpVersion, '2.0');
      assert.equal(request.url, '/chat?room=1');
      assert.equal(request.headers[':scheme'], secure ? 'https' : 'http');
      assert.equal(client.protocol, 'v2');
      assert.equal(server.protocol, 'v2');

      client.send('héllo');
      assert.deepEqual(await nextMessage(client), { data: 'héllo', isBinary: false });
      const bytes = Buffer.from([0, 1, 2, 255, 254]);
      client.send(bytes);
      const got = await nextMessage(client);
      assert.equal(got.isBinary, true);
      assert.deepEqual(got.data, bytes);
      const big = Buffer.alloc(300_000, 7); // larger than the stream's initial flow-control window
      client.send(big);
      assert.deepEqual((await nextMessage(client, 10_000)).data, big);

      const serverClosed = closed(server);
      client.close(4001, 'client done');
      const [c, s] = await Promise.all([closed(client), serverClosed]);
      assert.deepEqual(c, { code: 4001, reason: 'client done', wasClean: true });
      assert.deepEqual(s, { code: 4001, reason: 'client done', wasClean: true });

      const again = await openClient(fixture.url('/'));
      const { ws: server2 } = fixture.seen.connections[1];
      const againClosed = closed(again);
      server2.close(4002, 'server done');
      const [c2, s2] = await Promise.all([againClosed, closed(server2)]);
      assert.deepEqual(c2, { code: 4002, reason: 'server done', wasClean: true });
      assert.deepEqual(s2, { code: 4002, reason: 'server done', wasClean: true });
      assert.equal(fixture.seen.sessions, 1, 'both WebSockets used one HTTP/2 session');
      await fixture.close();
    });

    test('permessage-deflate negotiated through the same headers, messages inflate', async () => {
      const fixture = await startH2Server({ secure, wssOptions: { perMessageDeflate: { threshold: 0 } } });
      echo(fixture);
      const client = await openClient(fixture.url(), { perMessageDeflate: { threshold: 0 } });
      assert.match(client.extensions, /permessage-deflate/);
      const text = 'compress me '.repeat(2000);
      client.send(text);
      assert.equal((await nextMessage(client)).data, text);
      const clientClosed = closed(client);
      client.close(1000);
      assert.equal((await clientClosed).wasClean, true);
      await fixture.close();
    });
  });
}

describe('http2: one port, many sockets', () => {
  test('HTTP/1.1 upgrade and HTTP/2 CONNECT on the same port (allowHTTP1)', async () => {
    const fixture = await startH2Server({ allowHTTP1: true });
    echo(fixture);
    const h2 = await openClient(fixture.url(), { http2: true });
    const h1 = await openClient(fixture.url(), { http2: false });
    const versions = fixture.seen.connections.map((c) => c.request.httpVersion).sort();
    assert.deepEqual(versions, ['1.1', '2.0']);
    h1.send('one');
    h2.send('two');
    assert.equal((await nextMessage(h1)).data, 'one');
    assert.equal((await nextMessage(h2)).data, 'two');
    const done = Promise.all([closed(h1), closed(h2)]);
    h1.close(1000);
    h2.close(1000);
    for (const info of await done) assert.equal(info.wasClean, true);
    await fixture.close();
  });

  test('100 WebSockets over one HTTP/2 session, each echoing its own messages', async () => {
    const fixture = await startH2Server({ serverOptions: { settings: { maxConcurrentStreams: 200 } } });
    echo(fixture);
    const clients = await Promise.all(Array.from({ length: 100 }, (_, i) => openClient(fixture.url(`/n${i}`))));
    assert.equal(fixture.seen.sessions, 1);
    assert.equal(fixture.seen.connectStreams, 100);
    const replies = await Promise.all(clients.map((ws, i) => {
      const reply = nextMessage(ws);
      ws.send(`message ${i}`);
      return reply;
    }));
    replies.forEach((r, i) => assert.equal(r.data, `message ${i}`));
    const done = Promise.all(clients.map((ws) => closed(ws, 10_000)));
    for (const ws of clients) ws.close(1000);
    for (const info of await done) assert.deepEqual(info, { code: 1000, reason: '', wasClean: true });
    await fixture.close();
  });

  test('the client session closes after its last WebSocket (idle delay) and a new one opens later', async () => {
    const fixture = await startH2Server();
    const sessionClosed = new Promise((resolve) => fixture.server.once('session', (s) => s.once('close', resolve)));
    const ws = await openClient(fixture.url(), { http2IdleTimeout: 50 });
    const wsClosed = closed(ws);
    ws.close(1000);
    await wsClosed;
    await withTimeout(sessionClosed, 5000, 'for the idle session to close');
    const next = await openClient(fixture.url(), { http2IdleTimeout: 50 });
    assert.equal(fixture.seen.sessions, 2);
    const nextClosed = closed(next);
    next.close(1000);
    await nextClosed;
    await fixture.close();
  });

  test("request information reaches 'connection': headers, remote address, httpVersion", async () => {
    const fixture = await startH2Server();
    const [connection] = await Promise.all([
      once(fixture.wss, 'connection'),
      openClient(fixture.url('/info'), { headers: { 'x-trace': 'abc' }, origin: 'https://app.example' }),
    ]);
    const request = connection[1];
    assert.equal(request.httpVersion, '2.0');
    assert.equal(request.headers['x-trace'], 'abc');
    assert.equal(request.headers.origin, 'https://app.example');
    assert.equal(request.socket.remoteAddress, HOST);
    assert.equal(request.socket.encrypted, true);
    await fixture.close();
  });
});
