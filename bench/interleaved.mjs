// `npm run bench:interleaved`: the rows of `npm run bench` that a noisy
// machine cannot rank in one-second rounds, measured again with every server
// under test running at once (the bare-socket floor, ws, ws a second time as
// an A/A check, socketeer; all pinned to one CPU) and a load process (on the
// other CPU) that drives one server at a time in short slices, rotating
// through them cycle after cycle. A burst of noise then lands on all of them
// alike, and every ratio comes with a bootstrap interval over the cycles.
//
// Rows: real clients (the ws client, one message per send(); messages per
// server CPU-second) and latency (open-loop 32 B round trips), server and
// client. In the client row the clients under test take the turns, against
// one fixed raw server (bench/rawserver.mjs) on the other CPU.
// Options: --quick, --only=<id prefix,...>, --cycles=N, --slice-ms=N.
// Writes bench-results/interleaved.json and .md (bench-results/
// interleaved-partial.* with --only or --quick).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { useSocketeerNative } from './lib/adapters.mjs';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';
import { bootstrapOverCycles, goalVerdict } from './lib/cycle-bootstrap.mjs';
import { quantile } from './lib/stats.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.length ? v.join('=') : true];
}));
const quick = Boolean(args.quick);
const P = quick
  ? { cycles: 3, sliceMs: 150, settleMs: 40, warmupMs: 200 }
  : { cycles: 24, sliceMs: 400, settleMs: 60, warmupMs: 1500 };
if (args.cycles) P.cycles = Number(args.cycles);
if (args['slice-ms']) P.sliceMs = Number(args['slice-ms']);
const only = typeof args.only === 'string' ? args.only.split(',') : null;
const SUBJECT_CPU = 0;
const LOAD_CPU = 1;
const SUBJECTS = ['floor', 'ws', 'ws-aa', 'socketeer'];

const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: 0 });
await useSocketeerNative();

const cases = [];
for (const [conns, window] of [[64, 1], [32, 16], [1, 64]]) {
  for (const kind of ['text', 'binary']) {
    cases.push({
      id: `realclient.${conns}x${window}.${kind}`,
      label: `ws client, one message per send(), 32 B ${kind}, ${conns} conn${conns > 1 ? 's' : ''} × ${window} in flight, server`,
      load: { mode: 'realclient', conns, window, kind, size: 32 },
    });
  }
}
cases.push({
  id: 'latency.server',
  label: 'latency, 32 B binary at 4000 msg/s over 8 conns (raw frames), server',
  load: { mode: 'latency', conns: 8, rate: 4000, size: 32 },
});
cases.push({
  id: 'latency.client',
  label: 'latency, 32 B binary at 4000 msg/s over 8 conns (fixed raw server), client',
  load: { mode: 'latency-client', conns: 8, rate: 4000, size: 32 },
});
const CLIENT_SUBJECTS = ['ws', 'ws-aa', 'socketeer'];
const selected = cases.filter((c) => !only || only.some((p) => c.id.startsWith(p)));

async function startSubjects() {
  const started = [];
  for (const name of SUBJECTS) {
    const [script, cfg] = name === 'floor' ? ['rawserver.mjs', { mode: 'ws' }] : ['server.mjs', { lib: name === 'ws-aa' ? 'ws' : name, mode: 'echo' }];
    const child = spawnNode(here(script), cfg, { cpu: SUBJECT_CPU, gc: true });
    const { port } = await waitFor(child, 'ready', 15000);
    started.push({ name, port, pid: child.pid, child });
  }
  return started;
}

async function drive(subjects, load) {
  const cfg = { ...load, ...P, subjects: subjects.map(({ name, port, pid }) => ({ name, port, pid })) };
  const driver = spawnNode(here('interleaved-driver.mjs'), cfg, { cpu: LOAD_CPU });
  try {
    const slot = P.sliceMs + P.settleMs + 500;
    const m = await waitFor(driver, 'result', 60000 + (P.cycles + 2) * SUBJECTS.length * slot + P.warmupMs * SUBJECTS.length);
    if (m.error) throw new Error(m.error);
    return m.result.slices;
  } finally {
    await stop(driver, 500);
  }
}

/**
 * Client role: each library's client in its own process on the subjects' CPU,
 * all connected to the fixed raw server on the load CPU; this process asks
 * them for slices in turn.
 */
async function driveClients(load) {
  const server = spawnNode(here('rawserver.mjs'), { mode: 'ws' }, { cpu: LOAD_CPU });
  const clients = [];
  try {
    const { port } = await waitFor(server, 'ready', 15000);
    for (const name of CLIENT_SUBJECTS) {
      const child = spawnNode(here('interleaved-client.mjs'), { lib: name === 'ws-aa' ? 'ws' : name, port, ...load }, { cpu: SUBJECT_CPU, gc: true });
      clients.push({ name, child });
      await waitFor(child, 'ready', 15000);
    }
    const slice = async ({ child }, sliceMs, record) => {
      const answer = waitFor(child, 'slice', sliceMs + P.settleMs + 15000);
      child.send({ type: 'slice', settleMs: P.settleMs, sliceMs, record });
      return answer;
    };
    for (const c of clients) await slice(c, P.warmupMs, false);
    const slices = [];
    for (let cycle = 0; cycle < P.cycles; cycle++) {
      for (let i = 0; i < clients.length; i++) {
        const c = clients[(cycle + i) % clients.length];
        const { rttsMicros, drained } = await slice(c, P.sliceMs, true);
        slices.push({ cycle, subject: c.name, rttsMicros, drained });
      }
    }
    return slices;
  } finally {
    for (const c of clients) await stop(c.child, 500);
    await stop(server, 500);
  }
}

/** Per cycle and subject: the slice measured then. */
function byCycle(slices) {
  const table = Array.from({ length: P.cycles }, () => ({}));
  for (const s of slices) table[s.cycle][s.subject] = s;
  return table;
}

function throughputRow(c, slices) {
  const cycles = byCycle(slices);
  const rate = (name, picks) => {
    let messages = 0;
    let cpu = 0;
    for (const i of picks) { messages += cycles[i][name].messages; cpu += cycles[i][name].cpuSeconds; }
    return messages / cpu;
  };
  const ratio = (a, b) => bootstrapOverCycles(P.cycles, (picks) => rate(a, picks) / rate(b, picks));
  const all = cycles.map((_, i) => i);
  const perCpuSec = Object.fromEntries(SUBJECTS.map((n) => [n, rate(n, all)]));
  const vsWs = ratio('socketeer', 'ws');
  const vsFloor = ratio('socketeer', 'floor');
  return {
    id: c.id, label: c.label, unit: 'messages per server CPU-second', perCpuSec,
    ratios: { socketeerVsWs: vsWs, socketeerVsFloor: vsFloor, wsVsFloor: ratio('ws', 'floor'), aa: ratio('ws-aa', 'ws') },
    goals: { socketeerVsWs: goalVerdict(vsWs, 1.0, 'higher'), socketeerVsFloor: goalVerdict(vsFloor, 0.9, 'higher') },
    undrainedSlices: slices.filter((s) => !s.drained).length,
  };
}

function latencyRow(c, slices, names) {
  const cycles = byCycle(slices);
  const pooled = (name, picks) => {
    const all = [];
    for (const i of picks) for (const v of cycles[i][name].rttsMicros) all.push(v);
    return Float64Array.from(all).sort();
  };
  const all = cycles.map((_, i) => i);
  const quantiles = { p50: 0.5, p99: 0.99, p999: 0.999 };
  const figures = Object.fromEntries(names.map((n) => {
    const s = pooled(n, all);
    return [n, { samples: s.length, ...Object.fromEntries(Object.entries(quantiles).map(([k, q]) => [k, quantile(s, q)])) }];
  }));
  const ratio = (a, b, q) => bootstrapOverCycles(P.cycles, (picks) => quantile(pooled(a, picks), q) / quantile(pooled(b, picks), q), { reps: 300 });
  const ratios = {};
  const goals = {};
  for (const [k, q] of Object.entries(quantiles)) {
    ratios[k] = { socketeerVsWs: ratio('socketeer', 'ws', q), aa: ratio('ws-aa', 'ws', q) };
    if (k !== 'p50') goals[k] = goalVerdict(ratios[k].socketeerVsWs, 1.0, 'lower');
  }
  return { id: c.id, label: c.label, unit: 'µs', figures, ratios, goals, undrainedSlices: slices.filter((s) => !s.drained).length };
}

const fmtRatio = (r) => `${r.point.toFixed(3)} (${r.low.toFixed(3)}–${r.high.toFixed(3)})`;
const fmtInt = (x) => Math.round(x).toLocaleString('en-US');

function markdown(meta, rows) {
  const lines = [
    `# Interleaved measurements (${meta.commit || 'unknown commit'})`,
    '',
    `- Command: \`${meta.command}\``,
    `- Machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, Node ${meta.machine.node}; ${meta.pinning}`,
    `- ${P.cycles} cycles; in each, every server is driven for ${P.settleMs} ms unmeasured and then ${P.sliceMs} ms measured, one after another, starting one further along each cycle. Intervals: 90% bootstrap over cycles (the same cycles for both sides of a ratio).`,
    `- Load average at start ${meta.loadAverageAtStart.join(' / ')}, at end ${meta.loadAverageAtEnd.join(' / ')}`,
    '',
  ];
  const through = rows.filter((r) => r.id.startsWith('realclient'));
  if (through.length) {
    lines.push('| Real clients (messages per server CPU-second) | floor | ws | socketeer | socketeer/ws | goal ≥ 1 | socketeer/floor | goal ≥ 0.9 | ws/floor | A/A ws-aa/ws |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of through) {
      lines.push(`| ${r.label} | ${fmtInt(r.perCpuSec.floor)} | ${fmtInt(r.perCpuSec.ws)} | ${fmtInt(r.perCpuSec.socketeer)} | ${fmtRatio(r.ratios.socketeerVsWs)} | ${r.goals.socketeerVsWs} | ${fmtRatio(r.ratios.socketeerVsFloor)} | ${r.goals.socketeerVsFloor} | ${fmtRatio(r.ratios.wsVsFloor)} | ${fmtRatio(r.ratios.aa)} |`);
    }
    lines.push('');
  }
  for (const r of rows.filter((x) => x.id.startsWith('latency'))) {
    lines.push(`| ${r.label} | floor | ws | ws-aa | socketeer | socketeer/ws | goal ≤ 1 | A/A ws-aa/ws |`);
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const k of ['p50', 'p99', 'p999']) {
      const f = (n) => (r.figures[n] ? fmtInt(r.figures[n][k]) : '–');
      lines.push(`| ${k === 'p999' ? 'p99.9' : k} (µs) | ${f('floor')} | ${f('ws')} | ${f('ws-aa')} | ${f('socketeer')} | ${fmtRatio(r.ratios[k].socketeerVsWs)} | ${r.goals[k] ?? ''} | ${fmtRatio(r.ratios[k].aa)} |`);
    }
    lines.push(`| samples | ${SUBJECTS.map((n) => (r.figures[n] ? fmtInt(r.figures[n].samples) : '–')).join(' | ')} | | | |`);
    lines.push('');
  }
  lines.push(
    'A verdict is "met" when the whole interval is on the goal\'s side, "not met" when the whole interval is on the other side, and "within noise" otherwise (then it says which side the measured ratio is on). The A/A column is ws against a second ws server in the same cycles: an interval that holds 1 there is what a fair comparison looks like.',
    '',
  );
  return lines.join('\n');
}

let commit = '';
try { commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* not a checkout */ }
const meta = {
  date: new Date().toISOString(),
  command: `node bench/interleaved.mjs${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`,
  commit,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  pinning: pin ? `servers on CPU ${SUBJECT_CPU}, load on CPU ${LOAD_CPU} (taskset)` : 'none',
  params: P,
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
};

const t0 = Date.now();
const subjects = selected.some((c) => c.load.mode !== 'latency-client') ? await startSubjects() : [];
const rows = [];
try {
  for (const c of selected) {
    let row;
    if (c.load.mode === 'latency-client') row = latencyRow(c, await driveClients(c.load), CLIENT_SUBJECTS);
    else if (c.load.mode === 'latency') row = latencyRow(c, await drive(subjects, c.load), SUBJECTS);
    else row = throughputRow(c, await drive(subjects, c.load));
    rows.push(row);
    if (c.load.mode !== 'realclient') {
      console.log(`  ${c.id}: p99 socketeer/ws ${fmtRatio(row.ratios.p99.socketeerVsWs)}, A/A ${fmtRatio(row.ratios.p99.aa)}`);
    } else {
      console.log(`  ${c.id}: socketeer/ws ${fmtRatio(row.ratios.socketeerVsWs)}, socketeer/floor ${fmtRatio(row.ratios.socketeerVsFloor)}, A/A ${fmtRatio(row.ratios.aa)}`);
    }
  }
} finally {
  for (const s of subjects) await stop(s.child);
}
meta.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
meta.seconds = Math.round((Date.now() - t0) / 1000);
const base = only || quick ? 'interleaved-partial' : 'interleaved';
const outDir = fileURLToPath(new URL('../bench-results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}${base}.json`, JSON.stringify({ meta, rows }, null, 1));
writeFileSync(`${outDir}${base}.md`, markdown(meta, rows));
console.log(`done in ${meta.seconds} s: bench-results/${base}.json, .md`);
