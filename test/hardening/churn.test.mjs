// Reduced connection churn (the 10,000-connection run is `npm run hardening:full`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChurn } from './churn.mjs';

test('churn: 400 connections ended in 7 ways, one close event each, handles and heap back to baseline', async () => {
  const report = await runChurn({ total: 400, concurrency: 16 });
  assert.equal(report.notOnce, 0, 'every server connection had exactly one close event');
  assert.equal(report.serverConnections, 400);
  assert.deepEqual(
    Object.fromEntries(Object.entries(report.resources).filter(([k, n]) => n > (report.baseline[k] ?? 0))),
    {},
    'no handle left behind',
  );
  assert.ok(report.heapGrowth < 8 * 1024 * 1024, `heap grew by ${report.heapGrowth} bytes`);
});
