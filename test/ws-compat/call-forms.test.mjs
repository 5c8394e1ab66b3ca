// The argument shapes of send(), ping() and pong() that ws accepts.
import { describe } from 'node:test';
import { compare, next, pair, shape } from './harness.mjs';

function settled(register) {
  return new Promise((resolve) => register((...args) => resolve(args.map(shape))));
}

describe('ws-compat: call forms', () => {
  compare('ping(cb), pong(cb), ping(data, cb), ping(data, mask, cb): callbacks run, the peer sees the payloads', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const trace = [];
    p.server.on('ping', (data) => trace.push(['server ping', shape(data)]));
    p.server.on('pong', (data) => trace.push(['server pong', shape(data)]));
    trace.push(['ping(cb)', await settled((cb) => p.client.ping(cb))]);
    trace.push(['pong(cb)', await settled((cb) => p.client.pong(cb))]);
    trace.push(['ping(data, cb)', await settled((cb) => p.client.ping('a', cb))]);
    trace.push(['ping(data, mask, cb)', await settled((cb) => p.client.ping('b', true, cb))]);
    trace.push(['pong(data, mask, cb)', await settled((cb) => p.client.pong('c', undefined, cb))]);
    p.client.send('end');
    await next(p.server, 'message');
    return trace;
  });

  compare('send() with no data sends an empty binary message; send(data, cb) runs cb', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const trace = [];
    p.server.on('message', (data, isBinary) => trace.push(['message', shape(data), isBinary]));
    p.client.send();
    trace.push(['send(data, cb)', await settled((cb) => p.client.send('x', cb))]);
    trace.push(['send(data, {}, cb)', await settled((cb) => p.client.send('y', {}, cb))]);
    trace.push(['send(number)', await settled((cb) => p.client.send(42, cb))]);
    trace.push(['send(Uint8Array, {binary:false})', await settled((cb) => p.client.send(new Uint8Array([0x68, 0x69]), { binary: false }, cb))]);
    p.client.send('end');
    await new Promise((resolve) => p.server.on('message', (data) => String(data) === 'end' && resolve()));
    return trace;
  });

  compare('send(), ping() and pong() after close: no throw, callbacks get an Error', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    p.client.close();
    await next(p.client, 'close');
    const trace = [];
    trace.push(['send', await settled((cb) => p.client.send('x', cb))]);
    trace.push(['ping', await settled((cb) => p.client.ping(cb))]);
    trace.push(['pong', await settled((cb) => p.client.pong('y', cb))]);
    return trace;
  });

  compare('a ping over 125 bytes throws', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    try {
      p.client.ping(Buffer.alloc(126));
      return 'sent';
    } catch (error) {
      return ['threw', error instanceof Error];
    }
  });

  compare('the peer answers pings with a pong carrying the same payload', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const pong = next(p.server, 'pong');
    p.server.ping('are you there');
    const [data] = await pong;
    return shape(data);
  });
});
