// `socketeer serve --broadcast --workers N` and `--redis URL`: a broadcast
// reaches the clients of every worker and of every server on one Redis.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { WebSocket } from '../../dist/esm/index.js';
import { redisSkip, startRedis, until } from '../pubsub/lib.mjs';
import { runCli, startCli } from './cli-helpers.mjs';

async function startServe(args) {
  const cli = startCli(['serve', '--broadcast', '--port', '0', ...args]);
  const match = await cli.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\//);
  return { cli, url: `ws://127.0.0.1:${match[1]}/` };
}

async function client(url) {
  const ws = new WebSocket(url);
  const received = [];
  ws.on('message', (data) => received.push(String(data)));
  await once(ws, 'open');
  return { ws, received };
}

async function stop(cli) {
  cli.child.kill('SIGTERM');
  const { code } = await cli.exited;
  return code;
}

describe('socketeer serve with topics', () => {
  test('--workers 2 --broadcast: every client of both workers gets each message once', async () => {
    const { cli, url } = await startServe(['--workers', '2']);
    try {
      await cli.waitFor(/listening[^\n]*\n[^]*listening/); // both workers
      const clients = [];
      for (let i = 0; i < 6; i++) clients.push(await client(url)); // round-robin: 3 on each worker
      // A broadcast client subscribes on connect; the first message waits for every worker's subscription.
      await new Promise((resolve) => setImmediate(resolve));
      const deadline = Date.now() + 10_000;
      while (!clients.every((c) => c.received.includes('ping'))) {
        assert.ok(Date.now() < deadline, 'the broadcast did not reach every client');
        clients[0].ws.send('ping');
        await until(() => clients[0].received.filter((m) => m === 'ping').length > 0, 'own echo', 2000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (!clients.every((c) => c.received.includes('ping'))) for (const c of clients) c.received.length = 0;
      }
      for (const c of clients) c.received.length = 0;
      clients[5].ws.send('hello all');
      await until(() => clients.every((c) => c.received.includes('hello all')), 'hello everywhere');
      for (const c of clients) assert.deepEqual(c.received, ['hello all']);
      for (const c of clients) c.ws.close();
      assert.equal(await stop(cli), 0);
    } finally {
      await cli.kill();
    }
  });

  test('--redis URL: two serve processes share one broadcast', { skip: redisSkip() }, async () => {
    const redis = await startRedis();
    const a = await startServe(['--redis', redis.url]);
    const b = await startServe(['--redis', redis.url]);
    try {
      const onA = await client(a.url);
      const onB = await client(b.url);
      const deadline = Date.now() + 10_000;
      while (!onB.received.includes('from a')) {
        assert.ok(Date.now() < deadline, 'the broadcast did not cross Redis');
        onA.ws.send('from a');
        await until(() => onA.received.includes('from a'), 'own echo', 2000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      onB.ws.send('from b');
      await until(() => onA.received.includes('from b'), 'from b on a');
      onA.ws.close();
      onB.ws.close();
      assert.equal(await stop(a.cli), 0);
      assert.equal(await stop(b.cli), 0);
    } finally {
      await a.cli.kill();
      await b.cli.kill();
      await redis.stop();
    }
  });

  test('usage errors for --workers and --redis', async () => {
    for (const args of [['--workers', '0'], ['--workers', 'many'], ['--redis', 'localhost:6379']]) {
      const { code, stderr } = await runCli(['serve', ...args]);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /--(workers|redis) wants/);
    }
  });
});
