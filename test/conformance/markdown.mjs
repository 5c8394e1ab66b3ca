// A markdown results table over several conformance reports (for
// docs/conformance.md). `node test/conformance/markdown.mjs` prints the table
// of the reports that `npm run conformance:full -- --ws` left in conformance-report/.
import { existsSync, readFileSync } from 'node:fs';

const GROUP_NAMES = {
  1: 'framing',
  2: 'ping/pong',
  3: 'reserved bits',
  4: 'opcodes',
  5: 'fragmentation',
  6: 'UTF-8',
  7: 'closing',
  9: 'limits',
  10: 'misc',
  12: 'deflate, default offer',
  13: 'deflate, parameter sets',
};

function cell(results) {
  const n = (pred) => results.filter(pred).length;
  const parts = [`${n((r) => r.behavior === 'OK')} OK`];
  const ns = n((r) => r.behavior === 'NON-STRICT');
  const info = n((r) => r.behavior === 'INFORMATIONAL' || r.behavior === 'UNIMPLEMENTED');
  const failed = n((r) => r.behavior === 'FAILED');
  const closeBad = results.filter((r) => r.behaviorClose !== 'OK' && r.behaviorClose !== 'INFORMATIONAL');
  if (ns) parts.push(`${ns} NON-STRICT`);
  if (info) parts.push(`${info} INFO`);
  if (failed) parts.push(`**${failed} FAILED**`);
  const kinds = new Map();
  for (const r of closeBad) kinds.set(r.behaviorClose, (kinds.get(r.behaviorClose) ?? 0) + 1);
  for (const [k, v] of kinds) parts.push(`${v} close ${k}`);
  return parts.join(', ');
}

/** `reports`: [label, report] pairs; one row per top-level group. */
export function resultsTable(reports) {
  const groups = [...new Set(reports.flatMap(([, r]) => r.results.map((x) => Number(x.id.split('.')[0]))))].sort((a, b) => a - b);
  const lines = [
    `| group | cases | ${reports.map(([label]) => label).join(' | ')} |`,
    `|---|---:|${reports.map(() => '---').join('|')}|`,
  ];
  for (const g of groups) {
    const of = (r) => r.results.filter((x) => Number(x.id.split('.')[0]) === g);
    lines.push(`| ${g} ${GROUP_NAMES[g] ?? ''} | ${of(reports[0][1]).length} | ${reports.map(([, r]) => cell(of(r))).join(' | ')} |`);
  }
  lines.push(`| **all** | ${reports[0][1].results.length} | ${reports.map(([, r]) => `${cell(r.results)}; exit ${r.failing ? 1 : 0}`).join(' | ')} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reports = [];
  // python-server: test/conformance/python-echo.py, run by hand (see its header).
  for (const peer of ['socketeer', 'ws', 'python']) {
    for (const mode of ['server', 'client']) {
      const file = `conformance-report/${peer}-${mode}/report.json`;
      if (existsSync(file)) reports.push([`${peer} ${mode}`, JSON.parse(readFileSync(file, 'utf8'))]);
    }
  }
  console.log(resultsTable(reports));
}
