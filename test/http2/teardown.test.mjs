// How a WebSocket over an HTTP/2 stream ends when the stream or the session
// goes: RST_STREAM and a destroyed session give 1006 and exactly one close
// event on each side; the session stays up for the other streams; a GOAWAY
// lets open WebSockets finish while new ones get a new session; a client that
// keeps its half of the stream open after the closing handshake does not hold
// the server until its close timer.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { watchClose } from '../helpers/close-watch.mjs';
import { cframe, closePayload } from '../unit/frame-builder.mjs';
import { startH2Server, openClient, nextMessage, closed, withTimeout, rawSession, wsConnect, once } from './lib.mjs';

function echo(fixture) {
  fixture.wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
}

function assertOneAbnormalClose(rec, who) {
  assert.equal(rec.emitter.length, 1, `${who}: one ws-style close event`);
  assert.equal(rec.listener.length, 1, `${who}: one WHATWG close event`);
  assert.equal(rec.emitter[0].code, 1006, `${who}: code 1006`);
  assert.equal(rec.listener[0].wasClean, false, `${who}: not clean`);
}

describe('http2 teardown', () => {
  test('the client resets its stream (terminate): 1006 on both sides, the other WebSocket on the session carries on', async () => {
    const fixture = await startH2Server();
    echo(fixture);
    const a = await openClient(fixture.url('/a'));
    const b = await openClient(fixture.url('/b'));
    const serverA = fixture.seen.connections[0].ws;
    const recClient = watchClose(a);
    const recServer = watchClose(serverA);
    a.terminate();
    await Promise.all([recClient.done, recServer.done]);
    assertOneAbnormalClose(recClient, 'client');
    assertOneAbnormalClose(recServer, 'server');
    b.send('still here');
    assert.equal((await nextMessage(b)).data, 'still here');
    assert.equal(fixture.seen.sessions, 1);
    const bClosed = closed(b);
    b.close(1000);
    assert.equal((await bClosed).wasClean, true);
    await fixture.close();
  });

  test('the server resets the stream with an error code in the middle of messages: 1006 on both sides', async () => {
    const fixture = await startH2Server();
    const client = await openClient(fixture.url());
    const server = fixture.seen.connections[0].ws;
    const recClient = watchClose(client);
    const recServer = watchClose(server);
    for (let i = 0; i < 50; i++) server.send(Buffer.alloc(10_000, i));
    server._socket.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    await Promise.all([recClient.done, recServer.done]);
    assertOneAbnormalClose(recClient, 'client');
    assertOneAbnormalClose(recServer, 'server');
    await fixture.close();
  });

  test('a destroyed session ends every WebSocket on it with 1006, exactly once', async () => {
    const fixture = await startH2Server();
    const clients = await Promise.all([1, 2, 3].map(() => openClient(fixture.url())));
    const recs = [...clients, ...fixture.seen.connections.map((c) => c.ws)].map((ws) => watchClose(ws));
    fixture.seen.connections[0].request.stream.session.destroy();
    await Promise.all(recs.map((r) => r.done));
    recs.forEach((rec, i) => assertOneAbnormalClose(rec, `socket ${i}`));
    // The pool dropped the dead session: the next WebSocket gets a new one.
    const next = await openClient(fixture.url());
    assert.equal(fixture.seen.sessions, 2);
    const nextClosed = closed(next);
    next.close(1000);
    await nextClosed;
    await fixture.close();
  });

  test('a GOAWAY in the middle of messages: open WebSockets finish cleanly, a new one gets a new session', async () => {
    const fixture = await startH2Server();
    echo(fixture);
    const client = await openClient(fixture.url());
    const session = fixture.seen.connections[0].request.stream.session;
    const received = [];
    const all = new Promise((resolve) => client.on('message', (d) => received.push(String(d)) === 20 && resolve()));
    for (let i = 0; i < 10; i++) client.send(`m${i}`);
    session.close(); // GOAWAY: no new streams, the open ones may finish
    for (let i = 10; i < 20; i++) client.send(`m${i}`);
    await withTimeout(all, 5000, 'for 20 echoes across the GOAWAY');
    assert.deepEqual(received, Array.from({ length: 20 }, (_, i) => `m${i}`));

    const fresh = await openClient(fixture.url());
    assert.equal(fixture.seen.sessions, 2, 'the client opened a new session after GOAWAY');
    const done = Promise.all([closed(client), closed(fresh)]);
    client.close(1000);
    fresh.close(1000);
    for (const info of await done) assert.equal(info.wasClean, true);
    await fixture.close();
  });

  for (const closer of ['client', 'server']) {
    test(`a client that never ends its half after the closing handshake (${closer} closes first): the server resets the stream with NO_ERROR after its END_STREAM, clean on both sides`, async () => {
      // As Chromium 150 does: its Close goes out, the server's Close and
      // END_STREAM come in, and its own END_STREAM never follows. The server's
      // close timer (30 s by default) must not be what ends the stream.
      const fixture = await startH2Server();
      fixture.wss.on('connection', (ws) => ws.on('message', () => ws.close(4002, 'asked')));
      const session = await rawSession(fixture.origin);
      const stream = session.request(wsConnect('/half-open'), { endStream: false });
      const [headers] = await once(stream, 'response');
      assert.equal(headers[':status'], 200);
      const server = fixture.seen.connections[0].ws;
      const serverClosed = closed(server, 5000);
      let bytes = Buffer.alloc(0);
      stream.on('data', (chunk) => (bytes = Buffer.concat([bytes, chunk])));
      const ended = once(stream, 'end', 5000, "the server's END_STREAM");
      const streamClosed = once(stream, 'close', 5000, 'the stream to close without our END_STREAM');
      if (closer === 'client') {
        stream.write(cframe({ opcode: 0x8, payload: closePayload(4001, 'bye') }));
      } else {
        stream.write(cframe({ opcode: 0x1, payload: 'close me' }));
        // The server's Close, then our answer to it; and still no END_STREAM from us.
        await withTimeout(new Promise((resolve) => stream.on('data', () => bytes.includes(0x88) && resolve())), 5000, 'for the server\'s Close');
        stream.write(cframe({ opcode: 0x8, payload: closePayload(4002, 'asked') }));
      }
      await ended;
      await streamClosed;
      assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
      const expected = closer === 'client' ? { code: 4001, reason: 'bye' } : { code: 4002, reason: 'asked' };
      // The server's Close frame (unmasked) is the last thing it sent.
      const code = bytes.readUInt16BE(bytes.length - 2 - Buffer.byteLength(expected.reason));
      assert.equal(bytes[bytes.length - 4 - Buffer.byteLength(expected.reason)], 0x88);
      assert.equal(code, expected.code);
      assert.deepEqual(await serverClosed, { ...expected, wasClean: true });
      session.close();
      await fixture.close();
    });
  }

  test('server close(): 1001 over the stream, clean on both sides', async () => {
    const fixture = await startH2Server();
    const client = await openClient(fixture.url());
    const clientClosed = closed(client);
    await fixture.wss.close();
    assert.deepEqual(await clientClosed, { code: 1001, reason: 'Server shutting down', wasClean: true });
    await fixture.close();
  });
});
