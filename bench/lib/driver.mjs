// What the two load processes (bench/loadgen.mjs, bench/client-driver.mjs)
// share (and the interleaved bench's): the config and target handshake with
// the parent, a bounded pool of connects, the open-loop pacing and latency
// loop, waiting for replies in flight, the handshake-rate loop, and the mode
// runner.
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from './stats.mjs';

/**
 * argv[2] as the config. When the process is started before its server, the
 * port (and the server's pid) come over IPC once this process has said it is
 * listening for them: `ready` resolves when they are merged into `cfg`.
 */
export function configFromParent() {
  const cfg = JSON.parse(process.argv[2]);
  const ready = cfg.portFromParent
    ? new Promise((resolve) => {
      const onTarget = (m) => {
        if (m && m.type === 'target') { process.removeListener('message', onTarget); Object.assign(cfg, m); resolve(); }
      };
      process.on('message', onTarget);
      process.send({ type: 'waiting' });
    })
    : Promise.resolve();
  return { cfg, ready };
}

/** CPU seconds used so far by process `pid` (Linux /proc), or NaN. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds used so far by every thread of process `pid`, in nanoseconds of
 * run time (/proc/<pid>/task/<tid>/schedstat), or NaN. Finer than
 * processCpuSeconds' 10 ms ticks, for slices of a few hundred milliseconds.
 */
export function processCpuSecondsFine(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch { /* the thread ended between the listing and the read */ }
    }
    return ns / 1e9;
  } catch {
    return NaN;
  }
}

/**
 * Minor page faults of process `pid` so far (Linux /proc), or NaN. Large
 * messages are written into fresh memory when the allocator has none to
 * reuse, and each first touch of a page is a fault: a cost that depends on
 * when garbage collection frees the previous messages.
 */
export function processMinorFaults(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return NaN;
  }
}

/** `n` results of `fn(i)`, at most `concurrency` running at once. */
export async function connectMany(n, fn, concurrency = 128) {
  const out = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
  return out;
}

/**
 * Open-loop sending: `sendOne(k)` for the k-th message (k = 0, 1, ...) at
 * `rate` messages per second from now, caught up every millisecond, at most
 * `limit` in all. `stop()` ends it; `sent` is the count so far.
 */
export function paceOpenLoop(rate, sendOne, limit = Infinity) {
  const start = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * rate) / 1000) - sent;
    for (let i = 0; i < due && sent < limit; i++, sent++) sendOne(sent);
  }, 1);
  return {
    stop: () => clearInterval(timer),
    get sent() { return sent; },
  };
}

/** `items` turned `by` places to the left. */
export function rotated(items, by) {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * The interleaved bench's order: each cycle visits every item once, starting
 * one further along than the cycle before. Yields { cycle, item }.
 */
export function* rotatingOrder(cycles, items) {
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (const item of rotated(items, cycle)) yield { cycle, item };
  }
}

/**
 * Messages still unanswered, for a sender that stops and waits for its
 * replies: `inflight` is kept by the caller, which calls settled() after
 * lowering it; drained() resolves true once it is 0, false after `timeoutMs`.
 */
export class InFlight {
  inflight = 0;
  onDrain = null;

  settled() {
    if (this.inflight === 0 && this.onDrain !== null) this.onDrain();
  }

  drained(timeoutMs) {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.onDrain = null; resolve(false); }, timeoutMs);
      this.onDrain = () => { clearTimeout(timer); this.onDrain = null; resolve(true); };
    });
  }
}

/**
 * Open-loop sends at cfg.rate in total, round-robin over `conns`; the
 * round-trip time of every reply. `listen(conn, onReply)` wires up the replies,
 * `send(conn)` sends one message, `close(conn)` ends a connection.
 */
export async function openLoopLatency(cfg, conns, { listen, send, close }) {
  const total = Math.ceil((cfg.rate * (cfg.warmupMs + cfg.durationMs)) / 1000) + 16;
  const samples = new Float64Array(total);
  let nSamples = 0;
  let measuring = false;
  const queues = conns.map((conn) => {
    const q = { conn, times: new Float64Array(total), head: 0, tail: 0 };
    listen(conn, () => {
      const rtt = performance.now() - q.times[q.head++];
      if (measuring) samples[nSamples++] = rtt;
    });
    return q;
  });
  const pacer = paceOpenLoop(cfg.rate, (k) => {
    const q = queues[k % queues.length];
    q.times[q.tail++] = performance.now();
    send(q.conn);
  }, total);
  await sleep(cfg.warmupMs);
  measuring = true;
  await sleep(cfg.durationMs);
  measuring = false;
  pacer.stop();
  await sleep(50);
  for (const q of queues) close(q.conn);
  const s = Array.from(samples.subarray(0, nSamples)).sort((a, b) => a - b);
  return { samples: nSamples, p50: quantile(s, 0.5) * 1000, p99: quantile(s, 0.99) * 1000, p999: quantile(s, 0.999) * 1000 };
}

/**
 * Completed opening handshakes per second, cfg.concurrency at a time.
 * `handshakeOnce()` opens and drops one connection; `cpuSeconds()` reads the
 * CPU time of the process under test.
 */
export async function handshakeRate(cfg, handshakeOnce, cpuSeconds) {
  let completed = 0;
  let failed = 0;
  let running = true;
  async function worker() {
    while (running) {
      try {
        await handshakeOnce();
        completed++;
      } catch {
        failed++;
        await sleep(5);
      }
    }
  }
  const workers = Array.from({ length: cfg.concurrency }, worker);
  await sleep(cfg.warmupMs);
  const c0 = completed, t0 = performance.now(), cpu0 = cpuSeconds();
  await sleep(cfg.durationMs);
  const c1 = completed, t1 = performance.now(), cpu1 = cpuSeconds();
  running = false;
  await Promise.all(workers);
  return { perSec: ((c1 - c0) * 1000) / (t1 - t0), failed, subjectCpuShare: (cpu1 - cpu0) / ((t1 - t0) / 1000) };
}

/** Runs modes[cfg.mode] and sends its result (or error) to the parent, then exits. */
export async function runMode(modes, cfg) {
  try {
    const result = await modes[cfg.mode]();
    process.send({ type: 'result', result }, () => process.exit(0));
  } catch (e) {
    process.send({ type: 'result', error: String(e.stack || e) }, () => process.exit(1));
  }
}
