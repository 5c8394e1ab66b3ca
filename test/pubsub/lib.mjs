// Helpers for the topics tests: a real redis-server on a free loopback port
// (no persistence), started and stopped by the tests, and small waits.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

export const HOST = '127.0.0.1';
const inCI = () => process.env.CI === 'true';

/** Why redis-server cannot run here, or null. */
export function redisMissing() {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0 ? 'redis-server not found (apt-get install redis-server, or brew install redis)' : null;
}

/** For test(..., { skip }): skips locally when redis-server is missing, fails under CI=true. */
export function redisSkip() {
  const missing = redisMissing();
  if (missing === null) return false;
  if (inCI()) return false; // the test itself then fails with the reason
  return missing;
}

export function requireRedis() {
  const missing = redisMissing();
  if (missing !== null) throw new Error(`redis-server is missing (CI=true): ${missing}`);
}

export async function freePort() {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts redis-server on `port` (a free one by default); resolves once it accepts connections. */
export async function startRedis(port) {
  requireRedis();
  port ??= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await within(10_000, new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/Ready to accept connections/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  }), 'redis-server start');
  child.stdout.resume();
  return {
    port,
    url: `redis://${HOST}:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

export function within(ms, promise, what = 'operation') {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Resolves when `predicate()` holds (checked as events arrive, bounded by `ms`). */
export async function until(predicate, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A client that records every message (text as strings). */
export async function recordingClient(WebSocket, url, options) {
  const ws = new WebSocket(url, options);
  const received = [];
  ws.on('message', (data, isBinary) => received.push(isBinary ? { binary: Buffer.from(data) } : String(data)));
  await once(ws, 'open');
  return { ws, received };
}
