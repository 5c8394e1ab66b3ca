// Topics across node:cluster workers: a real primary with 2 workers in a
// child process, clients on both workers, publishes relayed through the
// primary's IPC exactly once, the sender skipped, the binary flag kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from '../../dist/esm/index.js';
import { HOST, freePort, recordingClient, until, within } from './lib.mjs';

const SCRIPT = fileURLToPath(new URL('./fixtures/cluster-node.mjs', import.meta.url));

describe('topics across cluster workers', () => {
  test('2 workers behind one port: each publish reaches every other subscriber once, in order', async () => {
    // A fixed free port: round-robin spreads connections over both workers.
    const port = await freePort();
    const child = spawn(process.execPath, [SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORT: String(port) } });
    const clients = [];
    try {
      await within(15_000, once(child.stdout, 'data'), 'the cluster');
      const byWorker = new Map();
      while (byWorker.size < 2 || [...byWorker.values()].some((list) => list.length < 2)) {
        assert.ok(clients.length < 40, 'connections never reached both workers');
        const client = await recordingClient(WebSocket, `ws://${HOST}:${port}`);
        clients.push(client);
        await until(() => client.received.length > 0, 'the greeting');
        const worker = client.received.shift();
        byWorker.set(worker, [...(byWorker.get(worker) ?? []), client]);
      }
      const [[x1, x2], [y1, y2]] = [...byWorker.values()];
      const members = [x1, x2, y1, y2];
      for (const c of members) c.ws.send('sub:room');
      await until(() => members.every((c) => c.received.includes('subscribed:room')), 'subscriptions');
      for (const c of members) c.received.length = 0;
      for (let i = 0; i < 100; i++) x1.ws.send(`pub:room:${i}`);
      y1.ws.send('pub:room:bin');
      x1.ws.send('pub:room:end');
      await until(() => [x2, y1, y2].every((c) => c.received.includes('end')) && [x1, x2, y2].every((c) => c.received.some((m) => m.binary)), 'every message');
      const numbers = Array.from({ length: 100 }, (_, i) => String(i));
      for (const c of [x2, y1, y2]) assert.deepEqual(c.received.filter((m) => typeof m === 'string'), [...numbers, 'end']);
      for (const c of [x1, x2, y2]) assert.deepEqual(c.received.filter((m) => typeof m !== 'string'), [{ binary: Buffer.from('bin') }]);
      assert.equal(x1.received.filter((m) => typeof m === 'string').length, 0, 'the sender got its own publish');
      assert.equal(y1.received.filter((m) => typeof m !== 'string').length, 0, 'the sender got its own publish');
    } finally {
      for (const c of clients) c.ws.terminate();
      child.kill('SIGTERM');
      await within(10_000, once(child, 'exit'), 'the cluster to stop');
    }
  });
});
