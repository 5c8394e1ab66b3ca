// The contract for listeners that throw (docs/security.md): the exception is
// rethrown on the next tick, where it reaches 'uncaughtException' like any
// listener error; the connection goes on with the next frame intact. Bytes
// are never parsed out of place (no frame smuggled out of a binary payload)
// and reading never stalls. Run in a child process, since the scenario needs
// an 'uncaughtException' handler of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/throwing-listeners.mjs', import.meta.url));

test('throwing message, ping and close listeners: every frame is parsed in place, both roles and dialects', () => {
  const run = spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(results.length, 7);
  for (const r of results.filter((x) => x.scenario !== 'server compressed')) {
    const mask = r.scenario.startsWith('server');
    const smuggledHex = Buffer.concat([Buffer.from('xx'), frameBytes(mask)]).toString('hex');
    assert.deepEqual(r.seen, ['text:first', `binary:${smuggledHex}`, 'text:fragmented', 'text:last'], r.scenario);
    assert.equal(r.pong, 0xa, `${r.scenario}: the ping behind a throwing listener was answered`);
    assert.deepEqual(r.info, { code: 1000, reason: '', wasClean: true }, r.scenario);
    assert.deepEqual(
      r.uncaught.sort(),
      ['listener threw on message 1', 'listener threw on message 2', 'listener threw on message 3', 'listener threw on message 4', 'ping listener threw'].sort(),
      r.scenario,
    );
  }
  const compressed = results.find((x) => x.scenario === 'server compressed');
  assert.deepEqual(compressed.seen, ['one', 'two', 'three']);
  assert.equal(compressed.closeReplied, true);
  assert.deepEqual(compressed.info, { code: 1000, reason: '', wasClean: true });
  assert.deepEqual(compressed.uncaught, ['listener threw on message 1', 'listener threw on message 2', 'listener threw on message 3', 'close listener threw']);
});

/** The text frame hidden in the binary payload, masked as the raw peer masks it. */
function frameBytes(mask) {
  const payload = Buffer.from('SMUGGLED');
  if (!mask) return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), key, masked]);
}
