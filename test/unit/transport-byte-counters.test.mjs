// A transport counts the bytes it writes, to tell a write's callback whether
// its bytes reached the OS. The counts restart from 0 whenever the socket is
// empty with no write callback waiting, so a busy connection never takes them
// past V8's small integers (2^31): past them V8 would turn the fields into
// boxed doubles, change the hidden class every transport shares, and throw
// away the optimized code of each function that touches one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import v8 from 'node:v8';
import { SocketTransport } from '../../dist/esm/node/socket-transport.js';

v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);');

/** A socket that takes every write at once (or holds the callbacks, `held`) and never has anything to read. */
function quietSocket(held = null) {
  return new Duplex({
    read() {},
    write(chunk, encoding, callback) {
      if (held === null) callback();
      else held.push(callback);
    },
  });
}
const listener = new Proxy({}, { get: () => () => {} });
const transport = (socket) => new SocketTransport(socket, null, { role: 'server', maxPayload: 1 << 20, closeTimeout: 1000 }, listener);
const frame = () => Buffer.from([0x82, 0x01, 0x2a]);

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('with no write callback waiting, the counts go back to 0 each time the socket is empty', async () => {
  const fresh = transport(quietSocket());
  fresh.write(frame(), null);
  const busy = transport(quietSocket());
  for (let i = 0; i < 3; i++) busy.write(frame(), null);
  assert.equal(busy.writtenBytes, 6, 'the writes after the first of a turn wait corked');
  await nextTurn();
  assert.equal(busy.writtenBytes, 0);
  // Counts that grew while write callbacks waited (1 GiB) restart once nothing waits.
  busy.writtenBytes = busy.flushedBytes = 2 ** 30;
  busy.write(frame(), null);
  assert.equal(busy.writtenBytes, 0);
  assert.ok(haveSameMap(fresh, busy), 'the byte counts changed representation');
});

test('while a write callback waits, the counts go on; it learns its bytes reached the OS; then they restart', async () => {
  const held = [];
  const socket = quietSocket(held);
  const t = transport(socket);
  const results = [];
  t.write(frame(), null, (error) => results.push(error ?? 'ok'));
  t.write(frame(), null);
  assert.equal(t.writtenBytes, 6);
  // The socket completes both writes; their callbacks run in Node's order.
  while (held.length > 0) held.shift()();
  await nextTurn();
  assert.deepEqual(results, ['ok']);
  t.write(frame(), null); // the socket is empty again, nothing waits: back to 0
  while (held.length > 0) held.shift()();
  t.handleDrain();
  assert.equal(t.writtenBytes, 0);
});

test('when every write has a callback, the counts restart as the last one runs with the socket empty', async () => {
  const held = [];
  const t = transport(quietSocket(held));
  const fresh = transport(quietSocket());
  fresh.write(frame(), null);
  let done = 0;
  for (let round = 0; round < 3; round++) {
    t.write(frame(), null, () => done++);
    t.write(frame(), null, () => done++);
    await nextTurn(); // the corked second write reaches the socket
    assert.equal(t.writtenBytes, 6);
    while (held.length > 0) held.shift()();
    await nextTurn();
    assert.equal(t.writtenBytes, 0, `round ${round}: the counts went on after every callback had run`);
    assert.equal(t.flushedBytes, 0);
  }
  assert.equal(done, 6);
  // Counts near 2^31 would have gone on to a boxed double; now they restart.
  t.writtenBytes = t.flushedBytes = 2 ** 31 - 10;
  t.write(frame(), null, () => done++);
  while (held.length > 0) held.shift()();
  await nextTurn();
  assert.equal(t.writtenBytes, 0);
  assert.ok(haveSameMap(fresh, t), 'the byte counts changed representation');
});

test('a write cut off by destroy() still reports that its bytes did not reach the OS', async () => {
  const held = [];
  const t = transport(quietSocket(held));
  const results = [];
  t.write(frame(), null, (error) => results.push(error?.code ?? 'ok'));
  t.destroy();
  for (const callback of held) callback();
  await nextTurn();
  assert.equal(results.length, 1);
  assert.notEqual(results[0], 'ok');
});
