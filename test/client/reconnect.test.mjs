// The reconnecting client against real loopback servers: when it reconnects
// and when it stays away, the send queue, the replay hook, abort, and a
// server that closes every connection at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconnectingWebSocket, WebSocket } from 'socketeer';
import { startServer, once, withTimeout, FAST } from './lib.mjs';

function recorder(server) {
  const got = [];
  server.wss.on('connection', (ws) => ws.on('message', (data) => got.push(String(data))));
  return got;
}

test('reconnects after the server drops the connection; queued messages go out once, in order', async (t) => {
  const server = await startServer((ws, _req, n) => {
    ws.on('message', (data) => {
      if (String(data) === 'drop' && n === 1) ws.terminate();
    });
  });
  t.after(() => server.close());
  const got = recorder(server);
  const rws = new ReconnectingWebSocket(server.url, { reconnect: FAST });
  assert.equal(rws.readyState, WebSocket.CONNECTING);
  rws.send('early');
  await once(rws, 'open');
  assert.equal(rws.readyState, WebSocket.OPEN);
  rws.send('drop');
  const [info] = await once(rws, 'reconnecting');
  assert.equal(info.attempt, 1);
  assert.equal(info.code, 1006);
  assert.ok(info.delay >= 10 && info.delay <= 40);
  assert.equal(rws.readyState, WebSocket.CONNECTING, 'readyState is the logical connection');
  rws.send('while-down-1');
  const async = rws.sendAsync('while-down-2');
  await once(rws, 'reconnected');
  await async;
  rws.send('after');
  await withTimeout((async () => { while (!got.includes('after')) await new Promise((r) => setImmediate(r)); })(), 3000, 'the last message');
  assert.deepEqual(got, ['early', 'drop', 'while-down-1', 'while-down-2', 'after']);
  rws.close();
  const closed = await rws.closed;
  assert.equal(closed.wasClean, true);
  assert.equal(rws.readyState, WebSocket.CLOSED);
  assert.equal(server.connections, 2);
});

test('no reconnect after the application closes, whatever the code', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const rws = new ReconnectingWebSocket(server.url, { reconnect: FAST });
  await once(rws, 'open');
  let reconnecting = 0;
  rws.on('reconnecting', () => reconnecting++);
  rws.close(4000, 'bye');
  assert.equal(rws.readyState, WebSocket.CLOSING);
  const [code, reason] = await once(rws, 'close');
  assert.equal(code, 4000);
  assert.equal(reason, 'bye');
  assert.equal(reconnecting, 0);
  assert.throws(() => rws.send('late'), { code: 'WS_ERR_NOT_OPEN' });
  await assert.rejects(rws.sendAsync('late'), { code: 'WS_ERR_NOT_OPEN' });
  assert.equal(server.connections, 1);
});

test('a final close code (1008 by default, or the configured ones) ends the loop', async (t) => {
  for (const [reconnect, code] of [[FAST, 1008], [{ ...FAST, finalCodes: [4000, 4001] }, 4001]]) {
    const server = await startServer((ws) => ws.close(code, 'go away'));
    const rws = new ReconnectingWebSocket(server.url, { reconnect });
    let reconnecting = 0;
    rws.on('reconnecting', () => reconnecting++);
    const closed = await withTimeout(rws.closed, 3000, 'closed');
    assert.deepEqual(closed, { code, reason: 'go away', wasClean: true });
    assert.equal(reconnecting, 0);
    assert.equal(server.connections, 1);
    await server.close();
  }
});

test('a 4xx handshake answer stops it; 429 with Retry-After waits as asked and retries', async (t) => {
  let answer = 403;
  const server = await startServer(() => {}, {
    verifyClient: (_info, done) => (answer === 0 ? done(true) : done(false, answer, 'no', { 'Retry-After': '1' })),
  });
  t.after(() => server.close());
  const refused = new ReconnectingWebSocket(server.url, { reconnect: FAST });
  let tries = 0;
  refused.on('reconnecting', () => tries++);
  const info = await withTimeout(refused.closed, 3000, 'closed after 403');
  assert.equal(info.code, 1006);
  assert.equal(tries, 0);

  answer = 429;
  const limited = new ReconnectingWebSocket(server.url, { reconnect: FAST });
  const [event] = await once(limited, 'reconnecting');
  assert.equal(event.status, 429);
  assert.ok(event.delay >= 1000, `Retry-After: 1 honoured (delay ${event.delay})`);
  answer = 0;
  const started = Date.now();
  await once(limited, 'open', 4000);
  assert.ok(Date.now() - started >= 900, 'waited about a second');
  limited.close();
  await limited.closed;
});

test('the send queue is bounded by count and bytes; overflow throws (send) or rejects (sendAsync)', async (t) => {
  const server = await startServer();
  await server.close();
  const rws = new ReconnectingWebSocket(server.url, { reconnect: { ...FAST, maxQueuedMessages: 2, maxQueuedBytes: 10 } });
  t.after(() => rws.close());
  rws.send('12345');
  const held = rws.sendAsync(new Uint8Array(3)); // queued: no connection yet
  held.catch(() => {});
  assert.equal(rws.queuedMessages, 2);
  assert.throws(() => rws.send('x'), (e) => e.code === 'WS_ERR_SEND_QUEUE_FULL' && /maxQueuedMessages/.test(e.message));
  await assert.rejects(rws.sendAsync('x'), { code: 'WS_ERR_SEND_QUEUE_FULL' });
  assert.equal(rws.queuedMessages, 2);
});

test('queue bound in bytes counts UTF-8 bytes', async (t) => {
  const server = await startServer();
  await server.close();
  const rws = new ReconnectingWebSocket(server.url, { reconnect: { ...FAST, maxQueuedBytes: 8 } });
  t.after(() => rws.close());
  rws.send('🌍🌍'); // 8 bytes
  assert.equal(rws.bufferedAmount, 8);
  assert.throws(() => rws.send('a'), { code: 'WS_ERR_SEND_QUEUE_FULL' });
});

test('when retries run out, queued sendAsync() calls reject and queued send() calls are reported as errors', async () => {
  const server = await startServer();
  await server.close();
  const rws = new ReconnectingWebSocket(server.url, { reconnect: { ...FAST, retries: 2 } });
  const errors = [];
  rws.on('error', (error) => errors.push(error));
  const attempts = [];
  rws.on('reconnecting', (e) => attempts.push(e.attempt));
  rws.send('a');
  const pending = rws.sendAsync('b');
  await assert.rejects(pending, (e) => e.code === 'WS_ERR_RECONNECT_GAVE_UP' && /gave up after 2 reconnect attempts/.test(e.message));
  await rws.closed;
  assert.deepEqual(attempts, [1, 2]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'WS_ERR_RECONNECT_GAVE_UP');
  assert.equal(rws.readyState, WebSocket.CLOSED);
});

test('the replay hook runs after each reconnect, before the queue, and its sends go first', async (t) => {
  const server = await startServer((ws, _req, n) => {
    if (n === 1) ws.on('message', (d) => String(d) === 'drop' && ws.terminate());
  });
  t.after(() => server.close());
  const got = recorder(server);
  const seen = [];
  const rws = new ReconnectingWebSocket(server.url, {
    reconnect: {
      ...FAST,
      async replay(context) {
        seen.push(context.attempt);
        await context.send('subscribe:news');
        await new Promise((r) => setTimeout(r, 5));
        await context.send('subscribe:weather');
      },
    },
  });
  await once(rws, 'open');
  rws.send('drop');
  await once(rws, 'reconnecting');
  rws.send('queued');
  await once(rws, 'reconnected');
  await withTimeout((async () => { while (got.length < 4) await new Promise((r) => setImmediate(r)); })(), 3000, 'replayed messages');
  assert.deepEqual(got, ['drop', 'subscribe:news', 'subscribe:weather', 'queued']);
  assert.deepEqual(seen, [1]);
  rws.close();
  await rws.closed;
});

test('aborting the signal cancels a pending reconnect and rejects queued sends', async () => {
  const server = await startServer((ws) => ws.terminate());
  const controller = new AbortController();
  const rws = new ReconnectingWebSocket(server.url, { reconnect: { ...FAST, minDelay: 5000, maxDelay: 5000 }, signal: controller.signal });
  await once(rws, 'reconnecting');
  const pending = rws.sendAsync('never');
  controller.abort();
  await withTimeout(rws.closed, 1000, 'closed after abort');
  await assert.rejects(pending, { code: 'WS_ERR_CLOSED_BEFORE_SENT' });
  assert.equal(server.connections, 1, 'the 5 s reconnect never ran');
  await server.close();

  const already = new AbortController();
  already.abort();
  const dead = new ReconnectingWebSocket('ws://127.0.0.1:9/', { signal: already.signal });
  assert.equal(dead.readyState, WebSocket.CLOSED);
});

test('a server that accepts and closes at once does not make the client spin', async () => {
  const server = await startServer((ws) => ws.close(1011, 'busy'));
  const rws = new ReconnectingWebSocket(server.url, { reconnect: { minDelay: 20, maxDelay: 200, factor: 2, resetAfter: 1000 } });
  let opens = 0;
  rws.on('open', () => opens++);
  rws.on('reconnected', () => opens++);
  const started = Date.now();
  await new Promise((r) => setTimeout(r, 1000)); // a fixed observation window, not a wait for an event
  const elapsed = Date.now() - started;
  rws.close();
  await rws.closed;
  // Waits grow 20, 40, 80, 160, 200, 200...: at most ~9 attempts in a second, never hundreds.
  const bound = 2 + Math.ceil(elapsed / 20 / 4);
  assert.ok(server.connections <= Math.max(bound, 10), `${server.connections} attempts in ${elapsed} ms`);
  assert.ok(server.connections >= 3, `it kept trying (${server.connections})`);
  assert.equal(opens, server.connections);
  await server.close();
});

test('async iteration runs across reconnects and ends when the app closes', async (t) => {
  const server = await startServer((ws, _req, n) => {
    ws.send(`hello ${n}`);
    if (n === 1) setImmediate(() => ws.terminate());
  });
  t.after(() => server.close());
  const rws = new ReconnectingWebSocket(server.url, { reconnect: FAST });
  const got = [];
  for await (const message of rws) {
    got.push(String(message));
    if (got.length === 2) rws.close();
  }
  assert.deepEqual(got, ['hello 1', 'hello 2']);
});
