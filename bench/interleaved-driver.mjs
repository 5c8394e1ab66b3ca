// The load process of bench/interleaved.mjs. It holds connections to every
// server under test at once and drives one of them at a time, in short
// slices that rotate through the servers cycle after cycle, so that a burst
// of noise from the machine lands on all of them alike. argv[2] is a JSON
// config: { mode: 'realclient' | 'latency' | 'echo', subjects: [{ name, port, pid }],
// cycles, sliceMs, settleMs, warmupMs, ... }. The per-slice figures go back
// over IPC.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter } from './lib/adapters.mjs';
import { InFlight, connectMany, paceOpenLoop, processCpuSecondsFine, processMinorFaults, rotatingOrder, runMode } from './lib/driver.mjs';
import { FrameCounter, compressMessage, encodeFrame, jsonLike } from './lib/frames.mjs';
import { connectTcp, connectWs } from './lib/raw-client.mjs';

const cfg = JSON.parse(process.argv[2]);

/**
 * The ws client, one message per send(): `window` messages in flight on each
 * connection, the next sent when a reply comes. Figure: messages per server
 * CPU-second within each slice.
 */
async function realclient() {
  const ws = await loadAdapter('ws');
  const binary = cfg.kind === 'binary';
  const data = binary ? Buffer.alloc(cfg.size, 0x5a) : 'a'.repeat(cfg.size);
  const groups = [];
  for (const subject of cfg.subjects) {
    const group = { ...subject, active: false, replies: 0, flight: new InFlight(), conns: [] };
    group.conns = await connectMany(cfg.conns, () => new Promise((resolve, reject) => {
      const client = ws.createClient(`ws://127.0.0.1:${subject.port}/`, {});
      client.once('error', reject);
      client.on('open', () => {
        client.removeListener('error', reject);
        client.on('error', () => {});
        resolve(client);
      });
    }), 32);
    for (const client of group.conns) {
      client.on('message', () => {
        group.replies++;
        if (group.active) client.send(data, { binary });
        else { group.flight.inflight--; group.flight.settled(); }
      });
    }
    groups.push(group);
  }

  async function slice(group, measureMs) {
    group.active = true;
    for (const client of group.conns) for (let i = 0; i < cfg.window; i++) client.send(data, { binary });
    group.flight.inflight = cfg.conns * cfg.window;
    await sleep(cfg.settleMs);
    const m0 = group.replies, c0 = processCpuSecondsFine(group.pid), t0 = performance.now();
    await sleep(measureMs);
    const m1 = group.replies, c1 = processCpuSecondsFine(group.pid), t1 = performance.now();
    group.active = false;
    const drained = await group.flight.drained(2000);
    return { messages: m1 - m0, cpuSeconds: c1 - c0, seconds: (t1 - t0) / 1000, drained };
  }

  for (const group of groups) await slice(group, cfg.warmupMs);
  const slices = [];
  for (const { cycle, item: group } of rotatingOrder(cfg.cycles, groups)) slices.push({ cycle, subject: group.name, ...(await slice(group, cfg.sliceMs)) });
  for (const group of groups) for (const client of group.conns) client.terminate();
  return { slices };
}

/**
 * Open-loop round trips at a fixed total rate over raw connections with
 * pre-encoded masked frames; every round-trip time of a slice (in µs).
 */
async function latency() {
  const frame = encodeFrame(Buffer.alloc(cfg.size, 0x5a), { opcode: 2 });
  const groups = [];
  for (const subject of cfg.subjects) {
    const group = { ...subject, flight: new InFlight(), queues: [], record: null };
    const conns = await connectMany(cfg.conns, () => connectWs(subject.port));
    group.queues = conns.map(({ socket, rest }) => {
      const queue = { socket, sentAt: [], head: 0 };
      const counter = new FrameCounter(() => {
        const rtt = performance.now() - queue.sentAt[queue.head++];
        if (group.record !== null && queue.head - 1 >= queue.measureFrom) group.record.push(Math.round(rtt * 1000));
        group.flight.inflight--;
        group.flight.settled();
      });
      socket.on('data', (chunk) => counter.push(chunk));
      socket.on('error', () => {});
      if (rest.length) counter.push(rest);
      return queue;
    });
    groups.push(group);
  }

  async function slice(group, measureMs, record) {
    for (const q of group.queues) { q.sentAt = []; q.head = 0; q.measureFrom = Infinity; }
    const pacer = paceOpenLoop(cfg.rate, (k) => {
      const q = group.queues[k % group.queues.length];
      q.sentAt.push(performance.now());
      group.flight.inflight++;
      q.socket.write(frame);
    });
    await sleep(cfg.settleMs);
    group.record = record;
    // Only messages sent from here on count: each queue's next send.
    for (const q of group.queues) q.measureFrom = q.sentAt.length;
    await sleep(measureMs);
    pacer.stop();
    const drained = await group.flight.drained(2000);
    group.record = null;
    return { sent: pacer.sent, drained };
  }

  for (const group of groups) await slice(group, cfg.warmupMs, null);
  const slices = [];
  for (const { cycle, item: group } of rotatingOrder(cfg.cycles, groups)) {
    const rtts = [];
    const { sent, drained } = await slice(group, cfg.sliceMs, rtts);
    slices.push({ cycle, subject: group.name, sent, drained, rttsMicros: rtts });
  }
  for (const group of groups) for (const q of group.queues) q.socket.destroy();
  return { slices };
}

/**
 * Windowed echo with pre-encoded masked frames: binary of cfg.size, or
 * (kind 'json') a JSON-like text compressed with permessage-deflate. The
 * subject named 'tcp' is the raw TCP ceiling (bench/rawserver.mjs 'tcp'): the
 * same bytes without framing. Figure: payload bytes echoed per second of
 * each slice, and the server's CPU.
 */
async function echo() {
  const json = cfg.kind === 'json';
  const payload = json ? jsonLike(cfg.size) : Buffer.alloc(cfg.size, 0x5a);
  const frame = json ? encodeFrame(compressMessage(payload), { opcode: 1, rsv1: true }) : encodeFrame(payload, { opcode: 2 });
  const groups = [];
  for (const subject of cfg.subjects) {
    const tcp = subject.name === 'tcp';
    const unit = tcp ? payload : frame;
    const group = { ...subject, active: false, messages: 0, flight: new InFlight(), sockets: [] };
    const conns = await connectMany(cfg.conns, async () => {
      if (tcp) return { socket: await connectTcp(subject.port), rest: Buffer.alloc(0) };
      const c = await connectWs(subject.port, json ? 'permessage-deflate; client_no_context_takeover; server_no_context_takeover' : undefined);
      if (json && !/permessage-deflate/i.test(c.head)) throw new Error(`${subject.name} did not negotiate permessage-deflate`);
      return c;
    });
    for (const { socket, rest } of conns) {
      const replied = (n) => {
        group.messages += n;
        if (group.active) {
          for (let i = 0; i < n; i++) socket.write(unit);
        } else {
          group.flight.inflight -= n;
          group.flight.settled();
        }
      };
      if (tcp) {
        let carry = 0;
        socket.on('data', (chunk) => {
          carry += chunk.length;
          const n = Math.floor(carry / cfg.size);
          carry -= n * cfg.size;
          if (n > 0) replied(n);
        });
      } else {
        const counter = new FrameCounter(() => replied(1));
        socket.on('data', (chunk) => counter.push(chunk));
        if (rest.length) counter.push(rest);
      }
      socket.on('error', () => {});
      group.sockets.push({ socket, unit });
    }
    groups.push(group);
  }

  async function slice(group, measureMs) {
    group.active = true;
    for (const { socket, unit } of group.sockets) for (let i = 0; i < cfg.window; i++) socket.write(unit);
    group.flight.inflight = cfg.conns * cfg.window;
    await sleep(cfg.settleMs);
    const m0 = group.messages, c0 = processCpuSecondsFine(group.pid), t0 = performance.now(), f0 = processMinorFaults(group.pid);
    await sleep(measureMs);
    const m1 = group.messages, c1 = processCpuSecondsFine(group.pid), t1 = performance.now(), f1 = processMinorFaults(group.pid);
    group.active = false;
    const drained = await group.flight.drained(10000);
    return { messages: m1 - m0, payloadBytes: (m1 - m0) * cfg.size, cpuSeconds: c1 - c0, seconds: (t1 - t0) / 1000, minorFaults: f1 - f0, drained };
  }

  for (const group of groups) await slice(group, cfg.warmupMs);
  const slices = [];
  for (const { cycle, item: group } of rotatingOrder(cfg.cycles, groups)) slices.push({ cycle, subject: group.name, ...(await slice(group, cfg.sliceMs)) });
  for (const group of groups) for (const { socket } of group.sockets) socket.destroy();
  return { slices };
}

await runMode({ realclient, latency, echo }, cfg);
