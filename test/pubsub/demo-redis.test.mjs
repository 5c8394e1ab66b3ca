// The demo's chat on Redis: two demos (as `REDIS_URL=... PORT=8081 npm start`
// beside a second instance) share one room; other rooms stay apart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from '../../dist/esm/index.js';
import { startDemo } from '../../demo/server.mjs';
import { recordingClient, redisSkip, startRedis, until } from './lib.mjs';

describe('the demo chat across two instances on Redis', { skip: redisSkip() }, () => {
  let redis;
  before(async () => (redis = await startRedis()));
  after(async () => redis?.stop());

  test('a message in a room reaches that room on both instances, once', { timeout: 30_000 }, async () => {
    const one = await startDemo({ port: 0, redisUrl: redis.url });
    const two = await startDemo({ port: 0, redisUrl: redis.url });
    const clients = [];
    try {
      const join = async (demo, room) => {
        const client = await recordingClient(WebSocket, `${demo.url.replace(/^http/, 'ws')}chat?room=${room}`);
        clients.push(client);
        return client;
      };
      const alice = await join(one, 'lobby');
      const bob = await join(two, 'lobby');
      const carol = await join(two, 'other');
      await Promise.all([one.chat.topicsSynced(), two.chat.topicsSynced()]);
      alice.ws.send('hi from 1');
      bob.ws.send('hi from 2');
      await until(() => alice.received.length === 2 && bob.received.length === 2, 'both messages in both instances');
      for (const c of [alice, bob]) assert.deepEqual([...c.received].sort(), ['hi from 1', 'hi from 2']);
      carol.ws.send('elsewhere');
      await until(() => carol.received.length === 1, 'carol\'s own message');
      assert.equal(alice.received.length + bob.received.length, 4);
    } finally {
      for (const c of clients) c.ws.terminate();
      await Promise.all([one.close(), two.close()]);
    }
  });
});
