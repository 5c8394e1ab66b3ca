// `socketeer bench`: the final table, --json, and exit codes (short runs: no speed is asserted).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { echoServer, runCli } from './cli-helpers.mjs';

describe('socketeer bench', () => {
  let echo;
  before(async () => {
    echo = await echoServer();
  });
  after(() => echo.close());

  test('window mode prints the throughput and latency table and exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['bench', echo.url, '-c', '3', '--window', '2', '--size', '100', '--duration', '400ms']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^socketeer bench ws:\/\/127\.0\.0\.1:\d+: 3 connection\(s\), 100-byte text messages, window 2 per connection, \d+\.\d s$/m);
    const received = /^messages received\s+(\d+)\s+(\d+)$/m.exec(stdout);
    assert.ok(received, stdout);
    assert.ok(Number(received[1]) > 0);
    assert.match(stdout, /^latency \(ms\)\s+min\s+p50\s+p90\s+p99\s+p99\.9\s+max\s+mean$/m);
    assert.match(stdout, /^round trip(\s+\d+(\.\d+)?){7}$/m);
    assert.match(stdout, /^connections: 3 opened, 0 failed, 3 closed cleanly, 0 not cleanly/m);
    assert.equal(stderr, '', 'no progress line without a terminal');
  });

  test('rate mode with --json gives one object with counts and percentiles', async () => {
    const { code, stdout, stderr } = await runCli(['bench', echo.url, '-c', '2', '--rate', '200', '--binary', '--size', '1k', '-d', '0.5', '--json']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.deepEqual(result.mode, { rate: 200 });
    assert.equal(result.opened, 2);
    assert.equal(result.cleanCloses, 2);
    assert.ok(result.sent >= 50 && result.sent <= 100, `about 100 messages in 0.5 s at 200/s, got ${result.sent}`);
    assert.equal(result.received, result.sent);
    assert.equal(result.bytesReceived, result.received * 1024);
    const l = result.latencyMs;
    assert.ok(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, JSON.stringify(l));
  });

  test('a server that cannot be reached exits 3; bad options exit 2', async () => {
    // A TCP server that hangs up on every connection: a handshake that always fails.
    const hangUp = net.createServer((socket) => socket.destroy());
    hangUp.listen(0, '127.0.0.1');
    await once(hangUp, 'listening');
    try {
      const { code, stdout, stderr } = await runCli(['bench', `ws://127.0.0.1:${hangUp.address().port}/`, '-c', '2', '-d', '1']);
      assert.equal(code, 3, stdout + stderr);
      assert.match(stderr, /2 of 2 connection\(s\) failed to open: /);
    } finally {
      await new Promise((resolve) => hangUp.close(resolve));
    }
    for (const args of [['bench', echo.url, '--rate', '5', '--window', '2']]) {
      const { code: status, stderr: text } = await runCli(args);
      assert.equal(status, 2, `${args.join(' ')}: ${text}`);
    }
  });

  test('a server that never answers: the table says so and a hint goes to stderr', async () => {
    const silent = await echoServer(() => {});
    try {
      const { code, stdout, stderr } = await runCli(['bench', silent.url, '-d', '200ms']);
      assert.equal(code, 0);
      assert.match(stdout, /^round trip(\s+-){7}$/m);
      assert.match(stderr, /no replies came back/);
    } finally {
      await silent.close();
    }
  });
});
