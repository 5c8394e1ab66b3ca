// Client-role metrics: the library's client, in its own process, against the
// fixed raw server (bench/rawserver.mjs). Same modes and result shapes as
// bench/loadgen.mjs. argv[2] is a JSON config; the result goes back over IPC.
// With cfg.subjectPid (the real-client rows: this process is the ws client
// driving a server under test), subjectCpuShare is that server's CPU share,
// not this process's. With cfg.lib 'floor' (idle mode only) it holds bare
// upgraded client sockets (bench/lib/floor.mjs), the client memory floor.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter } from './lib/adapters.mjs';
import { configFromParent, connectMany, handshakeRate, openLoopLatency, processCpuSeconds, processMinorFaults, runMode } from './lib/driver.mjs';
import { openUpgradedClient } from './lib/floor.mjs';
import { jsonLike } from './lib/frames.mjs';
import { memorySample } from './lib/mem.mjs';

const { cfg, ready } = configFromParent();
const floor = cfg.lib === 'floor';
if (floor && cfg.mode !== 'idle') throw new Error("the 'floor' client is only for the idle (memory) mode");
const lib = floor ? null : await loadAdapter(cfg.lib);
await ready;
const url = `ws://127.0.0.1:${cfg.port}/`;

// The driver leaves nothing of its own on an open client: its 'open' listener
// goes once it has fired, and the error handler is one function for all.
// (Until round 11 the 'open' closure, and the promise functions it held,
// stayed on every client: about 0.3 KB per idle connection, counted against
// both libraries in the memory rows.)
const ignoreError = () => {};

function open(opts = {}) {
  return new Promise((resolve, reject) => {
    const ws = lib.createClient(url, opts);
    ws.once('open', () => { ws.removeListener('error', reject); resolve(ws); });
    ws.once('error', reject);
  });
}

async function openMany(n, opts, concurrency = 128) {
  const out = await connectMany(n, () => open(opts), concurrency);
  for (const ws of out) ws.on('error', ignoreError);
  return out;
}

function dataFor(spec) {
  if (spec.kind === 'json') return jsonLike(spec.size).toString();
  if (spec.kind === 'text') return 'a'.repeat(spec.size);
  return Buffer.alloc(spec.size, 0x5a);
}

async function echo() {
  const deflate = cfg.payload.kind === 'json';
  const data = dataFor(cfg.payload);
  const binary = cfg.payload.kind === 'binary';
  const conns = await openMany(cfg.conns, { perMessageDeflate: deflate });
  if (deflate && !/permessage-deflate/.test(conns[0].extensions || '')) {
    for (const ws of conns) ws.terminate();
    return { skipped: 'client did not negotiate permessage-deflate' };
  }
  let messages = 0;
  for (const ws of conns) {
    ws.on('message', () => { messages++; ws.send(data, { binary }); });
    for (let i = 0; i < cfg.window; i++) ws.send(data, { binary });
  }
  await sleep(cfg.warmupMs);
  const cpuNow = cfg.subjectPid
    ? () => processCpuSeconds(cfg.subjectPid)
    : () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
  const faultsNow = () => processMinorFaults(cfg.subjectPid || process.pid);
  const m0 = messages, t0 = performance.now(), cpu0 = cpuNow(), f0 = faultsNow();
  await sleep(cfg.durationMs);
  const m1 = messages, t1 = performance.now(), cpuSecs = cpuNow() - cpu0, f1 = faultsNow();
  for (const ws of conns) ws.terminate();
  const secs = (t1 - t0) / 1000;
  const size = cfg.payload.size;
  return {
    messagesPerSec: (m1 - m0) / secs, bytesPerSec: ((m1 - m0) * size) / secs, payloadBytesPerSec: ((m1 - m0) * size) / secs,
    subjectCpuShare: cpuSecs / secs, messagesPerCpuSec: (m1 - m0) / cpuSecs,
    subjectFaultsPerMB: (f1 - f0) / (((m1 - m0) * size) / 1e6),
  };
}

async function latency() {
  const data = dataFor(cfg.payload);
  const binary = cfg.payload.kind === 'binary';
  const conns = await openMany(cfg.conns, {});
  return openLoopLatency(cfg, conns, {
    listen: (ws, onReply) => ws.on('message', onReply),
    send: (ws) => ws.send(data, { binary }),
    close: (ws) => ws.terminate(),
  });
}

async function handshakes() {
  const cpuSeconds = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
  return handshakeRate(cfg, async () => {
    const ws = await open();
    ws.on('error', () => {});
    ws.terminate();
  }, cpuSeconds);
}

/** Memory per idle open client connection, measured in this process. */
async function idle() {
  const before = await memorySample();
  const t0 = performance.now();
  const conns = floor
    ? await connectMany(cfg.conns, () => openUpgradedClient(cfg.port), 256)
    : await openMany(cfg.conns, {}, 256);
  const ms = performance.now() - t0;
  const after = await memorySample();
  const result = {
    conns: conns.length, connectMs: ms,
    rssPerConn: (after.rss - before.rss) / conns.length,
    heapPerConn: (after.heapUsed - before.heapUsed) / conns.length,
    externalPerConn: (after.external - before.external) / conns.length,
  };
  for (const ws of conns) (floor ? ws.destroy() : ws.terminate());
  return result;
}

await runMode({ echo, latency, handshakes, idle }, cfg);
