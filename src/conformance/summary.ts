// Counting verdicts and deciding whether a run passed.
import type { CaseResult, SuiteReport } from './types.js';

export const FAILING_BEHAVIORS = new Set(['FAILED']);
export const FAILING_CLOSES = new Set(['WRONG CODE', 'UNCLEAN']);

/** A case that makes the run fail: FAILED, UNCLEAN or WRONG CODE. */
export function isFailing(result: CaseResult): boolean {
  return FAILING_BEHAVIORS.has(result.behavior) || FAILING_CLOSES.has(result.behaviorClose);
}

export function countVerdicts(results: CaseResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    counts[`behavior:${r.behavior}`] = (counts[`behavior:${r.behavior}`] ?? 0) + 1;
    counts[`close:${r.behaviorClose}`] = (counts[`close:${r.behaviorClose}`] ?? 0) + 1;
  }
  return counts;
}

export function makeReport(
  base: Pick<SuiteReport, 'mode' | 'target' | 'agent' | 'full'>,
  results: CaseResult[],
  startedAt: Date,
  durationMs: number,
): SuiteReport {
  return {
    tool: 'socketeer conformance',
    ...base,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    counts: countVerdicts(results),
    failing: results.filter(isFailing).length,
    results,
  };
}

/** The group of a case id: "6.5.12" -> "6.5", "2.10" -> "2". */
export function groupOf(id: string): string {
  const parts = id.split('.');
  return parts.length > 2 ? parts.slice(0, 2).join('.') : parts[0]!;
}

/** Colours a piece of the summary by what it says (the CLI passes terminal colours; the default adds none). */
export type VerdictPaint = (kind: 'good' | 'bad' | 'warn', text: string) => string;

/** A plain-text table: one row per group with its verdict counts, then the cases that are not OK. */
export function summaryTable(report: SuiteReport, paint: VerdictPaint = (_kind, text) => text): string {
  const groups = new Map<string, CaseResult[]>();
  for (const r of report.results) {
    const g = groupOf(r.id);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(r);
  }
  const cols = ['group', 'cases', 'OK', 'NON-STRICT', 'INFO', 'FAILED', 'close OK', 'close bad'];
  const rows: string[][] = [cols];
  for (const [g, rs] of groups) {
    const n = (pred: (r: CaseResult) => boolean) => String(rs.filter(pred).length);
    rows.push([
      g,
      String(rs.length),
      n((r) => r.behavior === 'OK'),
      n((r) => r.behavior === 'NON-STRICT'),
      n((r) => r.behavior === 'INFORMATIONAL' || r.behavior === 'UNIMPLEMENTED'),
      n((r) => r.behavior === 'FAILED'),
      n((r) => r.behaviorClose === 'OK' || r.behaviorClose === 'INFORMATIONAL'),
      n((r) => r.behaviorClose !== 'OK' && r.behaviorClose !== 'INFORMATIONAL'),
    ]);
  }
  const widths = cols.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = rows.map(line);
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const notOk = report.results.filter((r) => r.behavior !== 'OK' || r.behaviorClose !== 'OK');
  if (notOk.length) {
    out.push('', 'Cases not fully OK:');
    for (const r of notOk) {
      const row = `  ${r.id.padEnd(8)} ${r.behavior.padEnd(13)} ${r.behaviorClose.padEnd(16)}`;
      out.push(`${paint(isFailing(r) ? 'bad' : 'warn', row)} ${r.remarks[0] ?? ''}`);
    }
  }
  const total = report.results.length;
  out.push(
    '',
    `${total} cases in ${(report.durationMs / 1000).toFixed(1)} s: ${report.failing === 0 ? paint('good', 'PASS') : paint('bad', `FAIL (${report.failing} failing)`)}`,
  );
  return out.join('\n');
}
