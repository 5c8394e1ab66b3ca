// Shared by the client-shape tests: a loopback socketeer server with a
// per-test connection handler, and bounded waits.
import { WebSocketServer } from 'socketeer';
export { once, withTimeout } from '../helpers/once.mjs';

/** A server on 127.0.0.1; `onConnection(ws, req, index)` runs for each connection. */
export async function startServer(onConnection = () => {}, options = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await new Promise((resolve) => wss.once('listening', resolve));
  const sockets = new Set();
  let count = 0;
  wss.on('connection', (ws, req) => {
    sockets.add(ws);
    ws.once('close', () => sockets.delete(ws));
    onConnection(ws, req, ++count);
  });
  return {
    wss,
    url: `ws://127.0.0.1:${wss.address().port}/`,
    get connections() { return count; },
    sockets,
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

/** Resolve when `predicate()` is true, checking after each `event` of `emitter`. */
export function until(emitter, event, predicate, ms = 5000) {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => { emitter.off(event, check); reject(new Error(`Timed out after ${ms} ms waiting on '${event}'`)); }, ms);
    const check = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      emitter.off(event, check);
      resolve();
    };
    emitter.on(event, check);
  });
}

export const FAST = { minDelay: 10, maxDelay: 40, factor: 2, resetAfter: 0 };
