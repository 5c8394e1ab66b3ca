// The comparison harness: each scenario runs once against the npm `ws`
// package and once against socketeer, through the same entry shape
// (`import WebSocket, { WebSocketServer, createWebSocketStream } from ...`),
// and returns what a program could observe (events in order, arguments,
// codes, callbacks). The test asserts both traces are equal, so a
// difference is a failing comparison, not an opinion.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WsWebSocket, { WebSocketServer as WsServer, createWebSocketStream as wsStream } from 'ws';
import SocketeerWebSocket, { WebSocketServer as SocketeerServer, createWebSocketStream as socketeerStream } from '../../dist/esm/index.js';

export const HOST = '127.0.0.1';

export const LIBS = {
  ws: { name: 'ws', WebSocket: WsWebSocket, WebSocketServer: WsServer, createWebSocketStream: wsStream },
  socketeer: { name: 'socketeer', WebSocket: SocketeerWebSocket, WebSocketServer: SocketeerServer, createWebSocketStream: socketeerStream },
};

/** Rejects after `ms` with a message naming what did not happen. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `scenario(lib)` for ws and for socketeer (in that order, never at the
 * same time) and asserts the traces are deeply equal.
 */
export function compare(name, scenario, { timeout = 5000 } = {}) {
  test(name, async () => {
    const traces = {};
    for (const lib of [LIBS.ws, LIBS.socketeer]) {
      const cleanups = [];
      try {
        traces[lib.name] = await within(scenario(lib, (fn) => cleanups.push(fn)), timeout, `for the scenario on ${lib.name}`);
      } finally {
        for (const fn of cleanups.reverse()) await within(Promise.resolve().then(fn), 3000, `for cleanup on ${lib.name}`).catch(() => {});
      }
    }
    assert.deepEqual(traces.socketeer, traces.ws);
  });
}

/** A server on its own port; resolves once listening. Registered for cleanup. */
export async function server(lib, options, cleanup) {
  const wss = new lib.WebSocketServer({ port: 0, host: HOST, ...options });
  await once(wss, 'listening');
  cleanup(() => closeServer(wss));
  return { wss, url: `ws://${HOST}:${wss.address().port}` };
}

/** Ends every socket still open and closes the server (ws 8 leaves sockets open on close()). */
export async function closeServer(wss) {
  for (const ws of wss.clients ?? []) ws.terminate();
  await new Promise((resolve) => wss.close(() => resolve()));
}

/** A client and its server-side socket, both open. */
export async function pair(lib, { serverOptions = {}, clientOptions, protocols } = {}, cleanup) {
  const { wss, url } = await server(lib, serverOptions, cleanup);
  const accepted = once(wss, 'connection');
  const client = new lib.WebSocket(url, protocols, clientOptions);
  cleanup(() => client.terminate());
  await once(client, 'open');
  const [serverSide, request] = await accepted;
  cleanup(() => serverSide.terminate());
  return { wss, url, client, server: serverSide, request };
}

/** Records the events of an emitter as [name, ...shaped args]. */
export function record(emitter, names, trace, label = '') {
  for (const name of names) {
    emitter.on(name, (...args) => trace.push([label + name, ...args.map(shape)]));
  }
}

/** What a program would compare: Buffers as strings, errors as their kind. */
export function shape(value) {
  if (Buffer.isBuffer(value)) return `<Buffer ${value.toString()}>`;
  if (value instanceof Error) return `<${value instanceof TypeError ? 'TypeError' : value instanceof RangeError ? 'RangeError' : value instanceof SyntaxError ? 'SyntaxError' : 'Error'}>`;
  return value;
}

/** Calls fn and records whether it threw (and the error's kind), not the wording. */
export function outcome(fn) {
  try {
    const value = fn();
    return value === undefined ? 'returned' : ['returned', value];
  } catch (error) {
    return ['threw', error instanceof TypeError ? 'TypeError' : error instanceof RangeError ? 'RangeError' : error instanceof Error ? 'Error' : typeof error];
  }
}

/** The next `name` event's arguments (unlike events.once, an 'error' does not reject it). */
export function next(emitter, name) {
  return new Promise((resolve) => emitter.once(name, (...args) => resolve(args)));
}
