// Writes the result matrix of the last interop run (test-output/interop/*.json,
// written by lib/results.mjs) into docs/interop.md, between the markers
// <!-- results:start --> and <!-- results:end -->.
//   npm run build && node scripts/run-tests.mjs test/interop && node test/interop/report.mjs
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { PEERS, CASES } from './matrix.mjs';
import { RESULTS_DIR } from './lib/results.mjs';

const DOC = new URL('../../docs/interop.md', import.meta.url);
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';
const MARK = { pass: 'pass', fail: '**FAIL**', 'n/a': 'n/a' };

const runs = PEERS.map((peer) => {
  const file = new URL(`${peer.id}.json`, RESULTS_DIR);
  return { peer, data: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null };
});

const columns = runs.flatMap(({ peer, data }) => peer.roles.map((role) => ({ peer, role, data })));
const heading = (c) => (c.role === 'client' ? `${c.peer.label} → socketeer` : `socketeer → ${c.peer.label}`);
const cell = (c, caseId) => {
  if (c.data === null) return 'not run';
  if (c.data.missing) return 'peer missing';
  const row = c.data.rows.find((r) => r.role === c.role && r.case === caseId);
  return row ? MARK[row.status] ?? row.status : 'not run';
};

const lines = [];
lines.push(`| case | ${columns.map(heading).join(' | ')} |`);
lines.push(`|---|${columns.map(() => '---').join('|')}|`);
for (const c of CASES) lines.push(`| ${c.title} | ${columns.map((col) => cell(col, c.id)).join(' | ')} |`);
lines.push('');
lines.push('"client → server" columns: the peer named first is the client. n/a: the peer has no such API (reason below).');
lines.push('');
const dates = runs.map((r) => r.data?.date).filter(Boolean).sort();
const node = runs.find((r) => r.data)?.data.node;
lines.push(`Last run: ${dates.at(-1) ?? 'never'} on Node ${node ?? '?'}.`);
lines.push('');
for (const { peer, data } of runs) {
  if (data === null) { lines.push(`- ${peer.label}: not run`); continue; }
  if (data.missing) { lines.push(`- ${peer.label}: missing (${data.missing})`); continue; }
  const versions = Object.entries(data.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const counts = { pass: 0, fail: 0, 'n/a': 0 };
  for (const r of data.rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  lines.push(`- ${peer.label} (${versions}) against ${data.subject}: ${counts.pass} pass, ${counts.fail} fail, ${counts['n/a']} n/a`);
  for (const r of data.rows.filter((x) => x.status !== 'pass')) {
    lines.push(`  - ${r.role === 'client' ? `${peer.label} client` : `${peer.label} server`}, ${r.case}: ${r.status} (${r.detail})`);
  }
}

const demoFile = new URL('demo.json', RESULTS_DIR);
if (existsSync(demoFile)) {
  const demo = JSON.parse(readFileSync(demoFile, 'utf8'));
  lines.push(`- demo page click test in Chromium (${demo.date}): ${demo.status} (${demo.detail})`);
}

const doc = readFileSync(DOC, 'utf8');
const from = doc.indexOf(START);
const to = doc.indexOf(END);
if (from === -1 || to === -1) throw new Error(`docs/interop.md has no ${START} ... ${END} markers`);
writeFileSync(DOC, `${doc.slice(0, from + START.length)}\n${lines.join('\n')}\n${doc.slice(to)}`);
console.log(`docs/interop.md: ${CASES.length} cases x ${columns.length} columns written`);
