// `socketeer connect` in its scripted modes (--execute, piped stdin, --json), through pipes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer as WsServer } from 'ws';
import { echoServer, jsonLines, runCli } from './cli-helpers.mjs';

describe('socketeer connect, scripted', () => {
  let echo;
  before(async () => {
    echo = await echoServer();
  });
  after(() => echo.close());

  test('--execute sends each message, prints replies with markers and times, exits 0 on a clean close', async () => {
    const { code, stdout, stderr } = await runCli(['connect', echo.url, '-x', 'hello', '-x', 'second', '-n', '2', '--wait', '10s']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^\d\d:\d\d:\d\d\.\d{3} \* connected to ws:\/\/127\.0\.0\.1:\d+\//m);
    assert.match(stdout, /^\d\d:\d\d:\d\d\.\d{3} > hello$/m);
    assert.match(stdout, /^\d\d:\d\d:\d\d\.\d{3} < hello$/m);
    assert.match(stdout, /^\d\d:\d\d:\d\d\.\d{3} < second$/m);
    assert.match(stdout, /closed by the client \(us\): 1000 Normal Closure, no reason, clean$/m);
    assert.doesNotMatch(stdout, /\x1b\[/, 'no colours through a pipe');
  });

  test('slash commands in --execute: /binary shows a hex dump, /ping a round trip, /close a code and reason', async () => {
    const { code, stdout, stderr } = await runCli(['connect', echo.url, '-x', '/binary 00 01 fe ff', '-x', '/ping abc', '-x', '/close 4001 all done', '--wait', '5s']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /> binary, 4 bytes: 00 01 fe ff$/m);
    assert.match(stdout, /< binary, 4 bytes: 00 01 fe ff$/m);
    assert.match(stdout, /< pong abc \(round trip \d+\.\d\d ms\)$/m);
    assert.match(stdout, /closed by the client \(us\): 4001 \S.*, reason "all done", clean$/m);
  });

  test('--json prints one parseable object per event', async () => {
    const { code, stdout, stderr } = await runCli(['connect', echo.url, '--json', '-x', 'hi', '-x', '/binary 0a0b', '--count', '2']);
    assert.equal(code, 0, stderr);
    const events = jsonLines(stdout);
    assert.equal(events[0].event, 'open');
    assert.equal(events[0].status, 101);
    assert.equal(typeof events[0].headers['sec-websocket-accept'], 'string');
    assert.ok(events.some((e) => e.event === 'sent' && e.type === 'text' && e.data === 'hi'));
    assert.ok(events.some((e) => e.event === 'message' && e.type === 'text' && e.data === 'hi'));
    assert.ok(events.some((e) => e.event === 'message' && e.type === 'binary' && e.base64 === 'Cgs=' && e.length === 2));
    const close = events.at(-1);
    assert.deepEqual(
      { event: close.event, code: close.code, codeName: close.codeName, wasClean: close.wasClean, initiator: close.initiator },
      { event: 'close', code: 1000, codeName: 'Normal Closure', wasClean: true, initiator: 'client' },
    );
    for (const e of events) assert.ok(!Number.isNaN(Date.parse(e.time)), 'every event has an ISO time');
  });

  test('piped stdin: each line is a message; --count closes after that many replies', async () => {
    const { code, stdout, stderr } = await runCli(['connect', echo.url, '-n', '3'], { input: 'one\ntwo\n//slash\n' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /< one$/m);
    assert.match(stdout, /< two$/m);
    assert.match(stdout, /< \/slash$/m);
  });

  test('--wait closes after the given time when no --count is reached', async () => {
    const started = Date.now();
    const { code, stdout } = await runCli(['connect', echo.url, '-x', 'w', '--wait', '300ms', '--json']);
    assert.equal(code, 0);
    assert.ok(Date.now() - started >= 300);
    assert.equal(jsonLines(stdout).at(-1).event, 'close');
  });

  test('a close started by the server shows the initiator, code name and reason; exit 0', async () => {
    const server = await echoServer((ws) => ws.on('message', () => ws.close(1001, 'bye now')));
    try {
      const { code, stdout, stderr } = await runCli(['connect', server.url, '-x', 'x', '--wait', '10s']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /closed by the server: 1001 Going Away, reason "bye now", clean$/m);
    } finally {
      await server.close();
    }
  });

  test('a connection dropped without a closing handshake exits 4 and says so', async () => {
    const server = await echoServer((ws) => ws.on('message', () => ws.terminate()));
    try {
      const { code, stdout } = await runCli(['connect', server.url, '-x', 'x', '--wait', '10s']);
      assert.equal(code, 4);
      assert.match(stdout, /closed without a closing handshake \(connection lost\): 1006 \S.*, not clean$/m);
    } finally {
      await server.close();
    }
  });

  test('compression is offered by default and shown when the server accepts it', async () => {
    const wss = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    await once(wss, 'listening');
    const offers = [];
    wss.on('connection', (ws, req) => {
      offers.push(req.headers['sec-websocket-extensions']);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    try {
      const url = `ws://127.0.0.1:${wss.address().port}/`;
      const big = 'x'.repeat(2000); // big enough for ws to compress it
      const { code, stdout, stderr } = await runCli(['connect', url, '-x', big, '-n', '1', '--json']);
      assert.equal(code, 0, stderr);
      const events = jsonLines(stdout);
      assert.match(events[0].extensions, /^permessage-deflate/);
      assert.equal(events.find((e) => e.event === 'message')?.data, big, 'a compressed echo arrives whole');
      assert.match(offers[0] ?? '', /permessage-deflate/);
      const off = await runCli(['connect', url, '-x', 'hi', '-n', '1', '--no-compress']);
      assert.equal(off.code, 0, off.stderr);
      assert.match(off.stdout, /extensions: \(none\)/);
      assert.equal(offers[1], undefined, '--no-compress offers nothing');
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  test('against a ws server: subprotocol and headers are sent, the chosen protocol is shown', async () => {
    const wss = new WsServer({ port: 0, host: '127.0.0.1', handleProtocols: (set) => (set.has('chat.v2') ? 'chat.v2' : false) });
    await once(wss, 'listening');
    let seen;
    wss.on('connection', (ws, req) => {
      seen = { auth: req.headers.authorization, origin: req.headers.origin, extensions: req.headers['sec-websocket-extensions'] };
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    try {
      const url = `ws://127.0.0.1:${wss.address().port}/`;
      const args = ['connect', url, '-s', 'chat.v1', '-s', 'chat.v2', '-H', 'Authorization: Bearer t0k', '--origin', 'https://app.example', '--no-compress', '-v', '-x', 'ping?', '-n', '1'];
      const { code, stdout, stderr } = await runCli(args);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /connected to .*protocol: chat\.v2, extensions: \(none\)/);
      assert.match(stdout, /< ping\?$/m);
      assert.match(stdout, /\* HTTP 101 Switching Protocols$/m, '-v shows the response');
      assert.match(stdout, /\* {3}Sec-WebSocket-Protocol: chat\.v2$/im);
      assert.deepEqual(seen, { auth: 'Bearer t0k', origin: 'https://app.example', extensions: undefined });
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  test('a non-101 answer: exit 3 with the HTTP status, headers and body on stderr', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="test"', 'Content-Type': 'text/plain' });
      res.end('token missing\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `ws://127.0.0.1:${server.address().port}/`;
      const human = await runCli(['connect', url, '-x', 'hi']);
      assert.equal(human.code, 3);
      assert.match(human.stderr, /handshake failed: .*401/);
      assert.match(human.stderr, /^HTTP 401 Unauthorized$/m);
      assert.match(human.stderr, /^ {2}WWW-Authenticate: Bearer realm="test"$/m);
      assert.match(human.stderr, /token missing/);
      const json = await runCli(['connect', url, '-x', 'hi', '--json']);
      assert.equal(json.code, 3);
      const [event] = jsonLines(json.stdout);
      assert.equal(event.event, 'handshake-failed');
      assert.equal(event.status, 401);
      assert.equal(event.headers['www-authenticate'], 'Bearer realm="test"');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a redirect without -L fails with a hint; with -L it is followed', async () => {
    const server = http.createServer((req, res) => res.writeHead(301, { Location: echo.url + '/moved' }).end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `ws://127.0.0.1:${server.address().port}/`;
      const refused = await runCli(['connect', url, '-x', 'hi']);
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /301 Moved Permanently instead of 101 Switching Protocols: it redirects to ws:\/\/127\.0\.0\.1:\d+\/moved \(add -L to follow redirects\)/);
      const followed = await runCli(['connect', url, '-L', '-x', 'hi', '-n', '1']);
      assert.equal(followed.code, 0, followed.stderr);
      assert.match(followed.stdout, /connected to ws:\/\/127\.0\.0\.1:\d+\/moved/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a refused connection exits 3', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address();
    await new Promise((resolve) => blocker.close(resolve));
    const { code, stderr } = await runCli(['connect', `ws://127.0.0.1:${port}/`, '-x', 'hi']);
    assert.equal(code, 3);
    assert.match(stderr, /handshake failed: .*ECONNREFUSED/);
  });

  test('usage errors exit 2 with the problem and a hint on stderr', async () => {
    for (const args of [['connect', 'ws://x', '--bogus'], ['nosuchcommand']]) {
      const { code, stdout, stderr } = await runCli(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.ok(stderr.length > 0, `${args.join(' ')} explains itself`);
    }
  });

  test('FORCE_COLOR turns colours on through a pipe; NO_COLOR wins over it', async () => {
    const coloured = await runCli(['connect', echo.url, '-x', 'c', '-n', '1'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    assert.equal(coloured.code, 0);
    assert.match(coloured.stdout, /\x1b\[3\dm/);
    const plain = await runCli(['connect', echo.url, '-x', 'c', '-n', '1'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
  });

  test('--help prints the usage with examples and exits 0', async () => {
    const { code, stdout } = await runCli(['connect', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: socketeer connect/);
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /connect .*\n.*serve .*\n.*bench /);
  });
});
