// Assertions over a conformance report (not a test file): a failing case fails
// the test with its id, verdicts, remarks and wire trace.
import assert from 'node:assert/strict';

/**
 * The selection `npm test` runs: every case of groups 1-7, 10, 12 and 13, and
 * a sample of group 9 (which is capped at 1 MiB unless `full`);
 * `npm run conformance:full` runs all of it.
 */
export const REDUCED = {
  // Group 9 is sampled: the smallest and largest of each shape (up to 1 MiB).
  cases: ['1.*', '2.*', '3.*', '4.*', '5.*', '6.*', '7.*', '10.*', '12.*', '13.*',
    '9.1.1', '9.1.6', '9.2.1', '9.2.6', '9.3.1', '9.3.7', '9.4.1', '9.4.7', '9.5.1', '9.6.6', '9.7.1', '9.8.6', '9.9.6', '9.10.1'],
};

/**
 * socketeer fails at the first invalid byte, so a wide fail-fast window costs
 * nothing and keeps a busy CI machine from turning OK into NON-STRICT.
 */
export const STRICT_TIMEOUTS = { failFastMs: 1000, finGraceMs: 3 };

/**
 * The reference run against ws in \`npm test\`: a sample of every group (the
 * full ws results are in docs/conformance.md). ws fails invalid UTF-8 only at
 * the end of a message, so every fail-fast case waits out the window: keep it short.
 */
export const REFERENCE = {
  cases: ['1.1.*', '2.*', '3.*', '4.*', '5.*', '6.1.*', '6.5.*', '7.*', '9.1.1', '9.3.7', '10.*', '12.5.*', '13.4.*', '13.6.*'],
  timeouts: { failFastMs: 50 },
};

/** The first lines of a case's trace, readable. */
export function traceText(result, maxEvents = 40) {
  const events = result.trace.events;
  const shown = events.length > maxEvents ? [...events.slice(0, 10), { t: NaN, dir: 'note', text: `... ${events.length - maxEvents} events ...` }, ...events.slice(-(maxEvents - 10))] : events;
  const lines = shown.map((e) => `${Number.isNaN(e.t) ? '' : e.t.toFixed(1).padStart(8) + ' ms'} ${e.dir === 'out' ? '>>' : e.dir === 'in' ? '<<' : '--'} ${e.text}`);
  return [
    ...lines,
    `sent ${result.trace.sent.total} bytes, first: ${result.trace.sent.head.slice(0, 96)}`,
    `received ${result.trace.received.total} bytes, first: ${result.trace.received.head.slice(0, 96)}`,
  ].join('\n    ');
}

export function describeResult(r) {
  return `${r.id} ${r.behavior} / ${r.behaviorClose} (${r.durationMs} ms): ${r.description}\n  ${r.remarks.join('\n  ')}\n  teardown ${JSON.stringify(r.teardown)}\n  trace:\n    ${traceText(r)}`;
}

/**
 * socketeer's bar: every case OK (INFORMATIONAL for the cases that only
 * record), close behaviour OK, nothing NON-STRICT.
 */
export function assertStrict(report, expectedCount) {
  assert.equal(report.results.length, expectedCount, 'every selected case ran');
  const bad = report.results.filter(
    (r) => !['OK', 'INFORMATIONAL'].includes(r.behavior) || r.behaviorClose !== 'OK',
  );
  assert.ok(bad.length === 0, `${bad.length} case(s) not OK:\n${bad.map(describeResult).join('\n')}`);
}

/** One line per verdict pair, e.g. "OK/OK 340, NON-STRICT/OK 44". */
export function verdictCounts(report) {
  const counts = new Map();
  for (const r of report.results) {
    const key = `${r.behavior}/${r.behaviorClose}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}
