// `npm run bench:same-process`: ws and socketeer side by side in one process,
// in alternating slices, for the rows that `npm run bench` can only call
// "within noise" on a busy machine. A slowdown from outside (another VM on the
// host, a compile job) then falls on both libraries alike instead of on
// whichever process ran at the time. What it cannot show: anything a process
// gets from having one library alone (its heap layout, the allocator's mode:
// the large-message rows), so it adds to `npm run bench` and replaces none of it.
//   handshakes.client: both clients against the fixed raw server;
//                      handshakes per CPU second of the client process.
//   realclient.<conns>x<window>.<kind>: both servers in one process, a ws
//                      client sending one 32 B message per send() to one of
//                      them at a time; messages per server CPU second.
//   serialize.64KB:    masked 64 KB frames in-process; frames per second.
// Each figure is the median of its library's slices after warm-up; the
// spread is the middle half of the ratios of the slices paired in time.
// Options: --only=<id prefix,...>, --slices=N (pairs, default 24),
//          --slice-ms=N (default 400).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { allocatorEnv, loadEnv } from './lib/allocator.mjs';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';
import { quantile } from './lib/stats.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.length ? v.join('=') : true];
}));
const only = typeof args.only === 'string' ? args.only.split(',') : null;
const slices = Number(args.slices ?? 24);
const sliceMs = Number(args['slice-ms'] ?? 400);
const SUBJECT_CPU = 0;
const LOAD_CPU = 1;
const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: 0 });

/** Runs a subject script to its result, killing it if it overruns. */
async function runChild(script, cfg, cpu, env) {
  const child = spawnNode(here(script), cfg, { cpu, env });
  try {
    const { result } = await waitFor(child, 'result', 20000 + slices * 2 * sliceMs * 3);
    return result;
  } finally {
    await stop(child, 500);
  }
}

const cases = [
  {
    id: 'handshakes.client',
    label: 'opening handshakes (32 concurrent), client',
    unit: 'handshakes per CPU-second',
    async run() {
      const server = spawnNode(here('rawserver.mjs'), { mode: 'ws' }, { cpu: LOAD_CPU, env: loadEnv() });
      try {
        const { port } = await waitFor(server, 'ready', 15000);
        return await runChild('same-process/clients.mjs', { port, slices, sliceMs, concurrency: 32 }, SUBJECT_CPU, process.env);
      } finally {
        await stop(server, 500);
      }
    },
  },
  ...[[64, 1], [32, 16], [1, 64]].flatMap(([conns, window]) => ['text', 'binary'].map((kind) => ({
    id: `realclient.${conns}x${window}.${kind}`,
    label: `ws client, one message per send(), 32 B ${kind}, ${conns} conn${conns > 1 ? 's' : ''} × ${window} in flight, server`,
    unit: 'messages per server CPU-second',
    run: () => runChild('same-process/realclient.mjs', { conns, window, kind, slices, sliceMs, pin, subjectCpu: SUBJECT_CPU, subjectTunables: process.env.GLIBC_TUNABLES ?? null }, LOAD_CPU, loadEnv()),
  }))),
  {
    id: 'serialize.64KB',
    label: 'serialize 64 KB masked frames (in-process)',
    unit: 'frames/s',
    run: () => runChild('same-process/serialize.mjs', { size: 65536, slices, sliceMs }, SUBJECT_CPU, process.env),
  },
];

function verdict(figures) {
  const sorted = (values) => [...values].sort((a, b) => a - b);
  const ws = quantile(sorted(figures.ws), 0.5);
  const socketeer = quantile(sorted(figures.socketeer), 0.5);
  const pairs = sorted(figures.ws.map((w, i) => figures.socketeer[i] / w));
  return { ws, socketeer, ratio: socketeer / ws, pairLow: quantile(pairs, 0.25), pairHigh: quantile(pairs, 0.75), pairs: pairs.length };
}

const selected = cases.filter((c) => !only || only.some((p) => c.id.startsWith(p)));
const started = Date.now();
let commit = '';
try { commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* not a checkout */ }
const argText = process.argv.slice(2).join(' ');
const command = `${allocatorEnv()}npm run bench:same-process${argText ? ` -- ${argText}` : ''}`;
console.log(`socketeer vs ws in one process: ${selected.length} cases, ${slices} slice pairs of ${sliceMs} ms; pinning: ${pin ? `subject on CPU ${SUBJECT_CPU}, load on CPU ${LOAD_CPU}` : 'none'}`);
const results = [];
for (const c of selected) {
  const figures = await c.run();
  const v = verdict(figures);
  results.push({ id: c.id, label: c.label, unit: c.unit, ...v, figures });
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`  ${c.id}: ws ${fmt(v.ws)}, socketeer ${fmt(v.socketeer)} ${c.unit}; socketeer/ws ${v.ratio.toFixed(3)} (pairs ${v.pairLow.toFixed(3)}-${v.pairHigh.toFixed(3)})`);
}

const meta = { date: new Date().toISOString(), commit, command, node: process.version, cpu: os.cpus()[0]?.model ?? '', elapsedSeconds: Math.round((Date.now() - started) / 1000), slices, sliceMs };
const lines = [
  '# socketeer vs ws in one process, alternating slices',
  '',
  `- Command: \`${command}\` on ${meta.commit || 'an unknown commit'}, ${meta.date}, Node ${meta.node}, ${meta.cpu}, ${meta.elapsedSeconds} s.`,
  `- ${slices} pairs of ${sliceMs} ms slices per case (the first quarter warm-up); both libraries in the process under test${pin ? `, pinned to CPU ${SUBJECT_CPU}, the load on CPU ${LOAD_CPU}` : ''}.`,
  '- Figure: the median of each library\'s slices. Pairs: the middle half of the socketeer/ws ratios of slices run back to back.',
  '',
  '| Case | Unit | ws | socketeer | socketeer/ws | pairs (25th-75th) |',
  '|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.label} | ${r.unit} | ${Math.round(r.ws).toLocaleString('en-US')} | ${Math.round(r.socketeer).toLocaleString('en-US')} | ${r.ratio.toFixed(3)}× | ${r.pairLow.toFixed(3)}–${r.pairHigh.toFixed(3)} |`),
  '',
];
const outDir = here('../bench-results/');
mkdirSync(outDir, { recursive: true });
const base = only ? 'same-process-partial' : 'same-process';
writeFileSync(`${outDir}${base}.json`, JSON.stringify({ meta, results }, null, 2) + '\n');
writeFileSync(`${outDir}${base}.md`, lines.join('\n'));
console.log(`done in ${meta.elapsedSeconds} s: bench-results/${base}.json, .md`);
