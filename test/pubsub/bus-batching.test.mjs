// Publishes that arrive from the bus in one turn are written at the end of
// that turn, in arrival order, a run of one topic joined into one write per
// subscriber (src/api/topics.ts, docs/pubsub.md "batched per turn"). Two
// servers in this process on a real redis-server: node A publishes a burst of
// 500 messages in one synchronous loop (two topics in runs of 1, 2 and 5, text
// and binary, empty ones, the frame-length boundaries, one message over
// 64 KiB in the middle of a run, some asking for compression), so that node B
// reads many at once. On B:
// - plain and permessage-deflate subscribers, socketeer and `ws` clients,
//   each get exactly their topics' messages, once, in publish order, bytes and
//   binary flag exact; checked as their client parsed them and as parsed here
//   from every byte B wrote to their sockets (deflated frames inflated), which
//   also shows that runs really went out joined, several frames a write;
// - subscribers closed or unsubscribed by the server in the middle of the
//   burst (inside a turn's writes, and between turns), and one closing
//   itself, get an exact prefix, nothing after the Close frame or the
//   unsubscribe, and a clean close;
// - with slowSubscriberPolicy 'skip' and a small maxBufferedAmount, a
//   subscriber that never reads is skipped (an ordered subsequence once it
//   reads again, every gap a 'publish-skipped' event) while the others get
//   everything, and its buffer never passes the cap, to the byte.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { constants as zlib, inflateRawSync } from 'node:zlib';
import WsWebSocket from 'ws';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { redisPubSub } from '../../dist/esm/redis.js';
import { HOST, redisSkip, startRedis, within } from './lib.mjs';

const TOPICS = ['alpha', 'beta'];
const COUNT = 500;
const RUN_LENGTHS = [1, 2, 5];
const LARGE = 100_000; // over COALESCE_MAX_BYTES (64 KiB)

// ---- the burst ---------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so every run publishes the same burst. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text of exactly `size` UTF-8 bytes: its number and topic first, then multi-byte characters among ASCII. */
function textOfBytes(seq, topic, size) {
  const prefix = `#${seq}/${topic}/`;
  if (size <= prefix.length) return prefix.slice(0, size);
  const pieces = ['lorem ', 'é', '€', '😀', ' ipsum', 'ß', '\u0000', '"\\'];
  let text = prefix;
  let bytes = prefix.length;
  for (let i = seq; ; i++) {
    const piece = pieces[i % pieces.length];
    const length = Buffer.byteLength(piece);
    if (bytes + length > size) break;
    text += piece;
    bytes += length;
  }
  return text + 'x'.repeat(size - bytes);
}

/** Bytes of exactly `size`: the sequence number and topic first, then a pattern of both. */
function binaryOfBytes(seq, topic, size) {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (seq * 31 + i * 7 + topic.length) & 0xff;
  if (size >= 5) {
    data.writeUInt32BE(seq, 0);
    data[4] = TOPICS.indexOf(topic);
  }
  return data;
}

/**
 * COUNT publishes in runs of one topic (lengths 1, 2, 5, the topics taking
 * turns), each { seq, topic, binary, data (the exact bytes), text (or null),
 * compress }, and the runs { topic, start, length }.
 */
function makeBurst() {
  const runs = [];
  for (let start = 0, i = 0; start < COUNT; i++) {
    const length = Math.min(RUN_LENGTHS[i % RUN_LENGTHS.length], COUNT - start);
    runs.push({ topic: TOPICS[i % 2], start, length });
    start += length;
  }
  const sizes = new Map();
  const runFrom = (length, from) => runs.find((r) => r.length === length && r.start >= from);
  const lengths = runFrom(5, 40); // 7-bit and 16-bit frame lengths
  [125, 126, 127, 0, 65].forEach((size, k) => sizes.set(lengths.start + k, size));
  const near = runFrom(2, 120); // 64 KiB of frames together
  sizes.set(near.start, 32_000).set(near.start + 1, 64 * 1024 - 32_000 - 4 - 4);
  const wide = runFrom(2, 230); // the largest 16-bit length, then the smallest 64-bit one
  sizes.set(wide.start, 65_535).set(wide.start + 1, 65_536);
  const large = runFrom(5, 340); // over 64 KiB in the middle of a run
  sizes.set(large.start + 2, LARGE);

  const random = prng(0x5eed);
  const burst = [];
  for (const run of runs) {
    for (let seq = run.start; seq < run.start + run.length; seq++) {
      const binaryDraw = random() < 0.5;
      const compress = random() < 0.4;
      let size = Math.floor(random() * 900);
      const empty = seq % 41 === 7; // empty messages, text and binary
      if (empty) size = 0;
      size = sizes.get(seq) ?? size;
      const binary = seq === large.start + 2 || (empty ? seq % 2 === 1 : binaryDraw);
      const text = binary ? null : textOfBytes(seq, run.topic, size);
      const data = binary ? binaryOfBytes(seq, run.topic, size) : Buffer.from(text);
      assert.equal(data.length, size);
      burst.push({ seq, topic: run.topic, binary, data, text, compress });
    }
  }
  assert.equal(burst.length, COUNT);
  return { burst, runs };
}

const { burst: BURST, runs: RUNS } = makeBurst();
/** The burst as a subscriber of `topics` must get it. */
const expectedFor = (topics) => BURST.filter((m) => topics.includes(m.topic));
/** Both topics' messages, but none of `topic` after the first `n`. */
const dropAfter = (n, topic) => {
  const both = expectedFor(TOPICS);
  return [...both.slice(0, n), ...both.slice(n).filter((m) => m.topic !== topic)];
};

/** What A does: every publish in one synchronous loop. */
function publishBurst(wss) {
  for (const m of BURST) wss.publish(m.topic, m.text ?? m.data, { compress: m.compress });
}

// ---- checks ------------------------------------------------------------------

function show(m) {
  if (m === undefined) return 'nothing';
  const head = m.data.subarray(0, 20).toString(m.binary ? 'hex' : 'utf8');
  return `${m.binary ? 'binary' : 'text'} of ${m.data.length} B starting ${JSON.stringify(head)}`;
}

/** `got` is exactly `expected`: every message, its binary flag and its bytes, in order. */
function assertMessages(got, expected, who) {
  for (let i = 0; i < Math.min(got.length, expected.length); i++) {
    const g = got[i];
    const e = expected[i];
    if (g.binary !== e.binary || !g.data.equals(e.data)) {
      const which = e.seq === undefined ? '' : `publish #${e.seq} (${e.topic}), `;
      assert.fail(`${who}: message ${i} is ${show(g)}; expected ${which}${show(e)}`);
    }
  }
  assert.equal(got.length, expected.length, `${who}: ${got.length} messages, expected ${expected.length}`);
}

/** Waits (bounded) until `predicate()` holds; false on time-out, so the checks after it say what is wrong. */
async function settle(predicate, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

// ---- what B writes, parsed here ------------------------------------------------

/** Parses one frame at `at`, or returns null if `buf` does not hold all of it yet. */
function parseFrame(buf, at) {
  if (buf.length - at < 2) return null;
  const b0 = buf[at];
  const b1 = buf[at + 1];
  let length = b1 & 0x7f;
  let offset = at + 2;
  if (length === 126) {
    if (buf.length - at < 4) return null;
    length = buf.readUInt16BE(at + 2);
    offset = at + 4;
  } else if (length === 127) {
    if (buf.length - at < 10) return null;
    length = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
    offset = at + 10;
  }
  if (buf.length - offset < length) return null;
  return {
    fin: (b0 & 0x80) !== 0,
    rsv1: (b0 & 0x40) !== 0,
    rsv23: b0 & 0x30,
    opcode: b0 & 0x0f,
    masked: (b1 & 0x80) !== 0,
    payload: Buffer.from(buf.subarray(offset, offset + length)),
    end: offset + length,
  };
}

/**
 * Every byte the server writes to one connection's socket, parsed into frames
 * as it is written. `joinedWrites` counts the socket writes that held two or
 * more whole frames: only a joined run is written that way (any other frame
 * is one write, or a header and then a payload).
 */
class Sniffer {
  frames = [];
  dataFrames = 0;
  writes = 0;
  joinedWrites = 0;
  closeFrameAt = -1;
  /** Opcodes of frames written after the Close frame (must stay empty). */
  afterClose = [];
  /** Called inside the server's write after each data frame, with the count so far. */
  onDataFrame = null;
  #pending = Buffer.alloc(0);

  constructor(socket) {
    const write = socket.write;
    const sniffer = this;
    socket.write = function (chunk, ...rest) {
      sniffer.#written(Buffer.from(chunk));
      return write.call(this, chunk, ...rest);
    };
  }

  #written(chunk) {
    this.writes++;
    const carried = this.#pending.length;
    const buf = carried === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    let whole = 0;
    for (let frame; (frame = parseFrame(buf, at)) !== null; at = frame.end) {
      if (at >= carried) whole++;
      if (this.closeFrameAt !== -1) this.afterClose.push(frame.opcode); // recorded, not thrown: this runs inside the server
      this.frames.push(frame);
      if (frame.opcode === 8) this.closeFrameAt = this.frames.length - 1;
      if (frame.opcode === 1 || frame.opcode === 2) {
        this.dataFrames++;
        this.onDataFrame?.(this.dataFrames);
      }
    }
    this.#pending = Buffer.from(buf.subarray(at));
    if (whole >= 2) this.joinedWrites++;
  }

  /** The data frames as messages (deflated ones inflated), after checking every frame's bits. */
  messages(deflate) {
    assert.equal(this.#pending.length, 0, 'a frame was left unfinished');
    const out = [];
    for (const f of this.frames) {
      assert.ok(f.fin && f.rsv23 === 0 && !f.masked, 'every frame is whole, unmasked, without RSV2/RSV3');
      if (f.opcode === 8) continue;
      assert.ok(f.opcode === 1 || f.opcode === 2, `opcode ${f.opcode}`);
      if (f.rsv1) assert.ok(deflate, 'a compressed frame went to a subscriber without permessage-deflate');
      const data = f.rsv1
        ? inflateRawSync(Buffer.concat([f.payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.Z_SYNC_FLUSH })
        : f.payload;
      out.push({ binary: f.opcode === 2, data, compressed: f.rsv1 });
    }
    return out;
  }
}

// ---- nodes and subscribers ---------------------------------------------------------

async function startNode(url, prefix, options = {}) {
  const wss = new WebSocketServer({ port: 0, host: HOST, pubsub: redisPubSub({ url, prefix }), ...options });
  const errors = [];
  const sniffers = new Map();
  wss.on('pubsub-error', (error) => errors.push(error));
  wss.on('connection', (ws) => {
    sniffers.set(ws, new Sniffer(ws._socket));
    ws.on('error', (error) => errors.push(error));
  });
  await once(wss, 'listening');
  const address = `ws://${HOST}:${wss.address().port}`;
  const clients = [];

  /**
   * A client of this node (`kind`: socketeer or ws, with or without
   * permessage-deflate) whose server socket is subscribed to `topics`.
   */
  const join = async (name, kind, topics) => {
    const deflate = kind.endsWith('+deflate');
    const Client = kind.startsWith('ws') ? WsWebSocket : WebSocket;
    const accepted = once(wss, 'connection');
    const ws = new Client(address, { perMessageDeflate: deflate });
    const client = { name, kind, deflate, topics, ws, received: [], errors: [], closeEvent: null };
    clients.push(client);
    ws.on('message', (data, isBinary) => client.received.push({ binary: isBinary, data: Buffer.from(data) }));
    ws.on('error', (error) => client.errors.push(error));
    ws.on('close', (code, reason) => (client.closeEvent = { code, reason: String(reason) }));
    await within(5000, once(ws, 'open'), `${name} to open`);
    const [server] = await accepted;
    client.server = server;
    client.sniffer = sniffers.get(server);
    assert.equal(server.extensions.includes('server_no_context_takeover'), deflate, `${name}: ${server.extensions}`);
    for (const topic of topics) assert.equal(server.subscribe(topic), true);
    return client;
  };
  const close = async () => {
    for (const c of clients) c.ws.terminate();
    await wss.close();
  };
  return { wss, errors, join, close };
}

/**
 * Stops `client` reading and fills its server socket's buffer to exactly
 * `level` bytes: first the kernel's buffers (until a write no longer goes out
 * at once), then the socket's own. Returns the messages sent to do it.
 */
async function fillToLevel(client, level) {
  const { server } = client;
  const fills = [];
  const fill = (size) => {
    const data = Buffer.alloc(size, 0xf0 + (fills.length % 16));
    server.send(data);
    fills.push({ binary: true, data });
  };
  client.ws.pause();
  await within(10_000, (async () => {
    while (server.bufferedAmount === 0) {
      assert.ok(fills.length < 2000, 'the kernel took 128 MiB for a socket that does not read');
      fill(64 * 1024);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })(), 'the kernel buffers to fill');
  // One more message whose frame (header and payload) makes up the rest.
  const header = (size) => (size < 126 ? 2 : size < 0x10000 ? 4 : 10);
  let need = level - server.bufferedAmount;
  if (![2, 4, 10].some((h) => need >= h && header(need - h) === h)) {
    fill(1000);
    need = level - server.bufferedAmount;
  }
  const h = [2, 4, 10].find((h) => need >= h && header(need - h) === h);
  assert.ok(h !== undefined, `cannot fill ${need} bytes`);
  fill(need - h);
  assert.equal(server.bufferedAmount, level);
  return fills;
}

describe('publishes from the bus, batched per turn (two nodes on Redis)', { skip: redisSkip() }, () => {
  let redis;
  before(async () => (redis = await startRedis()));
  after(async () => redis?.stop());

  test('a burst from node A: every kind of subscriber on B gets its topics exactly; closing and unsubscribing mid-burst is clean', { timeout: 30_000 }, async () => {
    const a = await startNode(redis.url, 'batch:');
    // B's threshold, low enough that many publishes of the burst go deflated.
    const threshold = 64;
    const b = await startNode(redis.url, 'batch:', { perMessageDeflate: { serverNoContextTakeover: true, threshold } });
    try {
      // Joined first, so B writes to the first one first in every turn.
      const healthy = [
        await b.join('socketeer, both topics', 'socketeer', ['alpha', 'beta']),
        await b.join('socketeer, alpha', 'socketeer', ['alpha']),
        await b.join('socketeer+deflate, alpha', 'socketeer+deflate', ['alpha']),
        await b.join('socketeer+deflate, both topics', 'socketeer+deflate', ['alpha', 'beta']),
        await b.join('ws, beta', 'ws', ['beta']),
        await b.join('ws+deflate, both topics', 'ws+deflate', ['alpha', 'beta']),
      ];
      const closedInTurn = await b.join('closed by the server in a turn', 'socketeer', ['beta']);
      const unsubscribedInTurn = await b.join('unsubscribed from beta in a turn', 'ws', ['alpha', 'beta']);
      const closedBetween = await b.join('closed by the server between turns', 'socketeer', ['alpha']);
      const unsubscribedBetween = await b.join('unsubscribed from alpha between turns', 'socketeer', ['alpha', 'beta']);
      const closing = await b.join('closing itself mid-burst', 'socketeer', ['alpha', 'beta']);
      await Promise.all([a.wss.topicsSynced(), b.wss.topicsSynced()]);

      // Leaving in the middle of the burst. In a turn: from inside B's write of
      // the first frame of a beta run of 5 to the first subscriber (as a
      // listener B calls while writing could), the others of the run still to
      // be written. Between turns: right after a turn, before B reads more.
      const watcher = healthy[0];
      const inTurnAt = RUNS.find((r) => r.topic === 'beta' && r.length === 5 && r.start >= 100).start + 1;
      const cut = {}; // the data frames each had been written when it left
      watcher.sniffer.onDataFrame = (count) => {
        if (count === inTurnAt) {
          cut.inTurn = count;
          cut.closedInTurn = closedInTurn.sniffer.dataFrames;
          closedInTurn.server.close(1000, 'bye');
          cut.unsubscribedInTurn = unsubscribedInTurn.sniffer.dataFrames;
          assert.equal(unsubscribedInTurn.server.unsubscribe('beta'), true);
          cut.closing = closing.sniffer.dataFrames;
          closing.ws.close(1000, 'leaving');
        }
        if (count === 250) {
          process.nextTick(() => {
            cut.between = watcher.sniffer.dataFrames;
            cut.closedBetween = closedBetween.sniffer.dataFrames;
            closedBetween.server.close();
            cut.unsubscribedBetween = unsubscribedBetween.sniffer.dataFrames;
            assert.equal(unsubscribedBetween.server.unsubscribe('alpha'), true);
          });
        }
      };

      publishBurst(a.wss);

      const stayed = [
        ...healthy.map((c) => ({ c, expected: () => expectedFor(c.topics) })),
        { c: unsubscribedInTurn, expected: () => dropAfter(cut.unsubscribedInTurn, 'beta') },
        { c: unsubscribedBetween, expected: () => dropAfter(cut.unsubscribedBetween, 'alpha') },
      ];
      await settle(() =>
        cut.between !== undefined &&
        (stayed.every((s) => s.c.received.length >= s.expected().length) || stayed.some((s) => s.c.closeEvent !== null || s.c.errors.length > 0)));
      assert.ok(cut.inTurn !== undefined && cut.between !== undefined, `B wrote ${watcher.sniffer.dataFrames} of the burst to the first subscriber`);

      // Those that stayed: every message of their topics, once, in order, exact; on the wire as in the client.
      for (const { c, expected: expect } of stayed) {
        const expected = expect();
        assertMessages(c.received, expected, c.name);
        const wire = c.sniffer.messages(c.deflate);
        assertMessages(wire, expected, `${c.name} (bytes on the wire)`);
        // Every publish that asked for compression, of B's threshold or more, went deflated to them; nothing else did.
        const compressed = wire.filter((m) => m.compressed).length;
        assert.equal(compressed, c.deflate ? expected.filter((m) => m.compress && m.data.length >= threshold).length : 0, c.name);
        assert.equal(c.closeEvent, null, c.name);
        assert.deepEqual(c.errors, [], c.name);
      }
      // The burst reached B in several turns, several publishes a turn: runs went out joined.
      assert.ok(cut.between < COUNT, `the last turn began before 250: ${cut.between}`);
      for (const c of healthy.filter((h) => !h.deflate)) assert.ok(c.sniffer.joinedWrites > 0, `${c.name}: no joined write`);
      assert.ok(watcher.sniffer.joinedWrites >= 10, `${watcher.sniffer.joinedWrites} joined writes of ${watcher.sniffer.writes}`);
      // The unsubscribed left in the middle, publishes of that topic still to come; the other topic kept coming.
      for (const [n, topic] of [[cut.unsubscribedInTurn, 'beta'], [cut.unsubscribedBetween, 'alpha']]) {
        assert.ok(n > 0 && expectedFor(TOPICS).slice(n).some((m) => m.topic === topic), `left ${topic} after ${n}`);
      }

      // Closed (by the server, or by the client): an exact prefix, the Close frame last, a clean close, no error.
      const infos = await within(5000, Promise.all([closedInTurn, closedBetween, closing].map((c) => c.ws.closed)), 'the closing handshakes');
      const closed = [
        { c: closedInTurn, n: cut.closedInTurn, close: { code: 1000, reason: 'bye', wasClean: true } },
        { c: closedBetween, n: cut.closedBetween, close: { code: 1005, reason: '', wasClean: true } },
        // B writes to it until its Close frame arrives there: at least what it had, maybe all.
        { c: closing, n: closing.received.length, close: { code: 1000, reason: 'leaving', wasClean: true } },
      ];
      for (const [i, { c, n, close }] of closed.entries()) {
        const expected = expectedFor(c.topics);
        if (c === closing) assert.ok(n >= cut.closing && n <= expected.length, `${c.name}: ${n}, ${cut.closing} when it closed`);
        else assert.ok(n > 0 && n < expected.length, `${c.name}: closed after ${n} of ${expected.length}`);
        assertMessages(c.received, expected.slice(0, n), c.name);
        assertMessages(c.sniffer.messages(false), c.received, `${c.name} (bytes on the wire)`);
        assert.equal(c.sniffer.closeFrameAt, c.sniffer.frames.length - 1, `${c.name}: the Close frame is the last frame`);
        assert.deepEqual(c.sniffer.afterClose, [], `${c.name}: frames after the Close frame`);
        assert.deepEqual(infos[i], close, c.name);
        assert.deepEqual(c.closeEvent, { code: close.code, reason: close.reason }, c.name);
        assert.deepEqual(c.errors, [], c.name);
      }

      assert.equal(b.wss.subscriberCount('alpha'), healthy.filter((c) => c.topics.includes('alpha')).length + 1);
      assert.equal(b.wss.subscriberCount('beta'), healthy.filter((c) => c.topics.includes('beta')).length + 1);
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test("slowSubscriberPolicy 'skip', small maxBufferedAmount: a subscriber that never reads is skipped, the others get the whole burst in order", { timeout: 30_000 }, async () => {
    const CAP = 2 * 1024 * 1024; // more than the whole burst (about 0.5 MB): a subscriber that reads is never skipped
    const ROOM = 150 * 1024; // what the stuck subscriber has left under the cap when the burst comes
    const a = await startNode(redis.url, 'skip:');
    const b = await startNode(redis.url, 'skip:', {
      perMessageDeflate: { serverNoContextTakeover: true },
      slowSubscriberPolicy: 'skip',
      maxBufferedAmount: CAP,
    });
    const skips = [];
    b.wss.on('publish-skipped', (ws, info) => skips.push({ ws, ...info, buffered: ws.bufferedAmount }));
    try {
      const healthy = [
        await b.join('socketeer, both topics', 'socketeer', ['alpha', 'beta']),
        await b.join('ws, both topics', 'ws', ['alpha', 'beta']),
        await b.join('socketeer+deflate, alpha', 'socketeer+deflate', ['alpha']),
        await b.join('ws+deflate, beta', 'ws+deflate', ['beta']),
      ];
      const stuck = await b.join('never reads', 'socketeer', ['alpha', 'beta']);
      await Promise.all([a.wss.topicsSynced(), b.wss.topicsSynced()]);
      const fills = await fillToLevel(stuck, CAP - ROOM);
      let maxBuffered = 0;
      stuck.sniffer.onDataFrame = () => (maxBuffered = Math.max(maxBuffered, stuck.server.bufferedAmount));

      publishBurst(a.wss);

      await settle(() =>
        healthy.every((c) => c.received.length >= expectedFor(c.topics).length) ||
        [...healthy, stuck].some((c) => c.closeEvent !== null || c.errors.length > 0));
      for (const c of healthy) {
        const expected = expectedFor(c.topics);
        assertMessages(c.received, expected, c.name);
        assertMessages(c.sniffer.messages(c.deflate), expected, `${c.name} (bytes on the wire)`);
        assert.deepEqual(c.errors, [], c.name);
      }
      for (const c of healthy.filter((h) => !h.deflate)) assert.ok(c.sniffer.joinedWrites > 0, `${c.name}: no joined write`);

      // The stuck one: skipped once full (only it), never over the cap, still open.
      assert.ok(skips.length > 0, 'the stuck subscriber was never skipped');
      assert.ok(skips.every((s) => s.ws === stuck.server), 'a subscriber that reads was skipped');
      assert.deepEqual(skips.map((s) => s.skipped), skips.map((_, i) => i + 1));
      assert.ok(maxBuffered <= CAP && skips.every((s) => s.buffered <= CAP), `its buffer reached ${Math.max(maxBuffered, ...skips.map((s) => s.buffered))} bytes, over ${CAP}`);
      assert.equal(stuck.server.readyState, WebSocket.OPEN);

      // Once it reads again: the fill, then what was not skipped, in order, then a last message.
      stuck.ws.resume();
      await within(10_000, settle(() => stuck.server.bufferedAmount === 0), 'the stuck socket to drain');
      stuck.server.send('last');
      await settle(() => stuck.received.at(-1)?.data.toString() === 'last' || stuck.closeEvent !== null);
      const last = { binary: false, data: Buffer.from('last') };
      const got = stuck.received.slice(fills.length, -1);
      assertMessages(stuck.received, [...fills, ...got, last], stuck.name);
      assertMessages(stuck.sniffer.messages(false), stuck.received, `${stuck.name} (bytes on the wire)`);
      // Walk the burst: each publish is either the next one it got (same bytes) or the next skip (same topic and size).
      let g = 0;
      let s = 0;
      for (const m of expectedFor(stuck.topics)) {
        if (g < got.length && got[g].binary === m.binary && got[g].data.equals(m.data)) g++;
        else if (s < skips.length && skips[s].topic === m.topic && skips[s].bytes === m.data.length) s++;
        else assert.fail(`publish #${m.seq} (${m.topic}, ${show(m)}) is neither the next it got (${show(got[g])}) nor the next skip (${JSON.stringify(skips[s] && { topic: skips[s].topic, bytes: skips[s].bytes })})`);
      }
      assert.equal(g, got.length, `${got.length - g} messages the stuck subscriber got are not in the burst's order`);
      assert.equal(s, skips.length, `${skips.length - s} skips not in the burst's order`);
      assert.ok(got.length > 0, 'the stuck subscriber got nothing of the burst (it had room for some)');
      assert.deepEqual(stuck.errors, []);
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test("'skip' near the cap: a run from the bus that does not fit joined goes one by one, each frame checked to the byte", { timeout: 30_000 }, async () => {
    const CAP = 512 * 1024;
    const ROOM = 200;
    const a = await startNode(redis.url, 'exact:');
    const b = await startNode(redis.url, 'exact:', { slowSubscriberPolicy: 'skip', maxBufferedAmount: CAP });
    const skips = [];
    b.wss.on('publish-skipped', (ws, info) => skips.push({ ws, ...info }));
    try {
      const reader = await b.join('reads', 'socketeer', ['alpha']);
      const stuck = await b.join('never reads', 'socketeer', ['alpha']);
      await Promise.all([a.wss.topicsSynced(), b.wss.topicsSynced()]);
      const fills = await fillToLevel(stuck, CAP - ROOM);

      // Frames of 101, 101 and 12 bytes (214 joined, over ROOM): the first
      // fits (99 bytes left), the second would pass the cap by 2 bytes of
      // header, the third fits.
      const run = [99, 99, 10].map((size, seq) => ({ seq, topic: 'alpha', binary: true, data: binaryOfBytes(seq, 'alpha', size) }));
      for (const m of run) a.wss.publish('alpha', m.data);
      await settle(() => reader.received.length >= run.length || reader.closeEvent !== null);
      assertMessages(reader.received, run, reader.name);

      assert.deepEqual(skips.map(({ ws, topic, bytes, skipped }) => ({ stuck: ws === stuck.server, topic, bytes, skipped })), [
        { stuck: true, topic: 'alpha', bytes: 99, skipped: 1 },
      ]);
      assert.equal(stuck.server.bufferedAmount, CAP - ROOM + 101 + 12);
      // Under the cap, its own messages still go out ('close' is its bufferFullPolicy for send()).
      stuck.server.send('still open');
      assert.equal(stuck.server.readyState, WebSocket.OPEN);
      stuck.ws.resume();
      await settle(() => stuck.received.at(-1)?.data.toString() === 'still open' || stuck.closeEvent !== null);
      assertMessages(stuck.received, [...fills, run[0], run[2], { binary: false, data: Buffer.from('still open') }], stuck.name);
      assert.deepEqual([...stuck.errors, ...reader.errors, ...a.errors, ...b.errors], []);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
