// The server's RFC 8441 handshake: every malformed or refused extended
// CONNECT gets the HTTP status the issue specifies on its own stream, the
// stream ends, no WebSocket opens, and the HTTP/2 session stays usable.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import {
  startH2Server, rawSession, rawRequest, wsConnect, openClient, closed, WebSocket, WebSocketServer, HOST, KEY, CERT, withTimeout,
} from './lib.mjs';

describe('http2 handshake: refusals on an attached server', () => {
  let fixture;
  let session;
  before(async () => {
    fixture = await startH2Server({
      wssOptions: {
        path: '/ws',
        allowedOrigins: ['https://good.example'],
        verifyClient: ({ req }) => req.headers['x-deny'] === undefined,
        handleProtocols: (offered) => (offered.has('chat') ? 'chat' : false),
      },
    });
    session = await rawSession(fixture.origin);
  });
  after(async () => {
    session.close();
    await fixture.close();
  });

  const good = (extra = {}) => wsConnect('/ws', { origin: 'https://good.example', ...extra });
  const cases = [
    ['wrong version', good({ 'sec-websocket-version': '8' }), 426],
    ['missing version', (() => { const h = good(); delete h['sec-websocket-version']; return h; })(), 400],
    ['unknown :protocol', { ...good(), ':protocol': 'not-websocket' }, 501],
    ['plain CONNECT (no :protocol)', { ':method': 'CONNECT', ':authority': 'example.com:443' }, 405],
    ['path of no endpoint', wsConnect('/elsewhere', { origin: 'https://good.example' }), 404],
    ['origin not allowed', wsConnect('/ws', { origin: 'https://evil.example' }), 403],
    ['verifyClient refuses', good({ 'x-deny': '1' }), 403],
    ['invalid subprotocol list', good({ 'sec-websocket-protocol': 'a, a' }), 400],
  ];
  for (const [title, headers, status] of cases) {
    test(`${title} -> ${status}, stream ended, no WebSocket`, async () => {
      const before = fixture.seen.connections.length;
      const answer = await rawRequest(session, headers);
      assert.equal(answer.status, status, `body: ${answer.body}`);
      assert.ok(answer.body.length > 0, 'a refusal explains itself in the body');
      assert.ok(answer.rstCode === 0 || answer.rstCode === http2.constants.NGHTTP2_NO_ERROR, `rst ${answer.rstCode}`);
      assert.equal(fixture.seen.connections.length, before);
    });
  }

  test('426 carries sec-websocket-version: 13', async () => {
    const answer = await rawRequest(session, good({ 'sec-websocket-version': '12' }));
    assert.equal(answer.status, 426);
    assert.equal(answer.headers['sec-websocket-version'], '13');
  });

  test('missing :authority or a relative :path never opens a WebSocket (refused or reset)', async () => {
    // Node's client fills in :authority unless `host` is given; nghttp2 itself
    // resets some malformed heads before the server sees them.
    for (const headers of [good({ host: 'x' }), { ...good(), ':path': 'ws' }]) {
      const answer = await rawRequest(session, headers);
      const refused = answer.status === 400 || answer.status === 404;
      const reset = answer.rstCode === http2.constants.NGHTTP2_PROTOCOL_ERROR;
      assert.ok(refused || reset, `status ${answer.status}, rst ${answer.rstCode}, error ${answer.error?.code}`);
    }
  });

  test('the session survives every refusal: a valid CONNECT then opens with the chosen subprotocol', async () => {
    const answer = withTimeout(new Promise((resolve) => {
      const stream = session.request(good({ 'sec-websocket-protocol': 'x, chat' }), { endStream: false });
      stream.on('response', (headers) => {
        resolve(headers);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      });
    }), 5000, 'for the 200');
    const headers = await answer;
    assert.equal(headers[':status'], 200);
    assert.equal(headers['sec-websocket-protocol'], 'chat');
    assert.equal(headers['sec-websocket-accept'], undefined, 'no accept hash over HTTP/2');
    assert.equal(session.destroyed, false);
  });

  test('GET to a server whose only stream listener is ours gets 426 (not left hanging)', async () => {
    const bare = http2.createServer();
    const wss = new WebSocketServer({ server: bare });
    bare.listen(0, HOST);
    await once(bare, 'listening');
    const s = await rawSession(`http://${HOST}:${bare.address().port}`);
    const get = await rawRequest(s, { ':method': 'GET', ':path': '/' });
    assert.equal(get.status, 426);
    const plain = await rawRequest(s, { ':method': 'CONNECT', ':authority': 'a:1' });
    assert.equal(plain.status, 405);
    s.close();
    await wss.close();
    await new Promise((resolve) => bare.close(resolve));
  });
});

describe('http2 handshake: limits and noServer', () => {
  test('maxConnections: the next CONNECT gets 503 with Retry-After', async () => {
    const fixture = await startH2Server({ wssOptions: { maxConnections: 1 } });
    const first = await openClient(fixture.url());
    const session = await rawSession(fixture.origin);
    const answer = await rawRequest(session, wsConnect('/'));
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '5');
    session.close();
    first.close();
    await closed(first);
    await fixture.close();
  });

  test('async verifyClient that never answers: 408 after handshakeTimeout', async () => {
    const fixture = await startH2Server({ wssOptions: { handshakeTimeout: 200, verifyClient: (_info, _done) => {} } });
    const session = await rawSession(fixture.origin);
    const answer = await rawRequest(session, wsConnect('/'));
    assert.equal(answer.status, 408);
    session.close();
    await fixture.close();
  });

  test('handleStream(): the noServer form, with request information', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const server = http2.createSecureServer({ key: KEY, cert: CERT, settings: { enableConnectProtocol: true } });
    const connected = new Promise((resolve) => {
      server.on('stream', (stream, headers) => {
        if (headers[':method'] === 'CONNECT') wss.handleStream(stream, headers, (ws, request) => resolve({ ws, request }));
        else stream.respond({ ':status': 404 }, { endStream: true });
      });
    });
    server.listen(0, HOST);
    await once(server, 'listening');
    const client = await openClient(`wss://${HOST}:${server.address().port}/room?x=1`, { headers: { 'x-user': 'ann' } });
    const { ws, request } = await withTimeout(connected, 5000, 'for handleStream');
    assert.equal(request.httpVersion, '2.0');
    assert.equal(request.method, 'CONNECT');
    assert.equal(request.url, '/room?x=1');
    assert.equal(request.headers['x-user'], 'ann');
    assert.equal(request.headers[':protocol'], 'websocket');
    assert.equal(request.socket.remoteAddress, HOST);
    assert.ok(request.stream, 'the stream is reachable');
    ws.close(1000);
    const [c1, c2] = await Promise.all([closed(client), closed(ws)]);
    assert.equal(c1.code, 1000);
    assert.equal(c2.wasClean, true);
    await wss.close();
    server.close();
  });

  test('a server that did not enable extended CONNECT: Node resets the CONNECT; http2: true fails with WS_ERR_HTTP2_UNAVAILABLE', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const server = http2.createSecureServer({ key: KEY, cert: CERT }, (_req, res) => res.end('page'));
    server.on('stream', (stream, headers) => {
      if (headers[':method'] === 'CONNECT') wss.handleStream(stream, headers, () => assert.fail('no WebSocket may open'));
    });
    server.listen(0, HOST);
    await once(server, 'listening');
    const origin = `https://${HOST}:${server.address().port}`;
    const session = await rawSession(origin);
    assert.equal(session.remoteSettings.enableConnectProtocol, false);
    const answer = await rawRequest(session, wsConnect('/'));
    assert.notEqual(answer.status, 200, `status ${answer.status}, rst ${answer.rstCode}`);
    session.close();

    const ws = new WebSocket(`wss://${HOST}:${server.address().port}/`, { http2: true, rejectUnauthorized: false });
    const wsClosed = closed(ws);
    const [error] = await once(ws, 'error');
    assert.equal(error.code, 'WS_ERR_HTTP2_UNAVAILABLE');
    assert.match(error.message, /extended CONNECT/);
    assert.equal((await wsClosed).code, 1006);
    await wss.close();
    server.close();
  });
});

describe('http2 client: fallback and errors', () => {
  test("'auto' against an HTTP/1.1-only TLS server falls back; true fails with WS_ERR_HTTP2_UNAVAILABLE", async () => {
    const wss = new WebSocketServer({ noServer: true });
    const https = await import('node:https');
    const server = https.createServer({ key: KEY, cert: CERT });
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d) => ws.send(d))));
    server.listen(0, HOST);
    await once(server, 'listening');
    const url = `wss://${HOST}:${server.address().port}/`;

    const auto = await openClient(url, { http2: 'auto' });
    auto.send('via 1.1');
    const [msg] = await once(auto, 'message');
    assert.equal(String(msg), 'via 1.1');
    auto.close();
    await closed(auto);

    let upgradeVersion;
    const strict = new WebSocket(url, { http2: true, rejectUnauthorized: false });
    strict.on('upgrade', (res) => (upgradeVersion = res.httpVersion));
    const strictClosed = closed(strict);
    const [error] = await once(strict, 'error');
    assert.equal(error.code, 'WS_ERR_HTTP2_UNAVAILABLE');
    assert.match(error.message, /ALPN/);
    assert.equal(upgradeVersion, undefined);
    await strictClosed;
    await wss.close();
    server.close();
  });

  test("'auto' uses HTTP/2 when the server offers it", async () => {
    const fixture = await startH2Server();
    const ws = new WebSocket(fixture.url(), { http2: 'auto', rejectUnauthorized: false });
    const opened = once(ws, 'open');
    const [response] = await once(ws, 'upgrade');
    assert.equal(response.httpVersion, '2.0');
    await opened;
    assert.equal(fixture.seen.connectStreams, 1);
    ws.close();
    await closed(ws);
    await fixture.close();
  });

  test('a refused CONNECT reports the status as WS_ERR_UNEXPECTED_RESPONSE', async () => {
    const fixture = await startH2Server({ wssOptions: { path: '/only' } });
    const ws = new WebSocket(fixture.url('/other'), { http2: true, rejectUnauthorized: false });
    const wsClosed = closed(ws);
    const [error] = await once(ws, 'error');
    assert.equal(error.code, 'WS_ERR_UNEXPECTED_RESPONSE');
    assert.equal(error.statusCode, 404);
    assert.equal((await wsClosed).code, 1006);
    await fixture.close();
  });

  test('http2: true with a proxy fails with WS_ERR_INVALID_OPTION', async () => {
    const ws = new WebSocket(`wss://${HOST}:1/`, { http2: true, proxy: 'http://127.0.0.1:1' });
    const wsClosed = closed(ws);
    const [error] = await once(ws, 'error');
    assert.equal(error.code, 'WS_ERR_INVALID_OPTION');
    await wsClosed;
  });

  test('a certificate the client does not trust fails the handshake (TLS options apply)', async () => {
    const fixture = await startH2Server();
    const ws = new WebSocket(fixture.url(), { http2: true });
    const wsClosed = closed(ws);
    const [error] = await once(ws, 'error');
    assert.match(error.code, /CERT|SELF_SIGNED|UNABLE/);
    await wsClosed;
    const trusted = await openClient(fixture.url(), { rejectUnauthorized: true, ca: CERT, servername: 'localhost' });
    trusted.close();
    await closed(trusted);
    await fixture.close();
  });
});
