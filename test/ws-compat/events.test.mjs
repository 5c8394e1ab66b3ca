// addEventListener / on<event> on the ws object, as ws implements the DOM rules.
import { describe } from 'node:test';
import { compare, next, pair } from './harness.mjs';

describe('ws-compat: EventTarget methods', () => {
  compare('the same listener added twice runs once; once: true runs once; removeEventListener removes', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const trace = [];
    const listener = (event) => trace.push(['listener', event.type, String(event.data)]);
    const onceListener = (event) => trace.push(['once', String(event.data)]);
    const removed = () => trace.push('removed ran');
    p.client.addEventListener('message', listener);
    p.client.addEventListener('message', listener);
    p.client.addEventListener('message', onceListener, { once: true });
    p.client.addEventListener('message', removed);
    p.client.removeEventListener('message', removed);
    p.client.onmessage = (event) => trace.push(['onmessage', String(event.data)]);
    for (const text of ['a', 'b']) {
      const got = next(p.client, 'message');
      p.server.send(text);
      await got;
    }
    trace.push(['onmessage is a function', typeof p.client.onmessage]);
    return trace;
  });

  compare('close event: code, reason, wasClean; error listeners get an ErrorEvent-like object', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const trace = [];
    p.client.addEventListener('close', (event) => trace.push([event.type, event.code, event.reason, event.wasClean]));
    const closed = next(p.client, 'close');
    p.server.close(4001, 'done');
    await closed;
    return trace;
  });
});
