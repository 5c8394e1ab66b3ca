// socketeer's additions beyond ws and WHATWG: `for await` over messages,
// sendAsync(), send() backpressure with 'drain', and the heartbeat option.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPair } from '../helpers/pairs.mjs';
import { expectClose } from '../helpers/close-watch.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { OP } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';

describe('for await (const message of ws)', () => {
  test('yields text as strings and binary as Buffers, ends after a clean close', async () => {
    const p = await openPair();
    try {
      p.serverWs.send('one');
      p.serverWs.send(Buffer.from([7]));
      p.serverWs.send('three');
      p.serverWs.close(1000);
      const got = [];
      await withTimeout(
        (async () => {
          for await (const message of p.clientWs) got.push(message);
        })(),
        3000,
        'for the loop to end',
      );
      assert.deepEqual(got, ['one', Buffer.from([7]), 'three']);
    } finally {
      await p.dispose();
    }
  });

  test('throws WS_ERR_CLOSED_ABNORMALLY when the connection drops', async () => {
    const p = await openPair();
    try {
      p.serverWs.send('only');
      const loop = (async () => {
        const got = [];
        for await (const message of p.clientWs) {
          got.push(message);
          p.serverWs.terminate();
        }
        return got;
      })();
      await assert.rejects(withTimeout(loop, 3000, 'for the loop'), (error) => error.code === 'WS_ERR_CLOSED_ABNORMALLY' && /1006/.test(error.message));
    } finally {
      await p.dispose();
    }
  });

  test('break leaves the connection open and messages flow to listeners again', async () => {
    const p = await openPair();
    try {
      p.serverWs.send('first');
      for await (const message of p.clientWs) {
        assert.equal(message, 'first');
        break;
      }
      assert.equal(p.clientWs.readyState, 1);
      p.serverWs.send('second');
      const [data] = await once(p.clientWs, 'message', 3000);
      assert.equal(String(data), 'second');
    } finally {
      await p.dispose();
    }
  });

  test('a slow consumer does not lose messages (reading pauses and resumes)', async () => {
    const p = await openPair();
    try {
      const count = 100;
      for (let i = 0; i < count; i++) p.serverWs.send(String(i));
      p.serverWs.close(1000);
      const got = [];
      await withTimeout(
        (async () => {
          for await (const message of p.clientWs) {
            got.push(message);
            if (got.length % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
        })(),
        5000,
        'for 100 messages',
      );
      assert.deepEqual(got, Array.from({ length: count }, (_, i) => String(i)));
    } finally {
      await p.dispose();
    }
  });
});

describe('sendAsync()', () => {
  test('resolves once written; the peer receives the data in order', async () => {
    const p = await openPair();
    try {
      const received = [];
      const both = new Promise((resolve) => p.serverWs.on('message', (data, isBinary) => received.push([String(data), isBinary]) === 2 && resolve()));
      const first = p.clientWs.sendAsync('a');
      assert.ok(first instanceof Promise);
      assert.equal(await withTimeout(first, 2000, 'for sendAsync'), undefined);
      await withTimeout(p.clientWs.sendAsync(Buffer.from('b'), { binary: false }), 2000, 'for sendAsync');
      assert.equal(p.clientWs.bufferedAmount, 0, 'handed to the OS');
      await withTimeout(both, 2000, 'for both messages');
      assert.deepEqual(received, [['a', false], ['b', false]]);
    } finally {
      await p.dispose();
    }
  });

  test('rejects with WS_ERR_NOT_OPEN after close()', async () => {
    const p = await openPair();
    try {
      p.clientWs.close();
      await assert.rejects(withTimeout(p.clientWs.sendAsync('late'), 2000, 'for sendAsync'), { code: 'WS_ERR_NOT_OPEN' });
    } finally {
      await p.dispose();
    }
  });
});

describe('heartbeat against npm ws, which answers pings by itself', () => {
  for (const combo of [
    { server: 'socketeer', client: 'ws', side: 'serverWs', options: 'serverOptions' },
    { server: 'ws', client: 'socketeer', side: 'clientWs', options: 'clientOptions' },
  ]) {
    test(`socketeer ${combo.server === 'socketeer' ? 'server' : 'client'} pings a ws peer and stays open`, async () => {
      const p = await openPair({ server: combo.server, client: combo.client, [combo.options]: { heartbeat: { interval: 30, timeout: 100 } } });
      try {
        const ours = p[combo.side];
        let pongs = 0;
        const fivePongs = new Promise((resolve) => ours.on('pong', () => ++pongs === 5 && resolve()));
        await withTimeout(fivePongs, 3000, 'for five pongs');
        assert.equal(ours.readyState, 1, 'still open after five heartbeats');
      } finally {
        await p.dispose();
      }
    });
  }
});

for (const role of ['server', 'client']) {
  describe(`backpressure (socketeer ${role})`, () => {
    test("send() returns false past highWaterMark and 'drain' fires once the peer reads", async () => {
      const highWaterMark = 64 * 1024;
      const t = await ROLES[role]({ highWaterMark });
      try {
        // The peer stops reading: the kernel buffers fill, then Node's.
        t.peer.socket.pause();
        const chunk = Buffer.alloc(256 * 1024, 1);
        let returned = true;
        let sent = 0;
        while (returned && sent < 64) {
          returned = t.ws.send(chunk);
          sent++;
        }
        assert.equal(returned, false, `send() returned false after ${sent} chunks`);
        assert.ok(t.ws.bufferedAmount >= highWaterMark, `bufferedAmount ${t.ws.bufferedAmount} is past the mark`);
        const drained = once(t.ws, 'drain', 5000);
        t.peer.socket.resume();
        await drained;
        assert.ok(t.ws.bufferedAmount < highWaterMark, 'under the mark on drain');
        assert.equal(t.ws.send('small'), true, 'send() returns true again');
        // Everything arrives, in order.
        const frames = [];
        for (let i = 0; i <= sent; i++) frames.push(await t.peer.nextFrame(5000));
        assert.deepEqual(frames.map((f) => f.payload.length), [...Array(sent).fill(chunk.length), 5]);
      } finally {
        await t.dispose();
      }
    });
  });

  describe(`heartbeat (socketeer ${role})`, () => {
    test('pings every interval; a peer that answers stays connected', async () => {
      // Timers start when the connection opens, after `start`.
      const start = performance.now();
      const t = await ROLES[role]({ heartbeat: { interval: 40, timeout: 200 } });
      try {
        t.peer.on('frame', (f) => {
          if (f.opcode === OP.ping) t.peer.send(OP.pong, f.payload);
        });
        for (let i = 0; i < 4; i++) assert.equal((await t.peer.nextFrame(2000)).opcode, OP.ping);
        const elapsed = performance.now() - start;
        assert.ok(elapsed >= 4 * 40 - 15, `4 pings came ${elapsed} ms after connecting`);
        assert.equal(t.ws.readyState, 1, 'still open');
        assert.equal(t.rec.emitter.length, 0);
      } finally {
        await t.dispose();
      }
    });

    test('no pong within timeout: terminated with 1006, not clean', async () => {
      const start = performance.now();
      const t = await ROLES[role]({ heartbeat: { interval: 40, timeout: 100 } });
      try {
        assert.equal((await t.peer.nextFrame(2000)).opcode, OP.ping);
        await expectClose(t.ws, t.rec, { code: 1006, wasClean: false });
        const elapsed = t.rec.at - start;
        assert.ok(elapsed >= 40 + 100 - 15 && elapsed < 2000, `terminated ${elapsed} ms after connecting`);
        assert.equal(t.peer.closeFrames.length, 0, 'terminated, not closed');
      } finally {
        await t.dispose();
      }
    });
  });
}
