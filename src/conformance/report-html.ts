// A self-contained HTML report: one colour-coded row per case, each
// expandable to its remarks, teardown and wire trace.
import { groupOf } from './summary.js';
import type { CaseResult, SuiteReport } from './types.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CLASS: Record<string, string> = {
  OK: 'ok',
  'NON-STRICT': 'nonstrict',
  INFORMATIONAL: 'info',
  UNIMPLEMENTED: 'info',
  FAILED: 'failed',
  'WRONG CODE': 'failed',
  UNCLEAN: 'failed',
  'FAILED BY CLIENT': 'nonstrict',
};

function hexDump(hex: string): string {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 32) {
    const bytes = hex.slice(i, i + 32).match(/../g) ?? [];
    const ascii = bytes.map((b) => {
      const c = parseInt(b, 16);
      return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    });
    lines.push(`${(i / 2).toString(16).padStart(6, '0')}  ${bytes.join(' ').padEnd(47)}  ${ascii.join('')}`);
  }
  return esc(lines.join('\n'));
}

function row(r: CaseResult): string {
  const td = r.teardown;
  const events = r.trace.events
    .map((e) => `${e.t.toFixed(1).padStart(9)} ms  ${e.dir === 'out' ? '&gt;&gt;' : e.dir === 'in' ? '&lt;&lt;' : '--'}  ${esc(e.text)}`)
    .join('\n');
  const teardown = [
    `TCP closed first by: ${td.closedFirst}`,
    td.closeInitiator ? `closing handshake started by: ${td.closeInitiator}` : '',
    td.testerCloseCode !== undefined ? `tester Close code: ${td.testerCloseCode ?? 'none'}` : '',
    td.peerCloseCode !== undefined ? `peer Close code: ${td.peerCloseCode ?? 'none'}${td.peerCloseReason ? ` reason "${esc(td.peerCloseReason)}"` : ''}` : '',
    td.closeToTcpMs !== undefined ? `first Close to TCP closed: ${td.closeToTcpMs} ms` : '',
    td.reset ? 'peer reset the connection' : '',
  ]
    .filter(Boolean)
    .join('<br>');
  return `<tr class="case" data-group="${esc(groupOf(r.id))}">
<td><details><summary>${esc(r.id)}</summary>
<div class="detail"><p><b>Expectation:</b> ${esc(r.expectation)}</p>
${r.remarks.length ? `<p><b>Remarks:</b></p><ul>${r.remarks.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<p>${teardown}</p>
<p><b>Events</b>${r.trace.eventsDropped ? ` (${r.trace.eventsDropped} more not shown)` : ''}:</p><pre>${events}</pre>
<p><b>Sent</b> (${r.trace.sent.total} bytes, first ${r.trace.sent.head.length / 2}):</p><pre>${hexDump(r.trace.sent.head)}</pre>
<p><b>Received</b> (${r.trace.received.total} bytes, first ${r.trace.received.head.length / 2}):</p><pre>${hexDump(r.trace.received.head)}</pre>
</div></details></td>
<td>${esc(r.description)}</td>
<td class="${CLASS[r.behavior] ?? ''}">${esc(r.behavior)}</td>
<td class="${CLASS[r.behaviorClose] ?? ''}">${esc(r.behaviorClose)}</td>
<td class="num">${r.durationMs}</td></tr>`;
}

export function renderHtml(report: SuiteReport): string {
  const title = `socketeer conformance: ${report.mode === 'server' ? 'server' : 'client'} ${report.target}`;
  const counts = Object.entries(report.counts)
    .map(([k, v]) => `${esc(k)}: ${v}`)
    .join(' &middot; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#eee;position:sticky;top:0}
td.ok{background:#c8f0c8}td.nonstrict{background:#fbe9a6}td.info{background:#cfe0f7}td.failed{background:#f6b8b8;font-weight:bold}
td.num{text-align:right}
summary{cursor:pointer;font-family:monospace}
pre{background:#f6f6f6;padding:6px;overflow:auto;max-height:24em;font-size:12px}
.detail{max-width:95vw}
.verdict{font-size:1.2em;font-weight:bold}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="verdict">${report.failing === 0 ? 'PASS' : `FAIL: ${report.failing} failing case(s)`}</p>
<p>${report.results.length} cases, started ${esc(report.startedAt)}, ${(report.durationMs / 1000).toFixed(1)} s${report.full ? ', full sizes' : ', reduced 9.x sizes'}.<br>${counts}</p>
<p>Click a case id for its remarks, teardown and wire trace (&gt;&gt; sent by the tester, &lt;&lt; received from the peer).</p>
<table><thead><tr><th>Case</th><th>Description</th><th>Behavior</th><th>Close</th><th>ms</th></tr></thead>
<tbody>
${report.results.map(row).join('\n')}
</tbody></table>
</body></html>
`;
}
