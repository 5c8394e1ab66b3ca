// Assertions over a conformance report (not a test file): a failing case fails
// the test with its id, verdicts, remarks and wire trace.
import assert from 'node:assert/strict';

/**
 * The selection `npm test` runs: everything but part of group 9 (which the
 * runner already caps at 1 MiB unless `full`); `npm run conformance:full` runs all.
 */
export const REDUCED = { exclude: ['9.5.*', '9.6.*', '9.7.2', '9.7.3', '9.7.4', '9.7.5', '9.8.2', '9.8.3', '9.8.4', '9.8.5'] };

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
