// The conformance suite in client mode against socketeer's WebSocket client:
// the tester listens, the client drives /getCaseCount, /runCase, /updateReports.
import { test } from 'node:test';
import { startClientSuite } from '../../dist/esm/conformance/index.js';
import { runEchoClient } from './peers.mjs';
import { assertStrict, REDUCED, STRICT_TIMEOUTS, verdictCounts } from './verdicts.mjs';

test('socketeer client: every case OK, close behaviour OK', { timeout: 120_000 }, async (t) => {
  const suite = await startClientSuite({ port: 0, ...REDUCED, timeouts: STRICT_TIMEOUTS });
  try {
    const reported = suite.nextReport();
    const count = await runEchoClient('socketeer', suite.url);
    const report = await reported;
    t.diagnostic(`${report.results.length} cases in ${report.durationMs} ms: ${verdictCounts(report)}`);
    assertStrict(report, count);
    assertStrict(report, suite.cases.length);
  } finally {
    await suite.close();
  }
});
