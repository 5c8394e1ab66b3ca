// Topics over a real redis-server with server processes as nodes: three nodes
// with clients on each, 1,000 publishes arrive exactly once and in order
// everywhere; one node killed (SIGKILL), the other two keep serving and
// delivering to each other. Sharded pub/sub (SSUBSCRIBE/SPUBLISH): delivery
// across nodes, and Redis really holds shard channels, not classic ones, and
// only while a node has a local subscriber.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { redisPubSub } from '../../dist/esm/redis.js';
import { HOST, recordingClient, redisSkip, startRedis, until, within } from './lib.mjs';

const NODE_SCRIPT = fileURLToPath(new URL('./fixtures/redis-node.mjs', import.meta.url));
const COUNT = 1000;

/** A server process on the bus; resolves once it listens. */
async function startNode(redisUrl, options = {}) {
  const child = spawn(process.execPath, [NODE_SCRIPT, redisUrl, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const [line] = await within(10_000, once(child.stdout, 'data'), 'a node to listen');
  const port = Number(/ready (\d+)/.exec(String(line))[1]);
  return {
    child,
    url: `ws://${HOST}:${port}`,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await within(10_000, once(child, 'exit'), 'a node to exit');
    },
  };
}

/** A client of `node` subscribed to `topic` (acknowledged once the node's bus has it). */
async function subscriber(node, topic) {
  const client = await recordingClient(WebSocket, node.url);
  client.ws.on('error', () => {});
  client.ws.send(`sub:${topic}`);
  await until(() => client.received.includes(`subscribed:${topic}`), `a subscription on ${node.url}`);
  client.received.length = 0;
  return client;
}

describe('topics over Redis between server processes', { skip: redisSkip() }, () => {
  let redis;
  before(async () => (redis = await startRedis()));
  after(async () => redis?.stop());

  test(`3 nodes, 2 subscribers each: ${COUNT} publishes arrive once and in order everywhere; a node killed leaves the others serving`, { timeout: 60_000 }, async () => {
    const nodes = [];
    const clients = [];
    try {
      for (let i = 0; i < 3; i++) nodes.push(await startNode(redis.url, { prefix: 'three:' }));
      const subscribers = [];
      for (const node of nodes) for (let j = 0; j < 2; j++) subscribers.push(await subscriber(node, 'feed'));
      clients.push(...subscribers);
      // The publisher is a client of node 0 that is not subscribed (ws.publish skips only the sender).
      const publisher = await recordingClient(WebSocket, nodes[0].url);
      clients.push(publisher);
      for (let i = 0; i < COUNT; i++) publisher.ws.send(`pub:feed:${i}`);
      const expected = Array.from({ length: COUNT }, (_, i) => String(i));
      await within(30_000, until(() => subscribers.every((s) => s.received.length >= COUNT), `${COUNT} messages on every subscriber`, 30_000));
      for (const s of subscribers) assert.deepEqual(s.received, expected);

      // Kill node 2 without a goodbye: its clients lose their connections (1006).
      const lost = subscribers.slice(4);
      const lostClosed = lost.map((s) => s.ws.closed);
      await nodes[2].stop('SIGKILL');
      for (const info of await Promise.all(lostClosed)) assert.equal(info.code, 1006);

      // Nodes 0 and 1 keep serving: new clients connect, publishes from both cross once, in order.
      const survivors = subscribers.slice(0, 4);
      const late = await subscriber(nodes[1], 'feed');
      clients.push(late);
      for (const s of survivors) s.received.length = 0;
      const fromOne = await recordingClient(WebSocket, nodes[1].url);
      clients.push(fromOne);
      for (let i = 0; i < 100; i++) publisher.ws.send(`pub:feed:a${i}`);
      for (let i = 0; i < 100; i++) fromOne.ws.send(`pub:feed:b${i}`);
      await within(20_000, until(() => [...survivors, late].every((s) => s.received.length >= 200), 'delivery after the kill'));
      for (const s of [...survivors, late]) {
        assert.equal(s.received.length, 200);
        assert.deepEqual(s.received.filter((m) => m.startsWith('a')), Array.from({ length: 100 }, (_, i) => `a${i}`));
        assert.deepEqual(s.received.filter((m) => m.startsWith('b')), Array.from({ length: 100 }, (_, i) => `b${i}`));
      }
      // The survivors' buses never failed: a peer node dying is not a Redis failure.
      assert.equal(nodes[0].stderr() + nodes[1].stderr(), '');
    } finally {
      for (const c of clients) c.ws.terminate();
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });

  test('sharded mode (SSUBSCRIBE/SPUBLISH): delivery across nodes in order; shard channels exist only while wanted', { timeout: 60_000 }, async () => {
    const admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
    const servers = [];
    try {
      const start = async () => {
        const wss = new WebSocketServer({ port: 0, host: HOST, pubsub: redisPubSub({ url: redis.url, prefix: 'shard:', sharded: true }) });
        const errors = [];
        wss.on('pubsub-error', (e) => errors.push(e));
        await once(wss, 'listening');
        servers.push(wss);
        return { wss, errors, url: `ws://${HOST}:${wss.address().port}` };
      };
      const a = await start();
      const b = await start();
      const accepted = once(b.wss, 'connection');
      const client = await recordingClient(WebSocket, b.url);
      const [serverSide] = await accepted;
      serverSide.subscribe('orders');
      await b.wss.topicsSynced();
      assert.deepEqual(await admin.sendCommand(['PUBSUB', 'SHARDCHANNELS', 'shard:*']), ['shard:orders']);
      assert.deepEqual(await admin.sendCommand(['PUBSUB', 'CHANNELS', 'shard:*']), []);
      for (let i = 0; i < 200; i++) a.wss.publish('orders', `o${i}`);
      await until(() => client.received.length === 200, '200 sharded publishes');
      assert.deepEqual(client.received, Array.from({ length: 200 }, (_, i) => `o${i}`));
      serverSide.unsubscribe('orders');
      await b.wss.topicsSynced();
      assert.deepEqual(await admin.sendCommand(['PUBSUB', 'SHARDCHANNELS', 'shard:*']), []);
      assert.deepEqual([...a.errors, ...b.errors], []);
      client.ws.terminate();
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await admin.quit().catch(() => admin.disconnect());
    }
  });
});
