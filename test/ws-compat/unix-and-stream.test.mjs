// ws+unix: URLs and createWebSocketStream().
import { once } from 'node:events';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import { compare, next, pair, shape } from './harness.mjs';

let seq = 0;

describe('ws-compat: ws+unix: URLs', () => {
  compare('a client reaches a server on a Unix socket; the request path follows the colon', async (lib, cleanup) => {
    const socketPath = path.join(os.tmpdir(), `socketeer-compat-${process.pid}-${seq++}.sock`);
    const srv = http.createServer();
    const wss = new lib.WebSocketServer({ server: srv });
    srv.listen(socketPath);
    await once(srv, 'listening');
    cleanup(() => new Promise((resolve) => srv.close(resolve)));
    cleanup(() => new Promise((resolve) => wss.close(resolve)));
    const accepted = next(wss, 'connection');
    const ws = new lib.WebSocket(`ws+unix:${socketPath}:/chat?room=2`);
    cleanup(() => ws.terminate());
    await next(ws, 'open');
    const [serverSide, request] = await accepted;
    cleanup(() => serverSide.terminate());
    const echoed = next(ws, 'message');
    serverSide.send('over unix');
    return [request.url, String((await echoed)[0]), ws.url.startsWith('ws+unix:')];
  });
});

describe('ws-compat: createWebSocketStream', () => {
  compare('messages become chunks, writes become messages with callbacks, end() closes', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const duplex = lib.createWebSocketStream(p.client);
    const trace = [];
    p.server.on('message', (data, isBinary) => trace.push(['server got', String(data), isBinary]));
    const chunk = once(duplex, 'data');
    p.server.send('from server');
    trace.push(['chunk', shape((await chunk)[0])]);
    await new Promise((resolve) => duplex.write('from stream', (error) => resolve(trace.push(['write cb', error ?? null]))));
    const serverClosed = next(p.server, 'close');
    const ended = next(duplex, 'end');
    const streamClosed = next(duplex, 'close');
    duplex.resume();
    duplex.end();
    const [code] = await serverClosed;
    await ended;
    await streamClosed;
    trace.push(['server close', code, p.client.readyState, duplex.destroyed]);
    return trace;
  });

  compare('readableObjectMode: text arrives as strings', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const duplex = lib.createWebSocketStream(p.client, { readableObjectMode: true });
    const chunk = once(duplex, 'data');
    p.server.send('text');
    const [value] = await chunk;
    duplex.destroy();
    await once(duplex, 'close');
    return [typeof value, value, p.client.readyState];
  });

  compare('the peer closing ends the readable side', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const duplex = lib.createWebSocketStream(p.client);
    const trace = [];
    duplex.on('data', (data) => trace.push(['data', shape(data)]));
    duplex.on('end', () => trace.push('end'));
    p.server.send('last');
    p.server.close(1000);
    await once(duplex, 'end');
    return trace;
  });

  compare('destroy() terminates the socket: the peer sees 1006', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const duplex = lib.createWebSocketStream(p.client);
    const closed = next(p.server, 'close');
    duplex.destroy();
    await once(duplex, 'close');
    const [code] = await closed;
    return [code, p.client.readyState];
  });
});
