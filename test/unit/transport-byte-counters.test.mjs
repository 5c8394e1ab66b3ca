// A transport counts the bytes it writes. Past 2^30 (1 GiB) a count no longer
// fits V8's small integers; if the counters started as small integers, the
// first transport to pass that mark would change the fields' representation,
// deprecate the hidden class every transport shares, and throw away the
// optimized code of each function that touches one (a burst of deopts in the
// middle of a busy process). This checks that a transport past the mark keeps
// the hidden class of a fresh one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import v8 from 'node:v8';
import { SocketTransport } from '../../dist/esm/node/socket-transport.js';

v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);');

/** A socket that takes every write and never has anything to read. */
const quietSocket = () => new Duplex({ read() {}, write(chunk, encoding, callback) { callback(); } });
const listener = new Proxy({}, { get: () => () => {} });

function transport() {
  const t = new SocketTransport(quietSocket(), null, { role: 'server', maxPayload: 1 << 20, closeTimeout: 1000 }, listener);
  t.write(Buffer.from([0x82, 0x01, 0x2a]), null);
  return t;
}

test('a transport that has written more than 2^31 bytes keeps the hidden class of a fresh one', () => {
  const fresh = transport();
  const busy = transport();
  assert.ok(haveSameMap(fresh, busy));
  // What 2 GiB of writes leaves in the counters, without writing them.
  busy.writtenBytes += 2 ** 31;
  busy.flushedBytes += 2 ** 31;
  busy.write(Buffer.from([0x82, 0x01, 0x2a]), null);
  assert.equal(busy.writtenBytes, 2 ** 31 + 6);
  assert.ok(haveSameMap(fresh, busy), 'the byte counters changed representation past 2^30');
});
