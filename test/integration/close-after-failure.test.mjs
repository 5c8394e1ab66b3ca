// After a protocol error, the side that failed the connection sends its
// Close and then waits only `failureCloseTimeout` (default 1 s), not the
// whole closeTimeout, for a peer that has already broken the protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OP } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';
import { withTimeout } from '../helpers/once.mjs';
import { DEFAULT_FAILURE_CLOSE_TIMEOUT } from '../../dist/esm/index.js';

/** A frame the other role must refuse with 1002: masked from a server, unmasked from a client. */
const badFrame = (role) => ({ mask: role === 'client' });

for (const role of ['client', 'server']) {
  test(`${role}: a peer that breaks the protocol and then never closes TCP is dropped after failureCloseTimeout`, async () => {
    const pair = await ROLES[role]({ closeTimeout: 20_000, failureCloseTimeout: 200 }, { watch: false });
    const started = performance.now();
    pair.peer.send(OP.text, 'x', badFrame(role));
    const [closeFrame] = await pair.peer.untilClose();
    assert.equal(closeFrame.closeCode ?? closeFrame.payload.readUInt16BE(0), 1002);
    const info = await withTimeout(pair.ws.closed, 10_000, 'for the close');
    const elapsed = performance.now() - started;
    assert.deepEqual([info.code, info.wasClean], [1002, false]);
    assert.ok(elapsed >= 150, `closed after ${elapsed} ms: before the grace ran out`);
    assert.ok(elapsed < 10_000, `closed after ${elapsed} ms: closeTimeout (20 s) was used instead`);
    await pair.dispose();
  });
}

test(`client: the default grace is ${DEFAULT_FAILURE_CLOSE_TIMEOUT} ms, well under the 30 s closeTimeout`, async () => {
  assert.equal(DEFAULT_FAILURE_CLOSE_TIMEOUT, 1000);
  const pair = await ROLES.client({}, { watch: false });
  const started = performance.now();
  pair.peer.send(OP.text, 'x', badFrame('client'));
  const info = await withTimeout(pair.ws.closed, 10_000, 'for the close (the default grace)');
  assert.equal(info.code, 1002);
  assert.ok(performance.now() - started >= DEFAULT_FAILURE_CLOSE_TIMEOUT - 50);
  await pair.dispose();
});

test('client: a protocol error after our own Close cuts the long wait short too', async () => {
  const pair = await ROLES.client({ closeTimeout: 20_000, failureCloseTimeout: 200 }, { watch: false });
  pair.ws.close(1000);
  await pair.peer.untilClose();
  pair.peer.send(OP.text, 'x', badFrame('client'));
  const info = await withTimeout(pair.ws.closed, 10_000, 'for the close');
  assert.deepEqual([info.code, info.wasClean], [1002, false]);
  await pair.dispose();
});
