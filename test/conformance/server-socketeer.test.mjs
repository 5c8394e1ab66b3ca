// The conformance suite run in-process against socketeer's WebSocketServer
// (echo), reduced: groups 1-7 and 10 whole, group 9 only up to 1 MiB and a
// sample of it. `npm run conformance:full` runs everything up to 16 MiB.
import { test } from 'node:test';
import { runServerSuite, selectedCases } from '../../dist/esm/conformance/index.js';
import { startEchoServer } from './peers.mjs';
import { assertStrict, REDUCED, STRICT_TIMEOUTS, verdictCounts } from './verdicts.mjs';

test('socketeer server: every case OK, close behaviour OK', { timeout: 120_000 }, async (t) => {
  const server = await startEchoServer('socketeer');
  try {
    const report = await runServerSuite({ url: server.url, ...REDUCED, timeouts: STRICT_TIMEOUTS });
    t.diagnostic(`${report.results.length} cases in ${report.durationMs} ms: ${verdictCounts(report)}`);
    assertStrict(report, selectedCases(REDUCED).length);
  } finally {
    await server.close();
  }
});
