// `socketeer serve`: modes, the access log (human and --json), shutdown and exit codes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import { WebSocket } from '../../dist/esm/index.js';
import { jsonLines, runCli, startCli } from './cli-helpers.mjs';

async function startServe(args) {
  const cli = startCli(['serve', '--port', '0', ...args]);
  const match = await cli.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\//);
  return { cli, url: `ws://127.0.0.1:${match[1]}/` };
}

async function openClient(url, protocols) {
  const ws = new WebSocket(url, protocols);
  const received = [];
  ws.on('message', (data, isBinary) => received.push(isBinary ? data : data.toString()));
  await once(ws, 'open');
  return { ws, received };
}

async function until(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('socketeer serve', () => {
  test('--echo (the default) with a JSON access log of connect, messages and close', async () => {
    const { cli, url } = await startServe(['--json']);
    try {
      const { ws, received } = await openClient(url);
      ws.send('hello');
      ws.send(Buffer.from([1, 2, 3]));
      await until(() => received.length === 2, 'two echoes');
      assert.equal(received[0], 'hello');
      assert.deepEqual([...received[1]], [1, 2, 3]);
      ws.close(1000, 'done');
      await ws.closed;
      await cli.waitFor(/"event":"close"/);
      cli.child.kill('SIGTERM');
      const { code } = await cli.exited;
      assert.equal(code, 0);
      const events = jsonLines(cli.state.stdout);
      assert.deepEqual(events.map((e) => e.event), ['listening', 'connect', 'message', 'message', 'close', 'shutdown', 'stopped']);
      assert.equal(events[0].mode, 'echo');
      assert.match(events[1].remote, /^127\.0\.0\.1:\d+$/);
      assert.deepEqual({ type: events[3].type, length: events[3].length }, { type: 'binary', length: 3 });
      const close = events[4];
      assert.deepEqual(
        { code: close.code, codeName: close.codeName, reason: close.reason, wasClean: close.wasClean, initiator: close.initiator, in: close.messagesIn, out: close.messagesOut },
        { code: 1000, codeName: 'Normal Closure', reason: 'done', wasClean: true, initiator: 'client', in: 2, out: 2 },
      );
    } finally {
      await cli.kill();
    }
  });

  test('the human access log shows connects, closes with code, reason and cleanliness, and counts', async () => {
    const { cli, url } = await startServe(['--path', '/chat', '-s', 'chat.v1']);
    try {
      const { ws, received } = await openClient(`${url}chat`, ['chat.v1']);
      assert.equal(ws.protocol, 'chat.v1');
      ws.send('hi there');
      await until(() => received.length === 1, 'the echo');
      ws.close(4000, 'bye');
      await ws.closed;
      await cli.waitFor(/#1 close/);
      const log = cli.state.stdout;
      assert.match(log, /\* listening on ws:\/\/127\.0\.0\.1:\d+\/chat \(echo\)/);
      assert.match(log, /#1 connect 127\.0\.0\.1:\d+ \/chat protocol=chat\.v1/);
      assert.match(log, /#1 < text "hi there"/);
      assert.match(log, /#1 close 4000 \S.*, reason "bye", clean, by client; messages in 1, out 1; \d+\.\d\ds/);
      assert.doesNotMatch(log, /\x1b\[/);
      // Another path is refused by the handshake.
      const stray = new WebSocket(`${url}elsewhere`);
      stray.on('error', () => {});
      const closed = await stray.closed;
      assert.equal(closed.code, 1006);
    } finally {
      await cli.kill();
    }
  });

  test('--broadcast sends every message to every client; SIGINT closes them with 1001', async () => {
    const { cli, url } = await startServe(['--broadcast']);
    try {
      const a = await openClient(url);
      const b = await openClient(url);
      await cli.waitFor(/#2 connect/);
      a.ws.send('to everyone');
      await until(() => a.received.length === 1 && b.received.length === 1, 'the broadcast');
      assert.deepEqual([a.received[0], b.received[0]], ['to everyone', 'to everyone']);
      cli.child.kill('SIGINT');
      const [closeA, closeB] = await Promise.all([a.ws.closed, b.ws.closed]);
      assert.equal(closeA.code, 1001);
      assert.equal(closeB.code, 1001);
      const { code } = await cli.exited;
      assert.equal(code, 0);
      assert.match(cli.state.stdout, /SIGINT: closing 2 connection\(s\) with 1001 Going Away/);
      assert.match(cli.state.stdout, /#1 close 1001 Going Away, reason "Server shutting down", clean, by server; messages in 1, out 1/);
    } finally {
      await cli.kill();
    }
  });

  test('--exec pipes a connection to a process; its exit closes the connection', async () => {
    const upper = `${JSON.stringify(process.execPath)} -e "process.stdin.setEncoding('utf8').on('data', (d) => process.stdout.write(d.toUpperCase()))"`;
    const { cli, url } = await startServe(['--exec', upper]);
    try {
      const { ws, received } = await openClient(url);
      ws.send('shout this');
      await until(() => received.length === 1, 'the process output');
      assert.equal(received[0], 'SHOUT THIS');
      ws.close();
      await ws.closed;
    } finally {
      await cli.kill();
    }
    const oneLine = await startServe(['--exec', 'head -n 1']);
    try {
      const { ws, received } = await openClient(oneLine.url);
      ws.send('only line');
      const closed = await ws.closed;
      assert.deepEqual(received, ['only line']);
      assert.deepEqual({ code: closed.code, reason: closed.reason, wasClean: closed.wasClean }, { code: 1000, reason: 'process exited', wasClean: true });
      await oneLine.cli.waitFor(/#1 close 1000 Normal Closure, reason "process exited", clean, by server/);
    } finally {
      await oneLine.cli.kill();
    }
    const failing = await startServe(['--exec', 'read line; exit 3']);
    try {
      const { ws } = await openClient(failing.url);
      ws.send('anything');
      const closed = await ws.closed;
      assert.deepEqual({ code: closed.code, reason: closed.reason, wasClean: closed.wasClean }, { code: 1011, reason: 'process exited with status 3', wasClean: true });
    } finally {
      await failing.cli.kill();
    }
  });

  test('a port in use exits 1 and says what to do; contradicting modes exit 2', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const { code, stderr } = await runCli(['serve', '--port', String(blocker.address().port)]);
      assert.equal(code, 1);
      assert.match(stderr, /is taken: try another --port/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    assert.equal((await runCli(['serve', '--echo', '--broadcast'])).code, 2);
  });
});
