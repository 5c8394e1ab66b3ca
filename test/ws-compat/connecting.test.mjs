// close() and terminate() while the opening handshake runs, on both dialects.
import { once } from 'node:events';
import http from 'node:http';
import { describe } from 'node:test';
import { compare, HOST, next, server, shape } from './harness.mjs';

/** An HTTP server that never answers upgrades: a client stays CONNECTING. */
async function silentServer(cleanup) {
  const sockets = new Set();
  const srv = http.createServer();
  srv.on('upgrade', (_req, socket) => sockets.add(socket));
  srv.listen(0, HOST);
  await once(srv, 'listening');
  cleanup(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => srv.close(resolve));
  });
  return { url: `ws://${HOST}:${srv.address().port}`, upgraded: once(srv, 'upgrade') };
}

function watchWs(ws, trace) {
  ws.on('open', () => trace.push(['open']));
  ws.on('error', (error) => trace.push(['error', shape(error), ws.readyState]));
  ws.on('close', (code, reason) => trace.push(['close', code, String(reason), ws.readyState]));
  return next(ws, 'close');
}

function watchWhatwg(ws, trace) {
  ws.onopen = () => trace.push(['open']);
  ws.onerror = (event) => trace.push(['error event', event.type]);
  ws.onclose = (event) => trace.push(['close event', event.type, event.code, event.wasClean]);
  return next(ws, 'close');
}

describe('ws-compat: close/terminate while connecting', () => {
  for (const method of ['close', 'terminate']) {
    compare(`${method}() before the server answered: 'error', then 'close' 1006`, async (lib, cleanup) => {
      const { url, upgraded } = await silentServer(cleanup);
      const trace = [];
      const ws = new lib.WebSocket(url);
      const closed = watchWs(ws, trace);
      await upgraded;
      ws[method]();
      trace.push(['after call', ws.readyState]);
      await closed;
      return trace;
    });

    compare(`${method}() right after the constructor: 'error', then 'close' 1006`, async (lib, cleanup) => {
      const { url } = await silentServer(cleanup);
      const trace = [];
      const ws = new lib.WebSocket(url);
      const closed = watchWs(ws, trace);
      ws[method]();
      trace.push(['after call', ws.readyState]);
      await closed;
      return trace;
    });

    compare(`${method}() while connecting, WHATWG listeners: error event, then close event`, async (lib, cleanup) => {
      const { url, upgraded } = await silentServer(cleanup);
      const trace = [];
      const ws = new lib.WebSocket(url);
      const closed = watchWhatwg(ws, trace);
      await upgraded;
      ws[method]();
      await closed;
      return trace;
    });

    compare(`${method}() from an 'upgrade' listener: 'error', then 'close' 1006, never 'open'`, async (lib, cleanup) => {
      const { url, wss } = await server(lib, {}, cleanup);
      const trace = [];
      const serverClosed = new Promise((resolve) => wss.once('connection', (s) => s.once('close', resolve)));
      const ws = new lib.WebSocket(url);
      const closed = watchWs(ws, trace);
      ws.once('upgrade', () => ws[method]());
      await closed;
      await serverClosed;
      return trace;
    });
  }

  compare('close() while connecting: later calls do nothing, one close event', async (lib, cleanup) => {
    const { url } = await silentServer(cleanup);
    const trace = [];
    const ws = new lib.WebSocket(url);
    const closed = watchWs(ws, trace);
    ws.close();
    ws.close();
    ws.terminate();
    await closed;
    await new Promise((resolve) => setImmediate(resolve));
    return trace;
  });

  compare('send(), ping() and pong() while connecting throw', async (lib, cleanup) => {
    const { url } = await silentServer(cleanup);
    const ws = new lib.WebSocket(url);
    ws.on('error', () => {});
    cleanup(() => ws.terminate());
    const trace = [];
    for (const call of [() => ws.send('x'), () => ws.ping(), () => ws.pong()]) {
      try {
        call();
        trace.push('returned');
      } catch (error) {
        trace.push(['threw', error instanceof Error]);
      }
    }
    return trace;
  });

  compare('pause() and resume() before open do nothing', async (lib, cleanup) => {
    const { url } = await silentServer(cleanup);
    const ws = new lib.WebSocket(url);
    ws.on('error', () => {});
    cleanup(() => ws.terminate());
    const trace = [ws.isPaused];
    ws.pause();
    trace.push(ws.isPaused);
    ws.resume();
    trace.push(ws.isPaused);
    return trace;
  });
});
