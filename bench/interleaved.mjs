// `npm run bench:interleaved`: the rows of `npm run bench` that a noisy
// machine cannot rank in one-second rounds, measured again with every subject
// running at once, all pinned to one CPU, and driven one at a time in short
// slices that rotate through them cycle after cycle. A burst of noise then
// lands on all of them alike, and every ratio comes with a bootstrap interval
// over the cycles. ws runs twice (ws and ws-aa): their ratio is the A/A check.
//
// Server role: the servers under test (and the bare-socket floor or the raw
// TCP ceiling) are up together; a load process on the other CPU
// (bench/interleaved-driver.mjs) holds connections to all of them.
// Client role: the clients under test (bench/interleaved-client.mjs) are up
// together, connected to one fixed raw server on the other CPU, and this
// process asks them for slices in turn.
//
// Rows: real clients (the ws client, one message per send(); messages per
// server CPU-second), latency (open-loop 32 B round trips), large-message
// echo (64 KB, 1 MB, 16 MB binary) and permessage-deflate echo (64 KB JSON).
// Options: --quick, --only=<id prefix,...>, --cycles=N, --epochs=N, --slice-ms=N,
//          --render=<result.json> (write its .md again),
//          --subject-node-args="<flags for every server or client under test>"
//          (e.g. "--trace-gc" or "--cpu-prof --cpu-prof-dir=/tmp/prof").
// Writes bench-results/interleaved.json and .md (bench-results/
// interleaved-partial.* with --only or --quick).
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { useSocketeerNative } from './lib/adapters.mjs';
import { allocatorEnv, loadAllocatorLines, loadEnv } from './lib/allocator.mjs';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';
import { bootstrapOverCycles, goalVerdict } from './lib/cycle-bootstrap.mjs';
import { rotated, rotatingOrder } from './lib/driver.mjs';
import { quantile } from './lib/stats.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.length ? v.join('=') : true];
}));
const quick = Boolean(args.quick);
const P = quick
  ? { epochs: 1, cycles: 3, sliceMs: 150, settleMs: 40, warmupMs: 200, longWarmupMs: 500 }
  : { epochs: 4, cycles: 24, sliceMs: 400, settleMs: 60, warmupMs: 1500, longWarmupMs: 3000 };
if (args.epochs) P.epochs = Number(args.epochs);
if (args.cycles) P.cycles = Number(args.cycles);
P.cycles = Math.max(P.epochs, Math.round(P.cycles / P.epochs) * P.epochs);
const CYCLES_PER_EPOCH = P.cycles / P.epochs;
/** The cycle indices of each epoch. */
const EPOCHS = Array.from({ length: P.epochs }, (_, e) => Array.from({ length: CYCLES_PER_EPOCH }, (_, c) => e * CYCLES_PER_EPOCH + c));
if (args['slice-ms']) P.sliceMs = Number(args['slice-ms']);
const only = typeof args.only === 'string' ? args.only.split(',') : null;
const subjectArgs = typeof args['subject-node-args'] === 'string' ? args['subject-node-args'].split(' ').filter(Boolean) : [];
const SUBJECT_CPU = 0;
const LOAD_CPU = 1;
const LIBS = ['ws', 'ws-aa', 'socketeer'];
const libOf = (name) => (name === 'ws-aa' ? 'ws' : name);

const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: 0 });
await useSocketeerNative();

// ---- cases -------------------------------------------------------------------
// role 'server': subjects are servers, `reference` adds the floor or ceiling
// server; role 'client': subjects are clients. `figure` names what a row
// reports: 'perCpuSec' (messages per subject CPU-second), 'bytesPerSec'
// (payload bytes per second), 'messagesPerSec' or 'latency'.
const cases = [];
for (const [conns, window] of [[64, 1], [32, 16], [1, 64]]) {
  for (const kind of ['text', 'binary']) {
    cases.push({
      id: `realclient.${conns}x${window}.${kind}`, role: 'server', reference: 'floor', figure: 'perCpuSec',
      label: `ws client, one message per send(), 32 B ${kind}, ${conns} conn${conns > 1 ? 's' : ''} × ${window} in flight, server (messages per server CPU-second)`,
      load: { mode: 'realclient', conns, window, kind, size: 32 },
      goals: { ws: 1.0, reference: 0.9 },
    });
  }
}
for (const role of ['server', 'client']) {
  cases.push({
    id: `latency.${role}`, role, figure: 'latency',
    label: role === 'server' ? 'latency, 32 B binary at 4000 msg/s over 8 conns (raw frames), server' : 'latency, 32 B binary at 4000 msg/s over 8 conns (fixed raw server), client',
    load: { mode: 'latency', conns: 8, rate: 4000, size: 32 },
  });
}
for (const [size, name, window] of [[64 * 1024, '64 KB', 8], [1024 * 1024, '1 MB', 2], [16 * 1024 * 1024, '16 MB', 1]]) {
  for (const role of ['server', 'client']) {
    cases.push({
      id: `large.${role}.${name.replace(' ', '')}`, role, reference: role === 'server' ? 'tcp' : null, figure: 'bytesPerSec',
      label: `echo ${name} binary (window ${window}), ${role} (payload MB/s)`,
      load: { mode: 'echo', conns: 1, window, kind: 'binary', size },
      goals: { ws: 1.0, reference: 0.8 },
      // 16 MB at about 1 GB/s is some 60 messages a second: longer slices.
      sliceScale: size >= 16 * 1024 * 1024 ? 2.5 : 1,
    });
  }
}
for (const role of ['server', 'client']) {
  cases.push({
    id: `deflate.${role}.64KB`, role, figure: 'messagesPerSec', deflate: true,
    label: `permessage-deflate echo 64 KB JSON text (4 conns × window 4), ${role} (messages/s)`,
    load: { mode: 'echo', conns: 4, window: 4, kind: 'json', size: 65536 },
    goals: { ws: 1.0 },
  });
}
const selected = cases.filter((c) => !only || only.some((p) => c.id.startsWith(p)));

// ---- running -----------------------------------------------------------------
function paramsFor(c) {
  const scale = c.sliceScale ?? 1;
  // Latency and permessage-deflate warm up for 3 s, as in npm run bench: with
  // less, V8's compilers were still at work in the measured time.
  const warmupMs = c.deflate || c.figure === 'latency' ? P.longWarmupMs : P.warmupMs * scale;
  return { cycles: CYCLES_PER_EPOCH, sliceMs: P.sliceMs * scale, settleMs: P.settleMs * scale, warmupMs };
}

async function startServer(name, c) {
  let script;
  let cfg;
  if (name === 'floor') [script, cfg] = ['rawserver.mjs', { mode: 'ws' }];
  else if (name === 'tcp') [script, cfg] = ['rawserver.mjs', { mode: 'tcp', size: c.load.size }];
  else [script, cfg] = ['server.mjs', { lib: libOf(name), mode: 'echo', deflate: Boolean(c.deflate) }];
  const nodeArgs = name === 'floor' || name === 'tcp' ? [] : subjectArgs;
  const child = spawnNode(here(script), cfg, { cpu: SUBJECT_CPU, gc: true, nodeArgs });
  const { port } = await waitFor(child, 'ready', 15000);
  return { name, port, pid: child.pid, child };
}

/**
 * Each epoch starts every subject afresh; its cycles are numbered after the
 * last epoch's. Its subjects start, warm up and begin the rotation in an order
 * turned one place further each epoch, so that no subject holds one place:
 * in the 16 MB server row, where a process lands in glibc's heap-trimming mode
 * depends on it (socketeer: 11 of 12 epochs last, 0 of 8 first; performance
 * notes, round 8).
 */
async function inEpochs(c, runEpoch) {
  const slices = [];
  let names = [];
  for (let epoch = 0; epoch < P.epochs; epoch++) {
    const result = await runEpoch(c, epoch);
    names = result.names;
    for (const s of result.slices) slices.push({ ...s, epoch, cycle: epoch * CYCLES_PER_EPOCH + s.cycle });
  }
  return { names, slices };
}

/** Server role: the servers up together, one load process driving them in turn. */
async function runServers(c, epoch) {
  const names = c.reference ? [c.reference, ...LIBS] : LIBS;
  const servers = [];
  try {
    for (const name of rotated(names, epoch)) servers.push(await startServer(name, c));
    const p = paramsFor(c);
    const cfg = { ...c.load, ...p, subjects: servers.map(({ name, port, pid }) => ({ name, port, pid })) };
    const driver = spawnNode(here('interleaved-driver.mjs'), cfg, { cpu: LOAD_CPU, env: loadEnv() });
    try {
      const budget = 60000 + (p.cycles + 2) * names.length * (p.sliceMs + p.settleMs + 3000) + p.warmupMs * names.length;
      const m = await waitFor(driver, 'result', budget);
      if (m.error) throw new Error(m.error);
      return { names, slices: m.result.slices };
    } finally {
      await stop(driver, 500);
    }
  } finally {
    for (const s of servers) await stop(s.child, 500);
  }
}

/** Client role: the clients up together against one fixed raw server; slices asked in turn. */
async function runClients(c, epoch) {
  const server = spawnNode(here('rawserver.mjs'), { mode: 'ws' }, { cpu: LOAD_CPU, env: loadEnv() });
  const clients = [];
  try {
    const { port } = await waitFor(server, 'ready', 15000);
    for (const name of rotated(LIBS, epoch)) {
      const child = spawnNode(here('interleaved-client.mjs'), { lib: libOf(name), port, ...c.load }, { cpu: SUBJECT_CPU, gc: true, nodeArgs: subjectArgs });
      clients.push({ name, child });
      await waitFor(child, 'ready', 15000);
    }
    const p = paramsFor(c);
    const slice = async ({ child }, sliceMs, record) => {
      const answer = waitFor(child, 'slice', sliceMs + p.settleMs + 20000);
      child.send({ type: 'slice', settleMs: p.settleMs, sliceMs, record });
      return answer;
    };
    for (const client of clients) await slice(client, p.warmupMs, false);
    const slices = [];
    for (const { cycle, item: client } of rotatingOrder(p.cycles, clients)) {
      const { type, ...result } = await slice(client, p.sliceMs, true);
      slices.push({ cycle, subject: client.name, ...result });
    }
    return { names: LIBS, slices };
  } finally {
    for (const client of clients) await stop(client.child, 500);
    await stop(server, 500);
  }
}

// ---- figures -----------------------------------------------------------------
/** Per cycle and subject: the slice measured then. */
function byCycle(slices) {
  const table = Array.from({ length: P.cycles }, () => ({}));
  for (const s of slices) table[s.cycle][s.subject] = s;
  return table;
}

const RATE_OF = {
  perCpuSec: (s) => [s.messages, s.cpuSeconds],
  bytesPerSec: (s) => [s.payloadBytes, s.seconds],
  messagesPerSec: (s) => [s.messages, s.seconds],
};

function throughputRow(c, names, slices) {
  const cycles = byCycle(slices);
  const parts = RATE_OF[c.figure];
  const rate = (name, picks) => {
    let num = 0;
    let den = 0;
    for (const i of picks) { const [a, b] = parts(cycles[i][name]); num += a; den += b; }
    return num / den;
  };
  const ratio = (a, b) => bootstrapOverCycles(EPOCHS, (picks) => rate(a, picks) / rate(b, picks));
  const all = cycles.map((_, i) => i);
  const figures = Object.fromEntries(names.map((n) => [n, rate(n, all)]));
  const cpuShare = Object.fromEntries(names.map((n) => {
    let cpu = 0;
    let secs = 0;
    for (const s of slices) if (s.subject === n) { cpu += s.cpuSeconds; secs += s.seconds; }
    return [n, cpu / secs];
  }));
  // Per epoch (each a fresh set of processes), and page faults per MB where the driver read them.
  const byEpoch = Object.fromEntries(names.map((n) => [n, EPOCHS.map((cyclesOfEpoch) => rate(n, cyclesOfEpoch))]));
  const faultsPerMB = slices.some((s) => Number.isFinite(s.minorFaults))
    ? Object.fromEntries(names.map((n) => [n, EPOCHS.map((cyclesOfEpoch) => {
      let faults = 0;
      let bytes = 0;
      for (const i of cyclesOfEpoch) { faults += cycles[i][n].minorFaults; bytes += cycles[i][n].payloadBytes; }
      return faults / (bytes / 1e6);
    })]))
    : null;
  const ratios = { socketeerVsWs: ratio('socketeer', 'ws'), aa: ratio('ws-aa', 'ws') };
  const goals = { socketeerVsWs: goalVerdict(ratios.socketeerVsWs, c.goals.ws, 'higher') };
  if (c.reference) {
    ratios.socketeerVsReference = ratio('socketeer', c.reference);
    ratios.wsVsReference = ratio('ws', c.reference);
    // The ceiling goal of the large rows holds only where ws itself reaches it.
    const applies = c.reference === 'floor' || ratios.wsVsReference.point >= c.goals.reference;
    goals.socketeerVsReference = applies ? goalVerdict(ratios.socketeerVsReference, c.goals.reference, 'higher') : 'does not apply (ws is below it)';
  }
  return { id: c.id, label: c.label, figure: c.figure, reference: c.reference ?? null, figures, byEpoch, faultsPerMB, cpuShare, ratios, goals, undrainedSlices: slices.filter((s) => !s.drained).length };
}

function latencyRow(c, names, slices) {
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
  const ratio = (a, b, q) => bootstrapOverCycles(EPOCHS, (picks) => quantile(pooled(a, picks), q) / quantile(pooled(b, picks), q), { reps: 300 });
  const ratios = {};
  const goals = {};
  for (const [k, q] of Object.entries(quantiles)) {
    ratios[k] = { socketeerVsWs: ratio('socketeer', 'ws', q), aa: ratio('ws-aa', 'ws', q) };
    if (k !== 'p50') goals[k] = goalVerdict(ratios[k].socketeerVsWs, 1.0, 'lower');
  }
  return { id: c.id, label: c.label, figure: 'latency', figures, ratios, goals, undrainedSlices: slices.filter((s) => !s.drained).length };
}

// ---- report ------------------------------------------------------------------
const fmtRatio = (r) => `${r.point.toFixed(3)} (${r.low.toFixed(3)}–${r.high.toFixed(3)})`;
const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const fmtFigure = (row, x) => (row.figure === 'bytesPerSec' ? fmtInt(x / 1e6) : fmtInt(x));

function summaryLine(row) {
  if (row.figure === 'latency') return `p99 socketeer/ws ${fmtRatio(row.ratios.p99.socketeerVsWs)}, A/A ${fmtRatio(row.ratios.p99.aa)}`;
  const ref = row.reference ? `, socketeer/${row.reference} ${fmtRatio(row.ratios.socketeerVsReference)}` : '';
  return `socketeer/ws ${fmtRatio(row.ratios.socketeerVsWs)}${ref}, A/A ${fmtRatio(row.ratios.aa)}`;
}

function markdown(meta, rows) {
  const q = meta.params;
  const lines = [
    `# Interleaved measurements (${meta.commit || 'unknown commit'})`,
    '',
    `- Date: ${meta.date}, commit \`${meta.commit || 'unknown'}\`${meta.renderedBy ? ` (report rendered again by ${meta.renderedBy})` : ''}`,
    `- Command: \`${meta.command}\``,
    `- Machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, Node ${meta.machine.node}; ${meta.pinning}`,
    ...loadAllocatorLines(meta),
    `- ${q.epochs} epoch(s) of ${q.cycles / q.epochs} cycles; every epoch starts all subjects afresh, in an order turned one place further each epoch (warm-up ${q.warmupMs} ms each, ${q.longWarmupMs ?? q.deflateWarmupMs} ms for ${q.longWarmupMs ? 'latency and ' : ''}permessage-deflate). In each cycle every subject is driven for ${q.settleMs} ms unmeasured and then ${q.sliceMs} ms measured (2.5 times both for 16 MB), one after another, starting one further along each cycle. Intervals: 90% bootstrap, epochs resampled and then cycles within them, the same cycles for both sides of a ratio.`,
    `- Load average at start ${meta.loadAverageAtStart.join(' / ')}, at end ${meta.loadAverageAtEnd.join(' / ')}; ${meta.seconds} s`,
    '',
  ];
  const through = rows.filter((r) => r.figure !== 'latency');
  if (through.length) {
    lines.push('| Row | floor or ceiling | ws | socketeer | socketeer/ws | goal ≥ 1 | socketeer/(floor or ceiling) | goal | ws/(floor or ceiling) | A/A ws-aa/ws |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of through) {
      const ref = r.reference;
      lines.push([
        r.label,
        ref ? `${ref}: ${fmtFigure(r, r.figures[ref])}` : '–',
        fmtFigure(r, r.figures.ws),
        fmtFigure(r, r.figures.socketeer),
        fmtRatio(r.ratios.socketeerVsWs),
        r.goals.socketeerVsWs,
        ref ? fmtRatio(r.ratios.socketeerVsReference) : '–',
        ref ? `${ref === 'floor' ? '≥ 0.9' : '≥ 0.8'}: ${r.goals.socketeerVsReference}` : '–',
        ref ? fmtRatio(r.ratios.wsVsReference) : '–',
        fmtRatio(r.ratios.aa),
      ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'));
    }
    lines.push('');
  }
  const withFaults = rows.filter((r) => r.faultsPerMB);
  if (withFaults.length) {
    lines.push('Per epoch (fresh processes), in the row\'s unit, with the minor page faults per MB echoed of the process under test:', '');
    lines.push('| Row | subject | per epoch | faults per MB per epoch |');
    lines.push('|---|---|---|---|');
    for (const r of withFaults) {
      for (const n of Object.keys(r.byEpoch)) {
        lines.push(`| ${r.id} | ${n} | ${r.byEpoch[n].map((x) => fmtFigure(r, x)).join(', ')} | ${r.faultsPerMB[n].map((x) => x.toFixed(1)).join(', ')} |`);
      }
    }
    lines.push('');
  }
  for (const r of rows.filter((x) => x.figure === 'latency')) {
    const names = Object.keys(r.figures);
    lines.push(`| ${r.label} | ${names.join(' | ')} | socketeer/ws | goal ≤ 1 | A/A ws-aa/ws |`);
    lines.push(`|---|${names.map(() => '---').join('|')}|---|---|---|`);
    for (const k of ['p50', 'p99', 'p999']) {
      lines.push(`| ${k === 'p999' ? 'p99.9' : k} (µs) | ${names.map((n) => fmtInt(r.figures[n][k])).join(' | ')} | ${fmtRatio(r.ratios[k].socketeerVsWs)} | ${r.goals[k] ?? ''} | ${fmtRatio(r.ratios[k].aa)} |`);
    }
    lines.push(`| samples | ${names.map((n) => fmtInt(r.figures[n].samples)).join(' | ')} | | | |`);
    lines.push('');
  }
  lines.push(
    'Figures: real clients in messages per server CPU-second; large messages in payload MB/s; permessage-deflate in messages/s; latency in µs, pooled over all slices.',
    'A verdict is "met" when the whole interval is on the goal\'s side, "not met" when the whole interval is on the other side, and "within noise" otherwise (it then says which side the measured ratio is on). The A/A column is ws against ws in the same cycles: an interval that holds 1 there is what a fair comparison looks like.',
    '',
  );
  return lines.join('\n');
}

// ---- main --------------------------------------------------------------------
// --render=<file.json>: write that run's .md again (after a change to the report).
if (typeof args.render === 'string') {
  const saved = JSON.parse(readFileSync(args.render, 'utf8'));
  saved.meta.renderedBy ??= 'node bench/interleaved.mjs --render';
  writeFileSync(args.render.replace(/\.json$/, '.md'), markdown(saved.meta, saved.rows));
  console.log(`rendered ${args.render.replace(/\.json$/, '.md')}`);
  process.exit(0);
}

let commit = '';
try { commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* not a checkout */ }
const meta = {
  date: new Date().toISOString(),
  // Allocator settings change the large rows (performance notes, round 7), so the command shows any in force.
  command: `${allocatorEnv()}node bench/interleaved.mjs${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`,
  commit,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  pinning: pin ? `subjects on CPU ${SUBJECT_CPU}, load or fixed server on CPU ${LOAD_CPU} (taskset)` : 'none',
  loadAllocator: loadEnv().GLIBC_TUNABLES ?? '',
  params: P,
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
};

const t0 = Date.now();
const rows = [];
console.log(`interleaved: ${selected.length} rows, ${P.epochs} epoch(s) × ${CYCLES_PER_EPOCH} cycles of ${P.sliceMs} ms slices`);
for (const c of selected) {
  const { names, slices } = await inEpochs(c, c.role === 'server' ? runServers : runClients);
  const row = c.figure === 'latency' ? latencyRow(c, names, slices) : throughputRow(c, names, slices);
  rows.push(row);
  console.log(`  ${c.id}: ${summaryLine(row)}${row.undrainedSlices ? ` (${row.undrainedSlices} slices did not drain)` : ''}`);
}
meta.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
meta.seconds = Math.round((Date.now() - t0) / 1000);
const base = only || quick ? 'interleaved-partial' : 'interleaved';
const outDir = fileURLToPath(new URL('../bench-results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}${base}.json`, JSON.stringify({ meta, rows }, null, 1));
writeFileSync(`${outDir}${base}.md`, markdown(meta, rows));
console.log(`done in ${meta.seconds} s: bench-results/${base}.json, .md`);
