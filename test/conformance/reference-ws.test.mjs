// Reference run: a sample of every group against the `ws` package's server and
// client. ws's deviations are recorded (test diagnostics), not failed on; the
// run must complete and judge every case. Current results: docs/conformance.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runServerSuite, selectedCases, startClientSuite } from '../../dist/esm/conformance/index.js';
import { runEchoClient, startEchoServer } from './peers.mjs';
import { describeResult, REFERENCE, verdictCounts } from './verdicts.mjs';


function record(t, report) {
  t.diagnostic(`${report.results.length} cases in ${report.durationMs} ms: ${verdictCounts(report)}`);
  const notOk = report.results.filter((r) => r.behavior !== 'OK' || r.behaviorClose !== 'OK');
  const byVerdict = new Map();
  for (const r of notOk) {
    const key = `${r.behavior}/${r.behaviorClose}: ${r.remarks[0] ?? ''}`;
    byVerdict.set(key, [...(byVerdict.get(key) ?? []), r.id]);
  }
  for (const [key, ids] of byVerdict) {
    const more = ids.length > 12 ? ` ... (${ids.length} cases)` : '';
    t.diagnostic(`${key} -> ${ids.slice(0, 12).join(' ')}${more}`);
  }
}

test('ws server (reference): the suite runs and records its results', { timeout: 120_000 }, async (t) => {
  const server = await startEchoServer('ws');
  try {
    const report = await runServerSuite({ url: server.url, ...REFERENCE });
    record(t, report);
    assert.equal(report.results.length, selectedCases(REFERENCE).length);
    // A judge that fails a mature library across the board is broken, not strict.
    const ok = report.results.filter((r) => r.behavior === 'OK').length;
    assert.ok(ok > report.results.length * 0.8, `only ${ok} OK cases against ws:\n${report.results.filter((r) => r.behavior === 'FAILED').slice(0, 3).map(describeResult).join('\n')}`);
  } finally {
    await server.close();
  }
});

test('ws client (reference): the suite runs and records its results', { timeout: 120_000 }, async (t) => {
  const suite = await startClientSuite({ port: 0, ...REFERENCE });
  try {
    const reported = suite.nextReport();
    await runEchoClient('ws', suite.url);
    const report = await reported;
    record(t, report);
    assert.equal(report.results.length, suite.cases.length);
    const ok = report.results.filter((r) => r.behavior === 'OK').length;
    assert.ok(ok > report.results.length * 0.8, `only ${ok} OK cases against the ws client`);
  } finally {
    await suite.close();
  }
});
