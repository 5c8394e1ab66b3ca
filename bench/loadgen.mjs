// The load generator for server-role metrics: one program, the same for every
// server under test, in its own process. It speaks WebSocket with raw
// node:net sockets and pre-encoded masked frames, so that the server is the
// bottleneck. argv[2] is a JSON config; the result goes back over IPC.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { configFromParent, connectMany, processCpuSeconds, processMinorFaults, handshakeRate, openLoopLatency, runMode } from './lib/driver.mjs';
import { FrameCounter, encodeFrame, compressMessage, jsonLike } from './lib/frames.mjs';
import { connectTcp, connectWs } from './lib/raw-client.mjs';
import { quantile } from './lib/stats.mjs';

const { cfg, ready } = configFromParent();
await ready;

/** CPU seconds used so far by the process under test (Linux /proc), or NaN. */
const subjectCpu = () => processCpuSeconds(cfg.subjectPid);
const DEFLATE_OFFER = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';

function payloadFor(spec) {
  if (spec.kind === 'json') return jsonLike(spec.size);
  const p = Buffer.alloc(spec.size, spec.kind === 'text' ? 'a' : 0x5a);
  return p;
}

function frameFor(spec) {
  const payload = payloadFor(spec);
  if (cfg.tcp) return payload;
  if (spec.kind === 'json') return encodeFrame(compressMessage(payload), { opcode: 1, rsv1: true });
  return encodeFrame(payload, { opcode: spec.kind === 'text' ? 1 : 2 });
}

/** Windowed echo: every connection keeps `window` messages in flight. */
async function echo() {
  const frame = frameFor(cfg.payload);
  const batch = Buffer.concat(Array(cfg.window).fill(frame));
  const flen = frame.length;
  const size = cfg.payload.size;
  let messages = 0;
  let bytes = 0;
  let negotiated = '';
  const conns = await connectMany(cfg.conns, async () => {
    if (cfg.tcp) return { socket: await connectTcp(cfg.port), rest: Buffer.alloc(0) };
    const c = await connectWs(cfg.port, cfg.payload.kind === 'json' ? DEFLATE_OFFER : undefined);
    negotiated = /sec-websocket-extensions:\s*(.*)/i.exec(c.head)?.[1] ?? '';
    return c;
  });
  if (cfg.payload.kind === 'json' && !/permessage-deflate/.test(negotiated)) {
    for (const c of conns) c.socket.destroy();
    return { skipped: 'server did not negotiate permessage-deflate' };
  }
  for (const { socket, rest } of conns) {
    let got = 0;
    let carry = 0;
    let counter = null;
    if (cfg.tcp) {
      socket.on('data', (chunk) => {
        bytes += chunk.length;
        carry += chunk.length;
        const k = Math.floor(carry / size);
        if (k > 0) { carry -= k * size; messages += k; socket.write(batch.subarray(0, Math.min(k, cfg.window) * flen)); }
      });
    } else {
      counter = new FrameCounter(() => { got++; });
      socket.on('data', (chunk) => {
        const before = counter.bytes;
        counter.push(chunk);
        bytes += counter.bytes - before;
        if (got > 0) {
          messages += got;
          socket.write(got <= cfg.window ? batch.subarray(0, got * flen) : Buffer.concat(Array(got).fill(frame)));
          got = 0;
        }
      });
      if (rest.length) counter.push(rest);
    }
    socket.on('error', () => {});
    socket.write(batch);
  }
  await sleep(cfg.warmupMs);
  const m0 = messages, b0 = bytes, t0 = performance.now(), cpu0 = subjectCpu(), f0 = processMinorFaults(cfg.subjectPid);
  await sleep(cfg.durationMs);
  const m1 = messages, b1 = bytes, t1 = performance.now(), cpu1 = subjectCpu(), f1 = processMinorFaults(cfg.subjectPid);
  for (const c of conns) c.socket.destroy();
  const secs = (t1 - t0) / 1000;
  return {
    messagesPerSec: (m1 - m0) / secs, bytesPerSec: (b1 - b0) / secs, payloadBytesPerSec: ((m1 - m0) * size) / secs,
    subjectCpuShare: (cpu1 - cpu0) / secs, messagesPerCpuSec: (m1 - m0) / (cpu1 - cpu0),
    subjectFaultsPerMB: (f1 - f0) / (((m1 - m0) * size) / 1e6),
  };
}

/** Open-loop sends at a fixed total rate; round-trip time of every message. */
async function latency() {
  const frame = frameFor(cfg.payload);
  const conns = await connectMany(cfg.conns, () => connectWs(cfg.port));
  return openLoopLatency(cfg, conns, {
    listen: ({ socket, rest }, onReply) => {
      const counter = new FrameCounter(onReply);
      socket.on('data', (chunk) => counter.push(chunk));
      socket.on('error', () => {});
      if (rest.length) counter.push(rest);
    },
    send: (c) => c.socket.write(frame),
    close: (c) => c.socket.destroy(),
  });
}

/** One message in, to every client: time until the last client has it. */
async function broadcast() {
  const trigger = frameFor(cfg.payload);
  const conns = await connectMany(cfg.conns, () => connectWs(cfg.port), 64);
  let outstanding = 0;
  let done = null;
  for (const { socket, rest } of conns) {
    const counter = new FrameCounter(() => { if (--outstanding === 0) done(); });
    socket.on('data', (chunk) => counter.push(chunk));
    socket.on('error', () => {});
    if (rest.length) counter.push(rest);
  }
  const times = [];
  let cpuStart = NaN;
  const deadline = performance.now() + cfg.durationMs;
  for (let r = 0; r < cfg.warmupReps + cfg.reps && performance.now() < deadline; r++) {
    if (r === cfg.warmupReps) cpuStart = subjectCpu();
    const finished = new Promise((resolve) => { done = resolve; });
    outstanding = conns.length;
    const t0 = performance.now();
    conns[0].socket.write(trigger);
    await finished;
    if (r >= cfg.warmupReps) times.push(performance.now() - t0);
    await sleep(2);
  }
  // CPU time of the server per broadcast (USER_HZ resolution: averaged over all reps).
  const cpuMsPerBroadcast = ((subjectCpu() - cpuStart) * 1000) / times.length;
  for (const c of conns) c.socket.destroy();
  times.sort((a, b) => a - b);
  return { reps: times.length, medianMs: quantile(times, 0.5), cpuMsPerBroadcast, times };
}

/** Completed opening handshakes per second, `concurrency` at a time. */
async function handshakes() {
  return handshakeRate(cfg, async () => {
    const { socket } = await connectWs(cfg.port);
    socket.destroy();
  }, subjectCpu);
}

/** Opens `conns` idle connections, reports, and holds them until told to stop. */
async function idle() {
  const t0 = performance.now();
  const conns = await connectMany(cfg.conns, () => connectWs(cfg.port), 256);
  for (const { socket } of conns) socket.on('error', () => {});
  process.send({ type: 'connected', conns: conns.length, ms: performance.now() - t0 });
  await new Promise((resolve) => process.on('message', (m) => { if (m.type === 'stop') resolve(); }));
  for (const c of conns) c.socket.destroy();
  return { conns: conns.length };
}

await runMode({ echo, latency, broadcast, handshakes, idle }, cfg);
