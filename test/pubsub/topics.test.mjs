// Topics inside one server (the default in-process bus): the API's return
// values, leaving topics when the closing handshake starts, one frame per
// publish, the binary flag, shared compression, order and bad input.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { localPubSub, WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { HOST, recordingClient, until, within } from './lib.mjs';

async function serverWithSockets(count, options = {}, clientOptions = {}) {
  const wss = new WebSocketServer({ port: 0, host: HOST, ...options });
  await once(wss, 'listening');
  const url = `ws://${HOST}:${wss.address().port}`;
  const pairs = [];
  for (let i = 0; i < count; i++) {
    const accepted = once(wss, 'connection');
    const client = await recordingClient(WebSocket, url, clientOptions);
    const [server] = await accepted;
    pairs.push({ ...client, server });
  }
  return { wss, url, pairs };
}

describe('topics on one server', () => {
  let wss;
  let pairs;
  before(async () => ({ wss, pairs } = await serverWithSockets(3)));
  after(async () => {
    for (const { ws } of pairs) ws.terminate();
    await wss.close();
  });

  test('subscribe and unsubscribe say whether anything changed; topics lists them read-only', () => {
    const { server } = pairs[0];
    assert.equal(server.subscribe('news'), true);
    assert.equal(server.subscribe('news'), false);
    assert.equal(server.subscribe('sport'), true);
    assert.equal(server.isSubscribed('news'), true);
    assert.deepEqual([...server.topics].sort(), ['news', 'sport']);
    assert.ok(Object.isFrozen(server.topics));
    assert.throws(() => server.topics.push('x'), TypeError);
    assert.equal(wss.subscriberCount('news'), 1);
    assert.equal(server.unsubscribe('news'), true);
    assert.equal(server.unsubscribe('news'), false);
    assert.equal(server.unsubscribe('never'), false);
    assert.equal(server.isSubscribed('news'), false);
    assert.deepEqual(server.topics, ['sport']);
    assert.equal(wss.subscriberCount('news'), 0);
    server.unsubscribe('sport');
  });

  test('publish returns the local count; ws.publish skips the sender', async () => {
    for (const { server } of pairs) server.subscribe('room');
    assert.equal(wss.publish('room', 'to all'), 3);
    assert.equal(pairs[0].server.publish('room', 'from 0'), 2);
    assert.equal(wss.publish('nobody', 'x'), 0);
    await until(() => pairs.every((p) => p.received.length >= (p === pairs[0] ? 1 : 2)), 'deliveries');
    assert.deepEqual(pairs[0].received, ['to all']);
    assert.deepEqual(pairs[1].received, ['to all', 'from 0']);
    assert.deepEqual(pairs[2].received, ['to all', 'from 0']);
    for (const p of pairs) p.received.length = 0;
  });

  test('the binary flag: bytes as binary by default, strings as text, either forced', async () => {
    const p = pairs[1];
    wss.publish('room', Buffer.from([1, 2, 3]));
    wss.publish('room', 'text');
    wss.publish('room', 'forced binary', { binary: true });
    wss.publish('room', new Uint8Array([104, 105]), { binary: false });
    await until(() => p.received.length === 4, 'four messages');
    assert.deepEqual(p.received, [{ binary: Buffer.from([1, 2, 3]) }, 'text', { binary: Buffer.from('forced binary') }, 'hi']);
    for (const q of pairs) q.received.length = 0;
  });

  test('1,000 publishes arrive once each, in publish order', async () => {
    for (let i = 0; i < 1000; i++) wss.publish('room', String(i));
    await until(() => pairs.every((p) => p.received.length === 1000), '1000 messages each');
    const expected = Array.from({ length: 1000 }, (_, i) => String(i));
    for (const p of pairs) assert.deepEqual(p.received, expected);
    for (const p of pairs) p.received.length = 0;
  });

  test('bad topics and data are refused with coded errors', () => {
    const { server } = pairs[0];
    for (const topic of ['', 42, null, undefined, 'x'.repeat(1025), 'é'.repeat(513)]) {
      assert.throws(() => server.subscribe(topic), (e) => e instanceof TypeError && e.code === 'WS_ERR_INVALID_TOPIC', String(topic));
      assert.throws(() => wss.publish(topic, 'x'), (e) => e.code === 'WS_ERR_INVALID_TOPIC');
    }
    assert.equal(server.subscribe('x'.repeat(1024)), true);
    server.unsubscribe('x'.repeat(1024));
    for (const data of [{}, null, undefined, Symbol('s'), new Blob(['x'])]) {
      assert.throws(() => wss.publish('room', data), (e) => e.code === 'WS_ERR_INVALID_DATA_TYPE');
    }
    assert.throws(() => new WebSocketServer({ noServer: true, maxTopicLength: 4 }).publish('12345', 'x'), (e) => e.code === 'WS_ERR_INVALID_TOPIC');
  });

  test('publishing more than maxPayload throws; one bus cannot serve two servers', () => {
    const small = new WebSocketServer({ noServer: true, maxPayload: 10 });
    assert.throws(() => small.publish('t', Buffer.alloc(11)), (e) => e.code === 'WS_ERR_MESSAGE_TOO_BIG');
    assert.equal(small.publish('t', Buffer.alloc(10)), 0);
    const bus = localPubSub();
    new WebSocketServer({ noServer: true, pubsub: bus });
    assert.throws(() => new WebSocketServer({ noServer: true, pubsub: bus }), (e) => e.code === 'WS_ERR_PUBSUB_IN_USE');
  });

  test('client connections have no topics', () => {
    const client = pairs[0].ws;
    assert.throws(() => client.subscribe('t'), (e) => e.code === 'WS_ERR_NO_TOPICS');
    assert.throws(() => client.publish('t', 'x'), (e) => e.code === 'WS_ERR_NO_TOPICS');
    assert.deepEqual(client.topics, []);
    assert.equal(client.isSubscribed('t'), false);
  });
});

describe('leaving topics', () => {
  test('a socket leaves every topic when its closing handshake starts, from either side', async () => {
    const { wss, pairs } = await serverWithSockets(3);
    try {
      for (const { server } of pairs) server.subscribe('a'), server.subscribe('b');
      // The server starts the closing handshake: out at once, nothing published after reaches it.
      pairs[0].server.close(1000);
      assert.equal(pairs[0].server.readyState, WebSocket.CLOSING);
      assert.deepEqual(pairs[0].server.topics, []);
      assert.equal(wss.subscriberCount('a'), 2);
      assert.equal(wss.publish('a', 'after close'), 2);
      // The client starts it: out as soon as its Close frame arrives.
      pairs[1].ws.close(1000);
      await within(5000, new Promise((resolve) => {
        const check = () => (pairs[1].server.readyState !== WebSocket.OPEN ? resolve() : setImmediate(check));
        check();
      }), 'the Close frame to arrive');
      assert.deepEqual(pairs[1].server.topics, []);
      assert.equal(wss.subscriberCount('b'), 1);
      // A closed socket: subscribing is a no-op.
      await pairs[0].ws.closed;
      assert.equal(pairs[0].server.subscribe('a'), false);
      assert.equal(wss.subscriberCount('a'), 1);
      await pairs[0].server.closed;
      assert.deepEqual(pairs[0].received, []);
      // terminate() leaves too.
      pairs[2].server.terminate();
      assert.equal(wss.subscriberCount('a'), 0);
      assert.equal(wss.subscriberCount('b'), 0);
    } finally {
      for (const { ws } of pairs) ws.terminate();
      await wss.close();
    }
  });
});

describe('compress', () => {
  test('deflated once for sockets that negotiated server_no_context_takeover, plain for the rest', async () => {
    const wss = new WebSocketServer({ port: 0, host: HOST, perMessageDeflate: { serverNoContextTakeover: true } });
    await once(wss, 'listening');
    const url = `ws://${HOST}:${wss.address().port}`;
    const clients = [];
    for (const options of [{}, { perMessageDeflate: false }, {}]) {
      const accepted = once(wss, 'connection');
      const client = await recordingClient(WebSocket, url, options);
      const [server] = await accepted;
      server.subscribe('big');
      clients.push(client);
    }
    try {
      assert.match(clients[0].ws.extensions, /server_no_context_takeover/);
      assert.equal(clients[1].ws.extensions, '');
      const text = 'a compressible line of text, again and again. '.repeat(2000);
      const before = clients.map((c) => c.ws._socket.bytesRead);
      assert.equal(wss.publish('big', text, { compress: true }), 3);
      wss.publish('big', 'small', { compress: true });
      wss.publish('big', text); // compress not asked: plain
      await until(() => clients.every((c) => c.received.length === 3), 'three messages each');
      for (const c of clients) assert.deepEqual(c.received, [text, 'small', text]);
      const read = clients.map((c, i) => c.ws._socket.bytesRead - before[i]);
      // The deflating clients read far fewer bytes than the plain one (whose total is about 2x the text).
      assert.ok(read[1] > 2 * text.length, `plain client read ${read[1]}`);
      assert.ok(read[0] < text.length + text.length / 4, `deflate client read ${read[0]}`);
      assert.equal(read[0], read[2]);
    } finally {
      for (const c of clients) c.ws.terminate();
      await wss.close();
    }
  });
});
