// Connection churn against one server: connections opened and closed in
// random ways, checking that each gets exactly one close event and that the
// server's handles and heap return to where they started. Used reduced by
// churn.test.mjs and in full (10,000 connections) by churn-full.mjs.
import { WebSocket } from '../../dist/esm/index.js';
import { cleanup, collectGarbage, frame, OP, rawUpgrade, startServer, withTimeout } from './lib.mjs';

export const WAYS = [
  'client-close',
  'server-close',
  'client-terminate',
  'server-terminate',
  'reset-mid-frame',
  'close-without-answer',
  'silent-peer-during-close',
];

function resourceCounts() {
  const counts = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Wait until `predicate()` holds, checking on every turn of the event loop. */
function until(predicate, ms, what) {
  return withTimeout(
    new Promise((resolve) => {
      const check = () => (predicate() ? resolve() : setImmediate(check));
      check();
    }),
    ms,
    what,
  );
}

/**
 * Run `total` connections, `concurrency` at a time. Resolves with a report;
 * throws on the first broken invariant.
 */
export async function runChurn({ total, concurrency = 32, seed = 1 }) {
  let random = seed;
  const next = () => ((random = (random * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  // Short enough to keep silent peers cheap, long enough that a busy machine
  // does not destroy a well-behaved peer's socket before it answers.
  const { wss, port } = await startServer({ closeTimeout: 500 });
  const serverCloses = new Map();
  const problems = [];
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    serverCloses.set(ws, 0);
    ws.on('close', () => serverCloses.set(ws, serverCloses.get(ws) + 1));
    ws.on('message', (data) => {
      const way = String(data);
      if (way === 'server-close') ws.close(1000, 'bye');
      else if (way === 'server-terminate') ws.terminate();
      else if (way === 'silent-peer-during-close') ws.close(1001);
    });
  });
  // Warm up once so lazily created handles are part of the baseline.
  await oneConnection('client-close', port, problems);
  await until(() => wss.clients.size === 0, 5000, 'warm-up to finish');
  serverCloses.clear();
  await collectGarbage();
  const baseline = { resources: resourceCounts(), heap: process.memoryUsage().heapUsed };
  const byWay = Object.fromEntries(WAYS.map((w) => [w, 0]));
  const t0 = performance.now();

  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      const way = WAYS[Math.floor(next() * WAYS.length)];
      byWay[way]++;
      await oneConnection(way, port, problems);
      if (problems.length > 0) return;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (problems.length > 0) {
    await cleanup(wss);
    throw new Error(problems.slice(0, 5).join('\n'));
  }
  await until(() => wss.clients.size === 0, 10_000, 'every server connection to close');
  const ms = performance.now() - t0;
  const serverConnections = serverCloses.size;
  const notOnce = [...serverCloses.values()].filter((n) => n !== 1).length;
  serverCloses.clear();

  // Handles: back to the baseline once the last sockets are gone.
  let resources = resourceCounts();
  await until(
    () => {
      resources = resourceCounts();
      return Object.keys(resources).every((k) => resources[k] <= (baseline.resources[k] ?? 0));
    },
    5000,
    'handles to return to the baseline',
  ).catch(() => {});
  await collectGarbage();
  const heapGrowth = process.memoryUsage().heapUsed - baseline.heap;
  await cleanup(wss);
  return { total, ms, byWay, serverConnections, notOnce, baseline: baseline.resources, resources, heapGrowth };
}

async function oneConnection(way, port, problems) {
  if (way === 'reset-mid-frame' || way === 'close-without-answer' || way === 'silent-peer-during-close') {
    return rawWay(way, port, problems);
  }
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false, closeTimeout: 5000 });
  let closes = 0;
  ws.on('error', () => {});
  ws.on('close', () => closes++);
  await withTimeout(new Promise((r) => ws.once('open', r).once('close', r)), 5000, 'open');
  const tOpen = performance.now();
  if (ws.readyState === WebSocket.OPEN) {
    if (way === 'client-close') ws.close(1000);
    else if (way === 'client-terminate') ws.terminate();
    else ws.send(way);
  }
  const info = await withTimeout(ws.closed, 5000, `close (${way})`);
  // A second close event would come on a later turn: give it one.
  await new Promise((r) => setImmediate(r));
  if (closes !== 1) problems.push(`${way}: ${closes} close events on the client`);
  if (way === 'client-close' || way === 'server-close') {
    if (!info.wasClean || info.code !== 1000) problems.push(`${way}: ${info.code} wasClean=${info.wasClean} after ${(performance.now() - tOpen).toFixed(0)} ms`);
  }
}

async function rawWay(way, port, problems) {
  const { socket } = await rawUpgrade(port);
  socket.on('error', () => {});
  const closed = new Promise((r) => socket.once('close', r));
  socket.resume();
  if (way === 'reset-mid-frame') {
    socket.write(frame(OP.binary, Buffer.alloc(1000, 1), { mask: true }).subarray(0, 300));
    // Let the half frame reach the server before the reset.
    await new Promise((r) => socket.once('drain', r).write('', r));
    socket.resetAndDestroy();
  } else if (way === 'close-without-answer') {
    // Send Close, then never end TCP: the server ends, then its timer destroys.
    socket.write(frame(OP.close, Buffer.from([0x03, 0xe8]), { mask: true }));
    socket.on('end', () => {}); // stay half-open
  } else {
    // Ask the server to close, then vanish without a FIN: no answer ever comes.
    socket.write(frame(OP.text, Buffer.from('silent-peer-during-close'), { mask: true }));
  }
  await withTimeout(closed, 5000, `raw socket close (${way})`);
  if (way !== 'reset-mid-frame') socket.destroy();
  void problems;
}
