// The heavy limit checks with default options, run by `npm run hardening:full`:
// 1,000,000 one-byte fragments and the 64 MiB outgoing cap. Prints numbers,
// exits non-zero when a limit does not hold.
import { cleanup, collectGarbage, frame, OP, nextConnection, rawUpgrade, startServer, withTimeout } from './lib.mjs';

const MiB = 1024 * 1024;
let failed = false;

/** A server with default options and one raw client upgraded to it. */
async function rawClientOfDefaultServer() {
  const { wss, port } = await startServer();
  const conn = nextConnection(wss);
  const { socket } = await rawUpgrade(port);
  const ws = await conn;
  ws.on('error', () => {});
  socket.on('error', () => {});
  return { wss, ws, socket };
}

async function millionFragments() {
  const { wss, ws, socket } = await rawClientOfDefaultServer();
  socket.resume();
  let delivered = false;
  ws.on('message', () => (delivered = true));
  await collectGarbage();
  const before = process.memoryUsage();
  let peak = 0;
  const t0 = performance.now();
  socket.write(frame(OP.binary, Buffer.from([1]), { mask: true, fin: false }));
  const unit = frame(OP.cont, Buffer.from([1]), { mask: true, fin: false });
  const batch = Buffer.concat(Array(10_000).fill(unit));
  let sent = 1;
  for (let i = 0; i < 100 && !socket.destroyed && ws.readyState === 1; i++) {
    if (!socket.write(batch)) await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
    sent += 10_000;
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
  }
  if (!socket.destroyed) socket.write(frame(OP.cont, Buffer.from([1]), { mask: true }));
  const info = await withTimeout(Promise.race([ws.closed, new Promise((r) => ws.once('message', () => r({ code: 'accepted' })))]), 60_000, 'the verdict');
  const ms = performance.now() - t0;
  console.log(`1,000,000 one-byte fragments (defaults): ${JSON.stringify(info.code)} after ~${sent} frames, ${ms.toFixed(0)} ms, peak heap+buffers growth ${(peak / MiB).toFixed(1)} MiB`);
  if (delivered || (info.code !== 1008 && info.code !== 1009)) failed = true;
  await cleanup(wss);
}

async function defaultOutgoingCap() {
  const { wss, ws, socket } = await rawClientOfDefaultServer();
  // The client never reads; the server pushes distinct 1 MiB messages.
  let peak = 0;
  let sent = 0;
  for (; sent < 256 && ws.readyState === 1; sent++) {
    ws.send(Buffer.alloc(MiB, sent & 0xff));
    peak = Math.max(peak, ws.bufferedAmount);
    await new Promise((r) => setImmediate(r));
  }
  const info = ws.readyState === 1 ? { code: 'still open' } : await withTimeout(ws.closed, 5000, 'close');
  console.log(`non-reading client, default cap: ${JSON.stringify(info.code)} after ${sent} MiB, peak bufferedAmount ${(peak / MiB).toFixed(1)} MiB`);
  // The cap counts what waited before a write: one message may go past it.
  if (info.code !== 1008 || peak > 65 * MiB + 64 * 1024) failed = true;
  await cleanup(wss);
}

await millionFragments();
await defaultOutgoingCap();
console.log(failed ? 'limits: FAILED' : 'limits: OK');
process.exit(failed ? 1 : 0);
