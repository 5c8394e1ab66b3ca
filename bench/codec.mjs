// Parser and serializer alone, in-process, no sockets. One process per case.
// argv[2]: { lib, op: 'parse' | 'serialize', size, read, native, durationMs, warmupMs }
//   native (socketeer only): mask through socketeer/bufferutil, as ws does
//   through bufferutil; false measures socketeer's built-in masking.
//   parse:     server side, masked binary frames in ~64 KB chunks (what a
//              socket read delivers) -> messages. ws: its Receiver (ws/lib);
//              socketeer: its sans-I/O core Connection (frames -> messages,
//              with the same checks a Receiver makes). With `read`, each
//              frame arrives cut into reads of that many bytes instead (a
//              large message off a socket).
//   serialize: client side, one masked frame per call from a caller-owned
//              payload that must not be modified. ws: Sender.frame (ws/lib)
//              with readOnly; socketeer: the core's encodeFrame + randomMask.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeFrame as rawFrame } from './lib/frames.mjs';
import { useSocketeerNative } from './lib/adapters.mjs';

const require = createRequire(import.meta.url);
const cfg = JSON.parse(process.argv[2]);
const core = new URL('../dist/esm/core/', import.meta.url).href;

async function wsCodec() {
  // ws does not export its internals; load them by path from its own folder.
  const wsLib = dirname(require.resolve('ws')) + '/lib/';
  const Receiver = require(wsLib + 'receiver.js');
  const Sender = require(wsLib + 'sender.js');
  return {
    parser(onMessage) {
      const r = new Receiver({ isServer: true, binaryType: 'nodebuffer', maxPayload: 0, allowSynchronousEvents: true });
      r.on('message', onMessage);
      r.on('error', (e) => { throw e; });
      const done = () => {};
      return (chunk) => r._write(chunk, undefined, done);
    },
    serializer() {
      const options = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
      return (payload) => Sender.frame(payload, options);
    },
  };
}

async function socketeerCodec() {
  if (process.env.BENCH_SOCKETEER_STANDIN === 'ws') return wsCodec();
  const native = cfg.native !== false && process.env.BENCH_SOCKETEER_NATIVE !== '0';
  if ((await useSocketeerNative(native)) !== native) throw new Error('socketeer/bufferutil: the native binding did not load');
  const { Connection } = await import(core + 'connection.js');
  const { encodeFrame } = await import(core + 'frame-serializer.js');
  const { randomMask } = await import(core + 'mask-source.js');
  return {
    parser(onMessage) {
      const sink = {
        onMessage, onPing() {}, onPong() {}, onCloseFrame() {}, endTransport() {}, armCloseTimer() {}, write() {},
        onFailure(e) { throw e; },
      };
      const c = new Connection(sink, { role: 'server', maxPayload: 0x7fffffff });
      return (chunk) => c.receive(chunk);
    },
    serializer() {
      let out = null;
      const sink = { write(head, tail) { out = tail === null ? head : tail; } };
      return (payload) => { encodeFrame(sink, 2, true, false, payload, randomMask()); return out; };
    },
  };
}

const codec = cfg.lib === 'ws' ? await wsCodec() : await socketeerCodec();
const payload = Buffer.alloc(cfg.size, 0x5a);
let frames = 0;
let run;
if (cfg.op === 'parse' && cfg.read) {
  const frame = rawFrame(payload, { opcode: 2 });
  const reads = [];
  for (let at = 0; at < frame.length; at += cfg.read) reads.push(Buffer.from(frame.subarray(at, at + cfg.read)));
  let got = 0;
  const feed = codec.parser(() => { got++; });
  run = () => {
    for (const read of reads) feed(read);
    frames++;
  };
  run();
  if (got !== 1) throw new Error(`parser delivered ${got} of 1 messages`);
} else if (cfg.op === 'parse') {
  const frame = rawFrame(payload, { opcode: 2 });
  const perChunk = Math.max(1, Math.floor(65536 / frame.length));
  // Binary payloads: the parser unmasks in place, so the chunk alternates
  // between masked and unmasked bytes from one pass to the next, harmlessly.
  const chunk = Buffer.concat(Array(perChunk).fill(frame));
  let got = 0;
  const feed = codec.parser(() => { got++; });
  run = () => {
    feed(chunk);
    frames += perChunk;
  };
  run();
  if (got !== perChunk) throw new Error(`parser delivered ${got} of ${perChunk} messages`);
} else {
  const serialize = codec.serializer();
  let sink = 0;
  run = () => {
    for (let i = 0; i < 64; i++) sink ^= serialize(payload).length;
    frames += 64;
  };
  globalThis.__sink = () => sink;
}

function loopFor(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 16; i++) run();
}
loopFor(cfg.warmupMs);
frames = 0;
const t0 = performance.now();
loopFor(cfg.durationMs);
const secs = (performance.now() - t0) / 1000;
process.send({ type: 'result', result: { framesPerSec: frames / secs, bytesPerSec: (frames * cfg.size) / secs } }, () => process.exit(0));
