// `npm run bench`: socketeer against ws, alternating, several rounds.
// Options: --quick (under a minute), --only=<id prefix,...>, --rounds=N,
//          --no-aa (skip the A/A slot: ws run a second time as 'ws-aa'),
//          --server-node-args="<flags for the server/client under test>"
//          (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { useSocketeerNative, wsNativeReport } from './lib/adapters.mjs';
import { allocatorEnv, loadEnv } from './lib/allocator.mjs';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';
import { summary } from './lib/stats.mjs';
import { writeReports } from './report.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.length ? v.join('=') : true];
}));
const quick = Boolean(args.quick);
// 'ws-aa' is ws again, in its own slot of every round (an A/A comparison):
// how far ws lands from itself is the noise band a socketeer/ws ratio is read
// against. 'floor' (real-client and memory rows only) is the same work with no
// WebSocket library: a bare net.Socket echo server for the real-client rows,
// the bare upgraded socket (bench/socket-floor.mjs) for the memory rows.
const AA = !args['no-aa'];
const LIBS = AA ? ['ws', 'socketeer', 'ws-aa'] : ['ws', 'socketeer'];
const libOf = (slot) => (slot === 'ws-aa' ? 'ws' : slot);
const P = quick
  ? { rounds: 1, warmupMs: 80, largeWarmupMs: 200, durationMs: 180, latencyMs: 250, latencyWarmupMs: 500, deflateWarmupMs: 500, handshakeWarmupMs: 500, idleConns: 500, bcastReps: 5, bcastWarm: 2, codecWarm: 40, codecMs: 100 }
  : { rounds: 5, warmupMs: 300, largeWarmupMs: 1500, durationMs: 1000, latencyMs: 1500, latencyWarmupMs: 3000, deflateWarmupMs: 3000, handshakeWarmupMs: 3000, idleConns: 10000, bcastReps: 40, bcastWarm: 10, codecWarm: 300, codecMs: 600 };
if (args.rounds) P.rounds = Number(args.rounds);
const only = typeof args.only === 'string' ? args.only.split(',') : null;
const subjectArgs = typeof args['server-node-args'] === 'string' ? args['server-node-args'].split(' ').filter(Boolean) : [];
const SUBJECT_CPU = 0;
const LOAD_CPU = 1;

// ---- environment -------------------------------------------------------------
function nofileLimits() {
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -Sn']).stdout.toString().trim());
  const hardText = spawnSync('sh', ['-c', 'ulimit -Hn']).stdout.toString().trim();
  return { soft, hard: hardText === 'unlimited' ? Infinity : Number(hardText) };
}
const limits = nofileLimits();
const needed = P.idleConns + 512;
let raiseTo = 0;
if (limits.soft < needed) {
  if (limits.hard >= needed) raiseTo = needed;
  else { raiseTo = limits.hard; P.idleConns = Math.max(100, limits.hard - 512); }
}
const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: raiseTo });

let commit = '';
try { commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* not a checkout */ }
const meta = {
  date: new Date().toISOString(),
  command: `${allocatorEnv()}${quick ? 'npm run bench:quick' : 'npm run bench'}`,
  loadAllocator: loadEnv().GLIBC_TUNABLES ?? '',
  argv: process.argv.slice(2),
  quick,
  commit,
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  },
  nofile: { soft: limits.soft, hard: limits.hard === Infinity ? 'unlimited' : limits.hard, raisedTo: raiseTo || null, idleConnections: P.idleConns },
  pinning: pin ? `server/client under test on CPU ${SUBJECT_CPU}, load generator / fixed server on CPU ${LOAD_CPU} (taskset)` : 'none',
  params: P,
  ws: wsNativeReport(),
  // ws loads bufferutil by itself; socketeer takes it through its optional
  // socketeer/bufferutil subpath (off with BENCH_SOCKETEER_NATIVE=0), so both
  // mask with the same native code. The codec-builtin rows measure socketeer
  // without it.
  socketeerNative: await useSocketeerNative(),
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  // Which socket the client memory rows are set against (before round 11: the server's).
  clientMemoryFloor: 'client-upgrade',
  standIn: process.env.BENCH_SOCKETEER_STANDIN === 'ws' ? 'socketeer slot runs ws (harness development)' : null,
};
if (meta.ws.bufferutil?.wsGetsNative && !meta.socketeerNative && process.env.BENCH_SOCKETEER_NATIVE !== '0') {
  console.warn('warning: ws masks natively but socketeer/bufferutil did not turn native masking on');
}
if (!meta.ws.bufferutil?.wsGetsNative) console.warn('warning: ws is not using the native bufferutil:', meta.ws.bufferutil);

// ---- runners -----------------------------------------------------------------
const slack = 20000;
const timed = (extra = 0) => P.warmupMs + P.durationMs + slack + extra;
/** Load processes (pinned to the load CPU) run with glibc's thresholds held still; subjects with the default. */
const envFor = (cpu) => (cpu === LOAD_CPU ? loadEnv() : process.env);

async function withServer(script, cfg, fn, opts = {}) {
  const cpu = opts.cpu ?? SUBJECT_CPU;
  const server = spawnNode(here(script), cfg, { cpu, gc: true, nodeArgs: opts.nodeArgs ?? [], env: envFor(cpu) });
  try {
    const { port } = await waitFor(server, 'ready', 15000);
    return await fn(port, server);
  } finally {
    await stop(server);
  }
}

/**
 * Starts a load process now, before the server it will talk to is up (its
 * start-up overlaps the server's); it waits for { type: 'target' } with the port.
 */
function startLoad(script, cfg, cpu = LOAD_CPU, nodeArgs = []) {
  const child = spawnNode(here(script), { ...cfg, portFromParent: true }, { cpu, gc: true, nodeArgs, env: envFor(cpu) });
  child.waiting = waitFor(child, 'waiting', 30000);
  child.waiting.catch(() => {});
  return child;
}

async function finishLoad(child, target, timeoutMs) {
  try {
    await child.waiting;
    child.send({ type: 'target', ...target });
    const m = await waitFor(child, 'result', timeoutMs);
    if (m.error) throw new Error(m.error);
    return m.result;
  } finally {
    await stop(child, 500);
  }
}

async function runLoad(script, cfg, timeoutMs, cpu = LOAD_CPU, nodeArgs = []) {
  const child = spawnNode(here(script), cfg, { cpu, gc: true, nodeArgs, env: envFor(cpu) });
  try {
    const m = await waitFor(child, 'result', timeoutMs);
    if (m.error) throw new Error(m.error);
    return m.result;
  } finally {
    await stop(child, 500);
  }
}

/** Server role: the library's server, the raw load generator. */
async function serverRole(lib, serverCfg, loadCfg, timeout = timed()) {
  const load = startLoad('loadgen.mjs', loadCfg);
  try {
    return await withServer('server.mjs', { lib, ...serverCfg }, (port, server) =>
      finishLoad(load, { port, subjectPid: server.pid }, timeout), { nodeArgs: subjectArgs });
  } finally {
    await stop(load, 500);
  }
}

/** Client role: the fixed raw server, the library's client. */
async function clientRole(lib, loadCfg, timeout = timed()) {
  const load = startLoad('client-driver.mjs', { lib, ...loadCfg }, SUBJECT_CPU, lib === 'floor' ? [] : subjectArgs);
  try {
    return await withServer('rawserver.mjs', { mode: 'ws' }, (port) => finishLoad(load, { port }, timeout), { cpu: LOAD_CPU });
  } finally {
    await stop(load, 500);
  }
}

/** Real-client rows: the ws client drives the library's server (or the bare floor). */
async function realClient(lib, loadCfg, timeout = timed()) {
  const load = startLoad('client-driver.mjs', { lib: 'ws', ...loadCfg }, LOAD_CPU);
  try {
    const [script, cfg] = lib === 'floor' ? ['rawserver.mjs', { mode: 'ws' }] : ['server.mjs', { lib, mode: 'echo' }];
    return await withServer(script, cfg, (port, server) =>
      finishLoad(load, { port, subjectPid: server.pid }, timeout), { nodeArgs: lib === 'floor' ? [] : subjectArgs });
  } finally {
    await stop(load, 500);
  }
}

const win = { warmupMs: P.warmupMs, durationMs: P.durationMs };

// ---- cases -------------------------------------------------------------------
// Each case runs per library and round and returns { key: value }; its
// metrics pick values out by key.
const cases = [];
const higher = 'higher';
const lower = 'lower';

for (const role of ['server', 'client']) {
  for (const kind of ['text', 'binary']) {
    for (const conns of [1, 64]) {
      const load = { mode: 'echo', conns, window: conns === 1 ? 32 : 8, payload: { kind, size: 32 }, ...win };
      cases.push({
        id: `throughput.${role}.${kind}.${conns}`,
        run: (lib) => role === 'server' ? serverRole(lib, { mode: 'echo' }, load) : clientRole(lib, load),
        metrics: [{ key: 'messagesPerSec', label: `echo 32 B ${kind}, ${conns} conn${conns > 1 ? 's' : ''} (window ${load.window}), ${role}`, unit: 'msg/s', better: higher, goal: 1.5 }],
      });
    }
  }
}

for (const role of ['server', 'client']) {
  // A longer warm-up than the throughput rows: at 4,000 msg/s, 300 ms is 1,200
// messages, and V8's optimizing compilers were still compiling both
// libraries' paths during the measurement; their jobs run on the same pinned
// CPU and preempt the event loop, which was the p99 being measured (ws 539–678
// µs, socketeer 1,055–1,453 µs with 300 ms; 163–362 and 184–412 with 3 s).
const load = { mode: 'latency', conns: 8, rate: quick ? 2000 : 4000, payload: { kind: 'binary', size: 32 }, warmupMs: P.latencyWarmupMs, durationMs: P.latencyMs };
  cases.push({
    id: `latency.${role}`,
    run: (lib) => role === 'server' ? serverRole(lib, { mode: 'echo' }, load, timed(P.latencyMs + P.latencyWarmupMs)) : clientRole(lib, load, timed(P.latencyMs + P.latencyWarmupMs)),
    metrics: ['p50', 'p99', 'p999'].map((k) => ({
      key: k, label: `latency ${k === 'p999' ? 'p99.9' : k}, 32 B at ${load.rate} msg/s over 8 conns, ${role}`, unit: 'µs', better: lower, goal: k === 'p50' ? null : 1.0,
    })),
  });
}

// Large messages warm up longer than small ones, for the reason latency does:
// with 300 ms, a fresh process was still compiling its path (on the pinned
// CPU, V8's optimizing jobs preempt the event loop): a 64 KB client echo
// that reaches 1,100-1,600 MB/s passed 800 MB/s only 450-900 ms in with ws
// and 600-1,050 ms with socketeer, which has more functions to optimize
// (performance notes, round 11).
const LARGE = [[64 * 1024, '64 KB', 8], [1024 * 1024, '1 MB', 2], [16 * 1024 * 1024, '16 MB', 1]];
const largeWin = { warmupMs: P.largeWarmupMs, durationMs: P.durationMs };
const largeTimeout = timed(P.largeWarmupMs - P.warmupMs);
for (const [size, name, window] of LARGE) {
  const load = { mode: 'echo', conns: 1, window, payload: { kind: 'binary', size }, ...largeWin };
  cases.push({
    id: `large.tcp.${name.replace(' ', '')}`,
    libs: ['tcp'],
    run: () => withServer('rawserver.mjs', { mode: 'tcp', size }, (port) => runLoad('loadgen.mjs', { port, tcp: true, ...load }, largeTimeout), { cpu: SUBJECT_CPU }),
    metrics: [{ key: 'bytesPerSec', label: `raw TCP echo ${name} (ceiling)`, unit: 'MB/s', scale: 1e-6, better: higher }],
  });
  for (const role of ['server', 'client']) {
    cases.push({
      id: `large.${role}.${name.replace(' ', '')}`,
      run: (lib) => role === 'server' ? serverRole(lib, { mode: 'echo' }, load, largeTimeout) : clientRole(lib, load, largeTimeout),
      metrics: [{ key: 'payloadBytesPerSec', label: `echo ${name} binary (window ${window}), ${role}`, unit: 'MB/s', scale: 1e-6, better: higher, goal: 1.0, ceiling: `large.tcp.${name.replace(' ', '')}` }],
    });
  }
}

cases.push({
  id: 'broadcast.server',
  run: (lib) => serverRole(lib, { mode: 'broadcast' }, {
    mode: 'broadcast', conns: 1000, reps: P.bcastReps, warmupReps: P.bcastWarm, payload: { kind: 'text', size: 32 }, durationMs: 20000,
  }, 60000),
  metrics: [
    { key: 'medianMs', label: 'broadcast 32 B text to 1,000 conns, until all have it', unit: 'ms', better: lower, goal: 0.5 },
    { key: 'cpuMsPerBroadcast', label: 'broadcast 32 B text to 1,000 conns, server CPU per broadcast', unit: 'ms', better: lower },
  ],
});

// Handshakes warm up for 3 s, as latency and permessage-deflate do: every
// connection runs the whole set-up and teardown path, and with 300 ms the
// measured second still paid for compiling it (round 8 of the notes).
for (const role of ['server', 'client']) {
  const load = { mode: 'handshakes', concurrency: 32, warmupMs: P.handshakeWarmupMs, durationMs: P.durationMs };
  cases.push({
    id: `handshakes.${role}`,
    run: (lib) => role === 'server' ? serverRole(lib, { mode: 'echo' }, load, timed(P.handshakeWarmupMs)) : clientRole(lib, load, timed(P.handshakeWarmupMs)),
    metrics: [{ key: 'perSec', label: `opening handshakes (32 concurrent), ${role}`, unit: 'hs/s', better: higher, goal: 1.0 }],
  });
}

/**
 * Heap and RSS growth per idle connection of a server process: a sample after
 * forced GC inside the process, the load generator's idle connections
 * (bench/loadgen.mjs, pinned to the load CPU), another sample.
 */
function idleServerMemory(script, cfg, nodeArgs) {
  return withServer(script, cfg, async (port, server) => {
    server.send({ type: 'mem' });
    const before = await waitFor(server, 'mem', 10000);
    const load = spawnNode(here('loadgen.mjs'), { port, mode: 'idle', conns: P.idleConns }, { cpu: LOAD_CPU, env: envFor(LOAD_CPU) });
    try {
      const { conns } = await waitFor(load, 'connected', 120000);
      server.send({ type: 'mem' });
      const after = await waitFor(server, 'mem', 10000);
      if (after.clients !== conns) throw new Error(`server sees ${after.clients} clients, expected ${conns}`);
      return { rssPerConn: (after.rss - before.rss) / conns, heapPerConn: (after.heapUsed - before.heapUsed) / conns };
    } finally {
      await stop(load, 3000);
    }
  }, { nodeArgs });
}

// The memory goal is set above a floor: what each idle connection costs
// beyond the bare upgraded socket, with no library on it. It is the 'floor'
// slot of each memory case, measured exactly like the libraries (same
// connection count, GC-then-sample, pinning; like the real-client floor,
// without --server-node-args). Server role: the socket Node's HTTP server
// hands over after an upgrade (bench/socket-floor.mjs, 'upgrade'), with the
// same load generator. Client role: the socket Node's HTTP client hands over
// after a 101 (bench/lib/floor.mjs, openUpgradedClient), held by
// bench/client-driver.mjs against the same fixed server. It costs more than
// the server's, which the client rows were set against until round 11
// (performance notes).
const memoryFloor = () => idleServerMemory('socket-floor.mjs', { mode: 'upgrade' }, []);
const MEMORY_GOAL = 0.6; // socketeer/ws of the cost above the floor, heap and RSS, both roles

cases.push({
  id: 'memory.server',
  libs: [...LIBS, 'floor'],
  rounds: Math.min(P.rounds, 3), // 10,000 connections per round; steady from round to round
  run: (lib) => (lib === 'floor' ? memoryFloor() : idleServerMemory('server.mjs', { lib, mode: 'echo' }, subjectArgs)),
  metrics: [
    { key: 'rssPerConn', label: `RSS per idle connection (${P.idleConns} conns), server`, unit: 'KB', scale: 1 / 1024, better: lower, aboveFloorGoal: MEMORY_GOAL },
    { key: 'heapPerConn', label: `heap per idle connection (${P.idleConns} conns), server`, unit: 'KB', scale: 1 / 1024, better: lower, aboveFloorGoal: MEMORY_GOAL },
  ],
});
cases.push({
  id: 'memory.client',
  libs: [...LIBS, 'floor'],
  rounds: Math.min(P.rounds, 3),
  run: (lib) => clientRole(lib, { mode: 'idle', conns: P.idleConns }, 120000), // 'floor': bench/lib/floor.mjs
  metrics: [
    { key: 'rssPerConn', label: `RSS per idle connection (${P.idleConns} conns), client`, unit: 'KB', scale: 1 / 1024, better: lower, aboveFloorGoal: MEMORY_GOAL },
    { key: 'heapPerConn', label: `heap per idle connection (${P.idleConns} conns), client`, unit: 'KB', scale: 1 / 1024, better: lower, aboveFloorGoal: MEMORY_GOAL },
  ],
});

for (const op of ['parse', 'serialize']) {
  for (const [size, name] of [[32, '32 B'], [1024, '1 KB'], [65536, '64 KB']]) {
    cases.push({
      id: `codec.${op}.${name.replace(' ', '')}`,
      run: (lib) => runLoad('codec.mjs', { lib, op, size, native: meta.socketeerNative, warmupMs: P.codecWarm, durationMs: P.codecMs }, 30000, SUBJECT_CPU),
      // Issue 15's codec goal covers 1 KB and 64 KB; 32 B is kept as a check.
      metrics: [{ key: 'framesPerSec', label: op === 'parse' ? `parse ${name} masked binary frames (in-process)` : `serialize ${name} masked frames (in-process)`, unit: 'frames/s', better: higher, goal: size === 32 ? null : 1.0 }],
    });
  }
}
// A large message as a socket delivers it: 1 MB frames in 64 KB reads, which
// each library has to reassemble and unmask.
cases.push({
  id: 'codec.parse.1MBin64KB',
  run: (lib) => runLoad('codec.mjs', { lib, op: 'parse', size: 1 << 20, read: 65536, native: meta.socketeerNative, warmupMs: P.codecWarm, durationMs: P.codecMs }, 30000, SUBJECT_CPU),
  metrics: [{ key: 'framesPerSec', label: 'parse 1 MB masked binary frames in 64 KB reads (in-process)', unit: 'frames/s', better: higher }],
});
// socketeer without the optional native helper (WebAssembly SIMD / JavaScript
// masking) against ws with it: what a user gets who has not installed bufferutil.
if (meta.socketeerNative) {
  for (const op of ['parse', 'serialize']) {
    for (const [size, name] of [[1024, '1 KB'], [65536, '64 KB']]) {
      cases.push({
        id: `codec-builtin.${op}.${name.replace(' ', '')}`,
        run: (lib) => runLoad('codec.mjs', { lib, op, size, native: false, warmupMs: P.codecWarm, durationMs: P.codecMs }, 30000, SUBJECT_CPU),
        metrics: [{ key: 'framesPerSec', label: `${op} ${name} masked frames (in-process), socketeer's built-in masking (no bufferutil)`, unit: 'frames/s', better: higher }],
      });
    }
  }
}

// Small messages from a real client: the ws client (bench/client-driver.mjs,
// pinned to the load CPU) sends one message per send() and the next when a
// reply comes, against the library's server or a bare net.Socket echo (the
// floor: bench/rawserver.mjs, handshake + frame echo, no library). The figure
// to read is messages per server CPU-second.
for (const [conns, window] of [[64, 1], [32, 16], [1, 64]]) {
  for (const kind of ['text', 'binary']) {
    const load = { mode: 'echo', conns, window, payload: { kind, size: 32 }, ...win };
    cases.push({
      id: `realclient.${conns}x${window}.${kind}`,
      libs: [...LIBS, 'floor'],
      run: (lib) => realClient(lib, load),
      metrics: [{ key: 'messagesPerSec', label: `ws client, one message per send(), 32 B ${kind}, ${conns} conn${conns > 1 ? 's' : ''} × ${window} in flight, server`, unit: 'msg/s', better: higher, goal: 1.0, floorGoal: 0.9 }],
    });
  }
}

for (const role of ['server', 'client']) {
  for (const [size, name] of [[1024, '1 KB'], [65536, '64 KB']]) {
    // Warm-up of 3 s, not 300 ms: at about 1,300 messages of 64 KB per
    // second, 300 ms left both libraries' deflate paths in V8's baseline tier
    // for much of the measurement (ws 1,233-1,342 msg/s then, 1,413-1,490
    // after 4 s; socketeer 1,116-1,178, then 1,463-1,485).
    const load = { mode: 'echo', conns: 4, window: 4, payload: { kind: 'json', size }, warmupMs: P.deflateWarmupMs, durationMs: P.durationMs };
    cases.push({
      id: `deflate.${role}.${name.replace(' ', '')}`,
      run: (lib) => role === 'server' ? serverRole(lib, { mode: 'echo', deflate: true }, load, timed(P.deflateWarmupMs)) : clientRole(lib, load, timed(P.deflateWarmupMs)),
      metrics: [
        { key: 'messagesPerSec', label: `permessage-deflate echo ${name} JSON text (4 conns × window 4), ${role}`, unit: 'msg/s', better: higher, goal: 1.0 },
        { key: 'payloadBytesPerSec', label: `permessage-deflate echo ${name} JSON text, uncompressed bytes, ${role}`, unit: 'MB/s', scale: 1e-6, better: higher, goal: 1.0 },
      ],
    });
  }
}

// ---- main --------------------------------------------------------------------
const selected = cases.filter((c) => !only || only.some((p) => c.id.startsWith(p)));
const started = Date.now();
const raw = {};
const notes = {};
console.log(`socketeer vs ws: ${selected.length} cases, ${P.rounds} round(s)${quick ? ' (quick)' : ''}; pinning: ${meta.pinning}`);
for (const c of selected) {
  const libs = c.libs ?? LIBS;
  raw[c.id] = Object.fromEntries(libs.map((l) => [l, []]));
  for (let round = 0; round < P.rounds; round++) {
    // Rotate the order from round to round, so no slot always goes first.
    const rot = round % libs.length;
    const order = [...libs.slice(rot), ...libs.slice(0, rot)];
    const roundsHere = c.rounds ?? P.rounds;
    if (round >= roundsHere) break;
    for (const lib of order) {
      const t0 = Date.now();
      try {
        const r = await c.run(libOf(lib));
        if (r.skipped) { notes[`${c.id}.${lib}`] = r.skipped; raw[c.id][lib].push(null); }
        else raw[c.id][lib].push(r);
      } catch (e) {
        notes[`${c.id}.${lib}`] = `failed: ${String(e.message || e).split('\n')[0]}`;
        raw[c.id][lib].push(null);
      }
      const shown = c.metrics.map((m) => {
        const v = raw[c.id][lib].at(-1)?.[m.key];
        return v === undefined ? '-' : fmt(v * (m.scale ?? 1));
      }).join(' / ');
      console.log(`  ${c.id} [${lib}] round ${round + 1}: ${shown}${notes[`${c.id}.${lib}`] ? `  (${notes[`${c.id}.${lib}`]})` : ''}  ${Date.now() - t0} ms`);
    }
  }
}

/** How far ws lands from itself: per-round ratios and the band they span. */
function noise(rawCase, value, wsMedian, aaMedian) {
  const rounds = [];
  const n = Math.min(rawCase.ws.length, rawCase['ws-aa'].length);
  for (let i = 0; i < n; i++) {
    const r = value(rawCase['ws-aa'][i]) / value(rawCase.ws[i]);
    if (Number.isFinite(r) && r > 0) rounds.push(r);
  }
  const medianRatio = aaMedian / wsMedian;
  const logs = rounds.map((r) => Math.abs(Math.log(r)));
  if (Number.isFinite(medianRatio) && medianRatio > 0) logs.push(Math.abs(Math.log(medianRatio)));
  const half = logs.length ? Math.max(...logs) : NaN;
  return { medianRatio: Number.isFinite(medianRatio) ? medianRatio : null, perRound: rounds, band: Number.isFinite(half) ? [Math.exp(-half), Math.exp(half)] : null };
}

/** 'win', 'loss' or 'within noise' for socketeer's ratio against the A/A band. */
function verdictOf(ratio, aa, better) {
  if (!Number.isFinite(ratio) || !aa?.band) return null;
  if (ratio >= aa.band[0] && ratio <= aa.band[1]) return 'within noise';
  return (better === higher ? ratio > 1 : ratio < 1) ? 'win' : 'loss';
}

/**
 * A memory row above its floor: each library's median minus the floor's, and
 * socketeer/ws of those, judged against the goal; per round as well (the
 * floor and both libraries measured in the same round).
 */
function aboveFloor(rawCase, value, entry, goal) {
  const floor = entry.floor.median;
  const ws = entry.ws.median - floor;
  const socketeer = entry.socketeer.median - floor;
  const valid = Number.isFinite(floor) && Number.isFinite(socketeer) && ws > 0;
  const ratio = valid ? socketeer / ws : null;
  const perRound = [];
  const n = Math.min(rawCase.ws.length, rawCase.socketeer.length, rawCase.floor.length);
  for (let i = 0; i < n; i++) {
    const f = value(rawCase.floor[i]);
    const r = (value(rawCase.socketeer[i]) - f) / (value(rawCase.ws[i]) - f);
    if (Number.isFinite(r) && value(rawCase.ws[i]) > f) perRound.push(r);
  }
  const out = {
    floor: Number.isFinite(floor) ? floor : null,
    ws: Number.isFinite(ws) ? ws : null,
    socketeer: Number.isFinite(socketeer) ? socketeer : null,
    ratio, perRound, goal,
  };
  if (ratio !== null) out.meetsGoal = ratio <= goal;
  if (rawCase['ws-aa'] && Number.isFinite(entry['ws-aa']?.median) && valid) {
    out.aaRatio = (entry['ws-aa'].median - floor) / ws; // ws against itself above the floor
  }
  return out;
}

function fmt(v) {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3);
}

const metrics = [];
for (const c of selected) {
  for (const m of c.metrics) {
    const libs = c.libs ?? LIBS;
    const entry = { id: `${c.id}${c.metrics.length > 1 ? '.' + m.key : ''}`, label: m.label, unit: m.unit, better: m.better, goal: m.goal ?? null };
    for (const lib of libs) {
      entry[lib] = summary(raw[c.id][lib].map((r) => (r && Number.isFinite(r[m.key]) ? r[m.key] * (m.scale ?? 1) : NaN)));
      if (notes[`${c.id}.${lib}`]) entry[`${lib}Note`] = notes[`${c.id}.${lib}`];
    }
    if (libs.includes('socketeer') && libs.includes('ws')) {
      const r = entry.socketeer.median / entry.ws.median;
      entry.ratio = Number.isFinite(r) ? r : null;
      if (entry.ratio !== null && entry.goal !== null) {
        entry.meetsGoal = m.better === higher ? entry.ratio >= entry.goal : entry.ratio <= entry.goal;
      }
    }
    const value = (r) => (r && Number.isFinite(r[m.key]) ? r[m.key] * (m.scale ?? 1) : NaN);
    const perCpu = (r) => (r && r.subjectCpuShare > 0 ? value(r) / r.subjectCpuShare : NaN);
    if (libs.includes('ws-aa') && entry.ratio !== undefined) {
      // A/A: ws's second slot against ws, round by round (same round, so the
      // same machine load) and of the medians. The band is the largest
      // deviation from 1 seen, symmetric on a log scale.
      entry.aa = noise(raw[c.id], value, entry.ws.median, entry['ws-aa'].median);
      entry.verdict = verdictOf(entry.ratio, entry.aa, m.better);
    }
    if (libs.includes('floor') && m.aboveFloorGoal !== undefined) {
      entry.aboveFloor = aboveFloor(raw[c.id], value, entry, m.aboveFloorGoal);
    } else if (libs.includes('floor')) {
      entry.floorPerCpuSec = summary(raw[c.id].floor.map(perCpu));
      entry.socketeerPerCpuSec = summary(raw[c.id].socketeer.map(perCpu));
      entry.socketeerVsFloorPerCpuSec = entry.socketeerPerCpuSec.median / entry.floorPerCpuSec.median;
      entry.wsVsFloorPerCpuSec = summary(raw[c.id].ws.map(perCpu)).median / entry.floorPerCpuSec.median;
      entry.floorGoal = m.floorGoal ?? null;
    }
    const hasCpu = (lib) => raw[c.id][lib]?.some((r) => r && Number.isFinite(r.subjectCpuShare));
    if (m.better === higher && libs.includes('socketeer') && hasCpu('ws') && hasCpu('socketeer')) {
      // The same work per CPU second of the process under test: steadier than
      // wall-clock rates when the machine is shared, and not capped by the
      // load generator when the library under test is the faster side.
      const per = (lib) => summary(raw[c.id][lib].map((r) => (r ? (r[m.key] * (m.scale ?? 1)) / r.subjectCpuShare : NaN)));
      entry.perCpuSec = { ws: per('ws'), socketeer: per('socketeer') };
      const r = entry.perCpuSec.socketeer.median / entry.perCpuSec.ws.median;
      entry.perCpuSecRatio = Number.isFinite(r) ? r : null;
      if (libs.includes('ws-aa') && hasCpu('ws-aa')) {
        const wsPer = entry.perCpuSec.ws.median;
        const aaPer = summary(raw[c.id]['ws-aa'].map(perCpu)).median;
        entry.aaPerCpuSec = noise(raw[c.id], perCpu, wsPer, aaPer);
        entry.perCpuSecVerdict = verdictOf(entry.perCpuSecRatio, entry.aaPerCpuSec, m.better);
      }
      entry.cpuShare = { ws: summary(raw[c.id].ws.map((r) => (r ? r.subjectCpuShare : NaN))).median, socketeer: summary(raw[c.id].socketeer.map((r) => (r ? r.subjectCpuShare : NaN))).median };
    }
    if (m.ceiling && raw[m.ceiling]) {
      const tcp = summary(raw[m.ceiling].tcp.map((r) => (r ? r[m.key === 'payloadBytesPerSec' ? 'bytesPerSec' : m.key] * (m.scale ?? 1) : NaN)));
      entry.tcpCeiling = tcp.median;
      entry.wsVsTcp = entry.ws.median / tcp.median;
      entry.socketeerVsTcp = entry.socketeer.median / tcp.median;
      const faults = (lib) => summary(raw[c.id][lib].map((r) => (r && Number.isFinite(r.subjectFaultsPerMB) ? r.subjectFaultsPerMB : NaN)));
      entry.faultsPerMB = { ws: faults('ws'), socketeer: faults('socketeer') };
    }
    metrics.push(entry);
  }
}

meta.elapsedSeconds = Math.round((Date.now() - started) / 1000);
meta.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
const result = { meta, metrics, notes };
const outDir = here('../bench-results/');
mkdirSync(outDir, { recursive: true });
const base = only ? 'partial' : quick ? 'quick' : 'latest';
writeFileSync(`${outDir}${base}.json`, JSON.stringify(result, null, 2) + '\n');
writeReports(result, outDir, base, { docs: base === 'latest' ? here('../docs/performance.md') : null });
console.log(`done in ${meta.elapsedSeconds} s: bench-results/${base}.json, .md, .svg`);
