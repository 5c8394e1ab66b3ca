// WebSocketServer behaviour a ws program relies on.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { describe } from 'node:test';
import { compare, HOST, next, pair, server, shape } from './harness.mjs';

describe('ws-compat: WebSocketServer', () => {
  compare("a socket has left wss.clients when its 'close' listeners run", async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const trace = [p.wss.clients.size, p.wss.clients.has(p.server)];
    const seen = new Promise((resolve) => p.server.on('close', () => resolve([p.wss.clients.size, p.wss.clients.has(p.server)])));
    p.client.close();
    trace.push(await seen);
    return trace;
  });

  compare('clientTracking: false leaves wss.clients undefined', async (lib, cleanup) => {
    const p = await pair(lib, { serverOptions: { clientTracking: false } }, cleanup);
    return [p.wss.clients === undefined, typeof p.wss.clients];
  });

  compare("'headers' gets the 101 answer's lines, and lines a listener adds are sent", async (lib, cleanup) => {
    const { wss, url } = await server(lib, { handleProtocols: () => 'chat' }, cleanup);
    const trace = [];
    wss.on('headers', (headers, request) => {
      trace.push(headers.map((line) => line.replace(/^(Sec-WebSocket-Accept: ).*/, '$1<key>')));
      trace.push(typeof request.headers);
      headers.push('Set-Cookie: session=1');
    });
    wss.on('connection', (ws) => cleanup(() => ws.terminate()));
    const ws = new lib.WebSocket(url, ['chat']);
    cleanup(() => ws.terminate());
    const opened = next(ws, 'open');
    const [response] = await next(ws, 'upgrade');
    trace.push(response.headers['set-cookie']);
    await opened;
    return trace;
  });

  compare("the WebSocket option: 'connection' hands out the subclass", async (lib, cleanup) => {
    class Custom extends lib.WebSocket {
      hello() {
        return 'hi';
      }
    }
    const p = await pair(lib, { serverOptions: { WebSocket: Custom } }, cleanup);
    return [p.server instanceof Custom, p.server.hello(), p.server instanceof lib.WebSocket];
  });

  compare('handleUpgrade() twice with the same socket throws', async (lib, cleanup) => {
    const wss = new lib.WebSocketServer({ noServer: true });
    const srv = http.createServer();
    const trace = [];
    srv.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        trace.push('connected');
        cleanup(() => ws.terminate());
      });
      try {
        wss.handleUpgrade(req, socket, head, () => trace.push('connected twice'));
        trace.push('second call returned');
      } catch (error) {
        trace.push(['second call threw', error instanceof Error]);
      }
    });
    srv.listen(0, HOST);
    await once(srv, 'listening');
    cleanup(() => new Promise((resolve) => srv.close(resolve)));
    const ws = new lib.WebSocket(`ws://${HOST}:${srv.address().port}`);
    cleanup(() => ws.terminate());
    await next(ws, 'open');
    return trace;
  });

  compare('close(cb) on a closed server: the callback gets an error, and close is emitted again', async (lib) => {
    const wss = new lib.WebSocketServer({ port: 0, host: HOST });
    await once(wss, 'listening');
    const trace = [];
    wss.on('close', () => trace.push('close event'));
    await new Promise((resolve) => wss.close((error) => resolve(trace.push(['first cb', shape(error)]))));
    await new Promise((resolve) => wss.close((error) => resolve(trace.push(['second cb', shape(error)]))));
    await new Promise((resolve) => setImmediate(resolve));
    return trace;
  });

  compare("'connection' gets the socket and the request; shouldHandle() follows the path option", async (lib, cleanup) => {
    const { wss, url } = await server(lib, { path: '/chat' }, cleanup);
    const accepted = next(wss, 'connection');
    const ws = new lib.WebSocket(`${url}/chat?room=1`);
    cleanup(() => ws.terminate());
    await next(ws, 'open');
    const [socket, request] = await accepted;
    cleanup(() => socket.terminate());
    return [socket.readyState, request.url, wss.shouldHandle({ url: '/chat?x' }), wss.shouldHandle({ url: '/other' })];
  });

  compare('address() of a server on its own port', async (lib, cleanup) => {
    const { wss } = await server(lib, {}, cleanup);
    const address = wss.address();
    return [address.address, address.family, typeof address.port];
  });

  compare('no "port", "server" or "noServer": the constructor throws a TypeError', async (lib) => {
    try {
      new lib.WebSocketServer({});
      return 'constructed';
    } catch (error) {
      assert.ok(error instanceof Error);
      return ['threw', error instanceof TypeError];
    }
  });
});
