// `npm run bench:pubsub`: topics fan-out, side by side in one run.
//  1. Across processes on one Redis (a redis-server started here, loopback,
//     no persistence): 1 topic, `subscribers` clients spread over 4 server
//     processes, one publisher. socketeer (redisPubSub) against Socket.IO 4
//     with @socket.io/redis-adapter (a room) and against ws with the
//     hand-written Redis relay. Delivered messages/s at saturation, and
//     publish-to-delivery latency p50/p99 at a fixed publish rate. Every
//     subscriber is the same light client for all three systems (a real
//     handshake, then frames counted from the socket's bytes: see
//     pubsub/raw-subscriber.mjs), so that the one client process is not the
//     limit; --real-clients uses each system's own client library instead.
//     The CPU each side used during saturation is printed and recorded.
//  2. In one process: server CPU time per publish to 10,000 local
//     subscribers, socketeer's wss.publish() against a ws loop of send().
// Ratios are against the comparison measured in the same run. Options:
// --quick, --rounds=N, --real-clients. Writes bench-results/pubsub-<latest|quick>[-real-clients].json.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const roundsArg = argv.find((a) => a.startsWith('--rounds='));
const P = quick
  ? { rounds: 1, subscribers: 1000, servers: 4, window: 8, warmup: 20, saturationMs: 2000, settleMs: 6000, rate: 20, latencyMs: 2000, localConns: 10000, localPublishes: 50 }
  : { rounds: 3, subscribers: 1000, servers: 4, window: 8, warmup: 50, saturationMs: 5000, settleMs: 6000, rate: 20, latencyMs: 5000, localConns: 10000, localPublishes: 200 };
if (roundsArg) P.rounds = Number(roundsArg.split('=')[1]);
// --real-clients: subscribers are each system's own client library instead of the light raw client.
P.clients = argv.includes('--real-clients') ? 'real' : 'raw';
const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: 0 });
const TIMEOUT = 180_000;

async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => { out += c; if (/Ready to accept connections/.test(out)) resolve(); });
    child.once('error', (e) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: () => { child.kill('SIGKILL'); return once(child, 'exit'); } };
}

const TICKS = 100; // USER_HZ on Linux

/** CPU time (user + system) of a process so far, in seconds; null where /proc is not there. */
function cpuSeconds(pid, which = 'both') {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [user, system] = [Number(fields[11]), Number(fields[12])];
    return (which === 'system' ? system : user + system) / TICKS;
  } catch {
    return null;
  }
}

/** CPU time every process of the machine has used so far (all CPUs, without idle and iowait), in seconds. */
function machineCpuSeconds() {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / TICKS;
  } catch {
    return null;
  }
}

async function fanOut(system, redis) {
  const servers = [];
  try {
    for (let i = 0; i < P.servers; i++) servers.push(spawnNode(here('pubsub/server.mjs'), { system, redisUrl: redis.url }, { cpu: 0 }));
    const ports = [];
    for (const s of servers) ports.push((await waitFor(s, 'ready', TIMEOUT)).port);
    const client = spawnNode(here('pubsub/client.mjs'), { system, ports, ...P, profileDir }, { cpu: 1 });
    // CPU seconds per second of each side over the saturation window, and CPU time per publish over
    // the latency window (the client says when each starts and ends).
    const snap = () => ({ at: performance.now(), client: cpuSeconds(client.pid), clientSys: cpuSeconds(client.pid, 'system'), servers: servers.map((s) => cpuSeconds(s.pid)), redis: cpuSeconds(redis.pid), machine: machineCpuSeconds() });
    const first = {};
    const cpu = {};
    client.on('message', (m) => {
      if (m?.type !== 'phase') return;
      if (profileDir && m.name === profilePhase) servers.forEach((s, index) => s.send({ type: `profile-${m.state === 'start' ? 'start' : 'stop'}`, dir: profileDir, index }));
      if (m.state === 'start') first[m.name] = snap();
      else if (first[m.name] !== undefined) {
        const a = first[m.name];
        const b = snap();
        // Per second of the window (saturation), or in ms per publish (latency).
        const per = m.name === 'saturation' ? (b.at - a.at) / 1000 : m.publishes / 1000;
        const rate = (x, y) => (x === null || y === null ? null : +((y - x) / per).toFixed(per === 1 ? 2 : 3));
        const each = servers.map((_, i) => rate(a.servers[i], b.servers[i]));
        const c = { client: rate(a.client, b.client), clientSystem: rate(a.clientSys, b.clientSys), servers: each.includes(null) ? null : +each.reduce((x, y) => x + y, 0).toFixed(3), serverEach: each, redis: rate(a.redis, b.redis) };
        const machine = rate(a.machine, b.machine);
        // What the rest of the machine used meanwhile (another benchmark, a build): such a round is not a clean figure.
        if (machine !== null && c.client !== null && c.servers !== null && c.redis !== null) c.others = +Math.max(0, machine - c.client - c.servers - c.redis).toFixed(2);
        cpu[m.name] = c;
      }
    });
    try {
      await waitFor(client, 'connected', TIMEOUT);
      for (const s of servers) { s.send({ type: 'synced' }); await waitFor(s, 'synced', TIMEOUT); }
      client.send({ type: 'go' });
      const result = await waitFor(client, 'result', TIMEOUT);
      return { ...result, cpu: cpu.saturation ?? null, latencyCpu: cpu.latency ?? null };
    } finally {
      await stop(client);
    }
  } finally {
    await Promise.all(servers.map((s) => stop(s)));
  }
}

async function localCpu(kind) {
  const server = spawnNode(here('pubsub/server.mjs'), { system: `local-${kind}` }, { cpu: 0 });
  try {
    const { port } = await waitFor(server, 'ready', TIMEOUT);
    const client = spawnNode(here('pubsub/local-client.mjs'), { port, conns: P.localConns, frameBytes: 34 }, { cpu: 1 });
    try {
      await waitFor(client, 'connected', TIMEOUT);
      server.send({ type: 'count' });
      const { value } = await waitFor(server, 'count', TIMEOUT);
      if (value !== P.localConns) throw new Error(`${kind}: ${value} subscribers, expected ${P.localConns}`);
      // A first batch warms the code up; the second is measured.
      const results = [];
      for (const count of [Math.max(10, P.localPublishes / 5), P.localPublishes]) {
        client.send({ type: 'expect', count });
        await waitFor(client, 'expecting', TIMEOUT);
        server.send({ type: 'publish', count });
        await waitFor(client, 'delivered', TIMEOUT);
        server.send({ type: 'delivered' });
        const cpu = await waitFor(server, 'cpu', TIMEOUT);
        results.push({ perPublishMicros: cpu.totalMicros / count, syncPerPublishMicros: cpu.syncMicros / count });
      }
      return results.at(-1);
    } finally {
      await stop(client);
    }
  } finally {
    await stop(server);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const started = Date.now();
const SYSTEMS = ['socketeer', 'socketio', 'ws'];
// Diagnostics (not for the recorded figures): --only=<system>[,...] runs just those fan-out rows
// and skips the in-process case; --profile[=latency] writes CPU profiles of every server over the
// saturation (or latency) window, and of the client over the saturation window, to bench-results/pubsub-prof/.
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const profileArg = argv.find((a) => a === '--profile' || a.startsWith('--profile='));
const profileDir = profileArg ? here('../bench-results/pubsub-prof') : null;
const profilePhase = profileArg?.split('=')[1] ?? 'saturation';
if (profileDir) mkdirSync(profileDir, { recursive: true });
const fan = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
const local = { socketeer: [], ws: [] };
const redis = await startRedis();
console.log(`bench:pubsub: ${P.rounds} round(s)${quick ? ' (quick)' : ''}; ${P.subscribers} subscribers over ${P.servers} server processes; Redis ${redis.url}`);
try {
  for (let round = 0; round < P.rounds; round++) {
    const order = round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
    for (const system of order) {
      if (only && !only.includes(system)) continue;
      const r = await fanOut(system, redis);
      fan[system].push(r);
      console.log(`  round ${round + 1} ${system}: ${Math.round(r.saturation)} delivered/s at saturation; p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms at ${P.rate} publishes/s (${r.latencySamples}/${r.latencyExpected} deliveries timed)`);
      console.log(`    p50/p99 ms by server: ${r.perServer.map((x) => `${x.p50}/${x.p99}`).join(', ')}`);
      if (r.cpu) console.log(`    CPU s/s during saturation: client ${r.cpu.client} (system ${r.cpu.clientSystem}), servers ${r.cpu.servers} (${r.cpu.serverEach.join(' + ')}), redis ${r.cpu.redis}, rest of the machine ${r.cpu.others ?? '?'}`);
      if (r.latencyCpu) console.log(`    CPU ms per publish at ${P.rate}/s: client ${r.latencyCpu.client}, servers ${r.latencyCpu.servers} (${r.latencyCpu.serverEach.join(' + ')}), redis ${r.latencyCpu.redis}, rest of the machine ${r.latencyCpu.others ?? '?'}`);
    }
    if (only) continue;
    for (const kind of round % 2 === 0 ? ['socketeer', 'ws'] : ['ws', 'socketeer']) {
      const r = await localCpu(kind);
      local[kind].push(r);
      console.log(`  round ${round + 1} in-process ${kind}: ${r.perPublishMicros.toFixed(0)} µs CPU per publish to ${P.localConns} (${r.syncPerPublishMicros.toFixed(0)} µs in the call)`);
    }
  }
} finally {
  await redis.stop();
}
if (only) process.exit(0);

const m = (system, key) => median(fan[system].map((r) => r[key]));
const metrics = {
  fanOut: Object.fromEntries(SYSTEMS.map((s) => [s, {
    deliveredPerSecond: Math.round(m(s, 'saturation')),
    p50Ms: +m(s, 'p50').toFixed(2),
    p99Ms: +m(s, 'p99').toFixed(2),
    // CPU seconds per second during saturation (the client has one CPU, the 4 servers share the other).
    clientCpu: fan[s][0].cpu ? median(fan[s].map((r) => r.cpu.client)) : null,
    serversCpu: fan[s][0].cpu ? median(fan[s].map((r) => r.cpu.servers)) : null,
  }])),
  inProcess: Object.fromEntries(Object.keys(local).map((k) => [k, { cpuMicrosPerPublish: Math.round(median(local[k].map((r) => r.perPublishMicros))) }])),
};
const f = metrics.fanOut;
const ratios = [
  ['delivered/s, socketeer / Socket.IO', f.socketeer.deliveredPerSecond / f.socketio.deliveredPerSecond, '>= 3x', (x) => x >= 3],
  ['delivered/s, socketeer / ws relay', f.socketeer.deliveredPerSecond / f.ws.deliveredPerSecond, '>= 1.5x', (x) => x >= 1.5],
  ['p99, socketeer / Socket.IO', f.socketeer.p99Ms / f.socketio.p99Ms, '< 1x', (x) => x < 1],
  ['p99, socketeer / ws relay', f.socketeer.p99Ms / f.ws.p99Ms, '< 1x', (x) => x < 1],
  ['in-process CPU per publish, socketeer / ws loop', metrics.inProcess.socketeer.cpuMicrosPerPublish / metrics.inProcess.ws.cpuMicrosPerPublish, '<= 0.5x', (x) => x <= 0.5],
].map(([name, value, goal, ok]) => ({ name, ratio: +value.toFixed(2), goal, met: ok(value) }));

console.log('\n| system | delivered msgs/s (saturation) | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|');
for (const s of SYSTEMS) console.log(`| ${s} | ${f[s].deliveredPerSecond} | ${f[s].p50Ms} | ${f[s].p99Ms} |`);
const busy = SYSTEMS.flatMap((s) => fan[s].filter((r) => (r.cpu?.others ?? 0) > 0.1 || (r.latencyCpu?.others ?? 0) > 0.1 * (1000 / P.rate)).map((r) => `${s} ${r.cpu?.others} CPU s/s, ${r.latencyCpu?.others} ms per publish`));
if (busy.length > 0) console.log(`\nWARNING: other processes used CPU meanwhile (${busy.join('; ')}): these figures are not from a quiet machine`);
console.log(`\nin-process, ${P.localConns} subscribers: socketeer ${metrics.inProcess.socketeer.cpuMicrosPerPublish} µs CPU per publish, ws loop ${metrics.inProcess.ws.cpuMicrosPerPublish} µs`);
console.log('\n| ratio | value | goal |');
console.log('|---|---:|---|');
for (const r of ratios) console.log(`| ${r.name} | ${r.ratio}x | ${r.goal} ${r.met ? 'met' : 'NOT met'} |`);
const meta = {
  date: new Date().toISOString(),
  command: `npm run bench:pubsub${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
  traffic: `fan-out: 1 topic, ${P.subscribers} subscribers over ${P.servers} server processes on one Redis, 1 publisher on the first server, 64-byte-plus text messages; subscribers: ${P.clients === 'raw' ? 'the same light client for every system (real handshake, frames parsed and counted from the socket bytes, Engine.IO/Socket.IO packets checked for Socket.IO)' : "each system's own client library"}; saturation: publishes kept ${P.window} ahead of the slowest server's last subscriber for ${P.saturationMs} ms; latency: ${P.rate} publishes/s for ${P.latencyMs} ms, every delivery timed; in-process: ${P.localConns} raw subscribers, ${P.localPublishes} publishes of 32 bytes, server CPU (user+system) until every byte arrived`,
  rounds: P.rounds,
  clients: P.clients,
  pinning: pin ? 'servers (and Redis unpinned) on CPU 0, clients on CPU 1' : 'none',
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  elapsedSeconds: Math.round((Date.now() - started) / 1000),
};
const outDir = here('../bench-results/');
mkdirSync(outDir, { recursive: true });
const outName = `pubsub-${quick ? 'quick' : 'latest'}${P.clients === 'real' ? '-real-clients' : ''}.json`;
writeFileSync(`${outDir}${outName}`, JSON.stringify({ meta, metrics, ratios, samples: { fan, local } }, null, 2) + '\n');
console.log(`\ndone in ${meta.elapsedSeconds} s: bench-results/${outName}`);
process.exit(0);
