// Topics across processes through a real redis-server that the tests start:
// servers in this process with separate buses, a server in a child process,
// no double delivery of a node's own publish, Redis killed and restarted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { redisPubSub } from '../../dist/esm/redis.js';
import { HOST, recordingClient, redisSkip, startRedis, until, within } from './lib.mjs';

const NODE_SCRIPT = fileURLToPath(new URL('./fixtures/redis-node.mjs', import.meta.url));

async function redisServer(url, prefix) {
  const wss = new WebSocketServer({ port: 0, host: HOST, pubsub: redisPubSub({ url, prefix, maxReconnectDelay: 200 }) });
  const errors = [];
  wss.on('pubsub-error', (error) => errors.push(error));
  await once(wss, 'listening');
  const address = `ws://${HOST}:${wss.address().port}`;
  /** A client of this server whose socket is subscribed to `topics`. */
  const join = async (...topics) => {
    const accepted = once(wss, 'connection');
    const client = await recordingClient(WebSocket, address);
    const [server] = await accepted;
    for (const topic of topics) server.subscribe(topic);
    await wss.topicsSynced();
    return { ...client, server };
  };
  return { wss, errors, join };
}

describe('topics on Redis', { skip: redisSkip() }, () => {
  let redis;
  before(async () => (redis = await startRedis()));
  after(async () => redis?.stop());

  test('two servers on one Redis: each delivers the other\'s publishes once, its own once, in order', async () => {
    const a = await redisServer(redis.url, 'two:');
    const b = await redisServer(redis.url, 'two:');
    try {
      const a1 = await a.join('chat');
      const a2 = await a.join('chat');
      const b1 = await b.join('chat');
      assert.equal(a.wss.publish('chat', 'from a'), 2);
      assert.equal(b1.server.publish('chat', 'from b1'), 0); // skips the sender; a's two get it through Redis
      for (let i = 0; i < 500; i++) a.wss.publish('chat', Buffer.from(String(i)));
      a.wss.publish('chat', 'end');
      const done = (c) => c.received.includes('end') && (c === b1 || c.received.includes('from b1'));
      await within(10_000, until(() => [a1, a2, b1].every(done), 'the end marker everywhere'));
      const numbers = Array.from({ length: 500 }, (_, i) => ({ binary: Buffer.from(String(i)) }));
      assert.deepEqual(b1.received, ['from a', ...numbers, 'end']);
      for (const c of [a1, a2]) {
        // Own publishes once (no echo through Redis), b1's once, in a's order.
        assert.equal(c.received.filter((m) => m === 'from a').length, 1);
        assert.equal(c.received.filter((m) => m === 'from b1').length, 1);
        assert.deepEqual(c.received.filter((m) => m !== 'from b1'), ['from a', ...numbers, 'end']);
      }
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      await Promise.all([a.wss.close(), b.wss.close()]);
    }
  });

  test('unsubscribe and close stop delivery; a topic nobody wants on a node is not subscribed there', async () => {
    const a = await redisServer(redis.url, 'stop:');
    const b = await redisServer(redis.url, 'stop:');
    try {
      const b1 = await b.join('t');
      const b2 = await b.join('t');
      a.wss.publish('t', 'one');
      await until(() => b1.received.length === 1 && b2.received.length === 1, 'one');
      b1.server.unsubscribe('t');
      b2.ws.close();
      await b2.ws.closed;
      await b.wss.topicsSynced();
      assert.equal(b.wss.subscriberCount('t'), 0);
      const b3 = await b.join('marker');
      a.wss.publish('t', 'two');
      a.wss.publish('marker', 'after');
      await until(() => b3.received.length === 1, 'the marker');
      assert.deepEqual(b1.received, ['one']);
      assert.deepEqual(b2.received, ['one']);
    } finally {
      await Promise.all([a.wss.close(), b.wss.close()]);
    }
  });

  test('a server in another process: publishes cross both ways, the sender skipped', async () => {
    const child = spawn(process.execPath, [NODE_SCRIPT, redis.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const local = await redisServer(redis.url, 'socketeer:');
    try {
      const [line] = await within(10_000, once(child.stdout, 'data'), 'the child server');
      const port = Number(/ready (\d+)/.exec(String(line))[1]);
      const remote1 = await recordingClient(WebSocket, `ws://${HOST}:${port}`);
      const remote2 = await recordingClient(WebSocket, `ws://${HOST}:${port}`);
      for (const r of [remote1, remote2]) r.ws.send('sub:news');
      await until(() => remote1.received.includes('subscribed:news') && remote2.received.includes('subscribed:news'), 'child subscriptions');
      const here = await local.join('news');
      assert.equal(local.wss.publish('news', 'from here'), 1);
      await until(() => remote1.received.includes('from here') && remote2.received.includes('from here'), 'delivery in the child');
      remote1.ws.send('pub:news:from there');
      await until(() => here.received.includes('from there') && remote2.received.includes('from there'), 'delivery from the child');
      assert.equal(remote1.received.includes('from there'), false);
      assert.deepEqual(here.received, ['from here', 'from there']);
      remote1.ws.terminate();
      remote2.ws.terminate();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await local.wss.close();
    }
  });

  test('Redis killed mid-stream: local delivery goes on, errors are reported with codes, delivery resumes after restart', async () => {
    const own = await startRedis();
    const a = await redisServer(own.url, 'down:');
    const b = await redisServer(own.url, 'down:');
    let restarted = null;
    try {
      const a1 = await a.join('t');
      const b1 = await b.join('t');
      a.wss.publish('t', 'before');
      await until(() => b1.received.includes('before'), 'before');
      await own.stop();
      await until(() => a.errors.length > 0, 'a pubsub-error');
      assert.equal(a.wss.publish('t', 'while down'), 1); // still local, no throw, no crash
      await until(() => a1.received.includes('while down'), 'local delivery while Redis is down');
      assert.ok(a.errors.some((e) => e.code === 'WS_ERR_PUBSUB_UNAVAILABLE'), a.errors.map((e) => e.code).join());
      assert.ok(a.errors.some((e) => e.code === 'WS_ERR_PUBSUB_PUBLISH'), a.errors.map((e) => e.code).join());
      assert.ok(a.errors.every((e) => typeof e.message === 'string' && e.message.length > 20));
      assert.equal(a.wss.pubsubErrorCount, a.errors.length);
      restarted = await startRedis(own.port);
      // The bus reconnects and subscribes again; then a publish crosses once more.
      await within(15_000, (async () => {
        while (!b1.received.includes('after')) {
          a.wss.publish('t', 'after');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(), 'delivery after the restart');
      assert.equal(b1.received.includes('while down'), false); // at most once: lost, not replayed
    } finally {
      await Promise.all([a.wss.close(), b.wss.close()]);
      await restarted?.stop();
    }
  });
});
