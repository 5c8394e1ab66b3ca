// ws options: honoured with ws's meaning (or, for socketeer, refused with a coded error).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { describe, test } from 'node:test';
import { compare, HOST, LIBS, next, pair } from './harness.mjs';

/** An HTTP server that records the upgrade request's headers and drops it. */
async function headerSink(cleanup) {
  const srv = http.createServer();
  const request = new Promise((resolve) =>
    srv.once('upgrade', (req, socket) => {
      socket.destroy();
      resolve(req);
    }),
  );
  srv.listen(0, HOST);
  await once(srv, 'listening');
  cleanup(() => new Promise((resolve) => srv.close(resolve)));
  return { url: `ws://${HOST}:${srv.address().port}/`, request };
}

function threw(fn) {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof RangeError ? 'RangeError' : error instanceof TypeError ? 'TypeError' : 'Error';
  }
}

describe('ws-compat: options', () => {
  compare('autoPong: false on the client: no pong goes back, the ping is still emitted', async (lib, cleanup) => {
    const p = await pair(lib, { clientOptions: { autoPong: false } }, cleanup);
    const trace = [];
    p.server.on('pong', () => trace.push('server pong'));
    p.server.on('message', (data) => trace.push(['server message', String(data)]));
    p.client.on('ping', (data) => {
      trace.push(['client ping', String(data)]);
      p.client.send('after ping');
    });
    p.server.ping('x');
    await next(p.server, 'message');
    return trace;
  });

  compare('autoPong: false on the server', async (lib, cleanup) => {
    const p = await pair(lib, { serverOptions: { autoPong: false } }, cleanup);
    const trace = [];
    p.client.on('pong', () => trace.push('client pong'));
    p.client.on('message', (data) => trace.push(['client message', String(data)]));
    p.server.on('ping', () => p.server.send('after ping'));
    p.client.ping('x');
    await next(p.client, 'message');
    return trace;
  });

  compare('generateMask fills each frame key; the peer unmasks correctly', async (lib, cleanup) => {
    let calls = 0;
    const generateMask = (mask) => {
      calls++;
      mask.fill(0x5a);
    };
    const p = await pair(lib, { clientOptions: { generateMask } }, cleanup);
    const before = calls;
    const message = next(p.server, 'message');
    p.client.send('masked text');
    const [data] = await message;
    return [String(data), calls - before >= 1];
  });

  compare('protocolVersion 8 sends Sec-WebSocket-Version: 8 and the origin as Sec-WebSocket-Origin', async (lib, cleanup) => {
    const { url, request } = await headerSink(cleanup);
    const ws = new lib.WebSocket(url, { protocolVersion: 8, origin: 'https://example.test' });
    ws.on('error', () => {});
    const req = await request;
    await next(ws, 'close');
    return [req.headers['sec-websocket-version'], req.headers['sec-websocket-origin'], req.headers.origin];
  });

  compare('protocolVersion other than 8 or 13 throws a RangeError; wrong types of the other options throw', async (lib) => {
    return [
      threw(() => new lib.WebSocket('ws://127.0.0.1:1', { protocolVersion: 7 })),
      threw(() => new lib.WebSocket('ws://127.0.0.1:1', { protocolVersion: 14 })),
    ];
  });

  compare('finishRequest(request, websocket) replaces request.end()', async (lib, cleanup) => {
    const { url, request } = await headerSink(cleanup);
    const trace = [];
    const ws = new lib.WebSocket(url, {
      finishRequest: (req, websocket) => {
        trace.push([typeof req.setHeader, websocket instanceof lib.WebSocket, websocket.readyState]);
        req.setHeader('X-Finished-By', 'user');
        req.end();
      },
    });
    ws.on('error', () => {});
    const req = await request;
    trace.push(req.headers['x-finished-by']);
    await next(ws, 'close');
    return trace;
  });

  compare('createConnection opens the connection; lookup resolves the host name', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const trace = [];
    const port = new URL(p.url).port;
    const viaCreate = new lib.WebSocket(`ws://any.invalid:${port}`, {
      createConnection: (options) => {
        trace.push(['createConnection', options.host ?? options.hostname]);
        return net.connect(Number(port), HOST);
      },
    });
    cleanup(() => viaCreate.terminate());
    await next(viaCreate, 'open');
    const viaLookup = new lib.WebSocket(`ws://socketeer-test.invalid:${port}`, {
      lookup: (hostname, options, callback) => {
        trace.push(['lookup', hostname]);
        if (options.all) callback(null, [{ address: HOST, family: 4 }]);
        else callback(null, HOST, 4);
      },
    });
    cleanup(() => viaLookup.terminate());
    await next(viaLookup, 'open');
    return trace;
  });

  compare('skipUTF8Validation: invalid UTF-8 text is delivered instead of closing 1007', async (lib, cleanup) => {
    const p = await pair(lib, { serverOptions: { skipUTF8Validation: true } }, cleanup);
    // A masked text frame "\xff\xfe" written under the client's feet.
    const frame = Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe]);
    const message = next(p.server, 'message');
    p.client._socket.write(frame);
    const [data, isBinary] = await message;
    return [[...data], isBinary, p.server.readyState];
  });

  compare('allowSynchronousEvents: true is accepted', async (lib, cleanup) => {
    const p = await pair(lib, { clientOptions: { allowSynchronousEvents: true }, serverOptions: { allowSynchronousEvents: true } }, cleanup);
    const message = next(p.server, 'message');
    p.client.send('ok');
    return String((await message)[0]);
  });
});

describe('socketeer only: ws options it refuses instead of ignoring', () => {
  const { WebSocket, WebSocketServer } = LIBS.socketeer;
  test('allowSynchronousEvents: false is refused with WS_ERR_UNSUPPORTED_OPTION (client and server)', () => {
    assert.throws(() => new WebSocket('ws://127.0.0.1:1', { allowSynchronousEvents: false }), { code: 'WS_ERR_UNSUPPORTED_OPTION', message: /setImmediate/ });
    assert.throws(() => new WebSocketServer({ noServer: true, allowSynchronousEvents: false }), { code: 'WS_ERR_UNSUPPORTED_OPTION' });
  });
  test('wrong types are refused with WS_ERR_INVALID_OPTION', () => {
    for (const options of [{ autoPong: 'no' }, { skipUTF8Validation: 1 }, { generateMask: 4 }, { finishRequest: true }, { createConnection: {} }, { lookup: 'dns' }, { protocolVersion: 12 }]) {
      assert.throws(() => new WebSocket('ws://127.0.0.1:1', options), { code: 'WS_ERR_INVALID_OPTION' }, JSON.stringify(options));
    }
    assert.throws(() => new WebSocketServer({ noServer: true, WebSocket: class {} }), { code: 'WS_ERR_INVALID_OPTION' });
    assert.throws(() => new WebSocketServer({ noServer: true, autoPong: 0 }), { code: 'WS_ERR_INVALID_OPTION' });
  });
});
