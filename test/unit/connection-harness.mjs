// A fake sink for driving the sans-I/O Connection on plain bytes.
import { Connection } from '../../dist/esm/core/connection.js';
import { FrameParser } from '../../dist/esm/core/frame-parser.js';

export function makeConnection(role, options = {}) {
  const log = [];
  const messages = [];
  const written = [];
  const sink = {
    write(head, tail, cb) {
      written.push(tail ? Buffer.concat([head, tail]) : Buffer.from(head));
      log.push('write');
      cb?.();
    },
    onMessage(data, isBinary) {
      messages.push({ data: Buffer.from(data), isBinary });
      log.push('message');
    },
    onPing(data) {
      log.push(`ping:${data.toString()}`);
    },
    onPong(data) {
      log.push(`pong:${data.toString()}`);
    },
    onCloseFrame(code, reason) {
      log.push(`close-frame:${code}:${reason}`);
    },
    onFailure(error) {
      log.push(`failure:${error.closeCode}:${error.code}`);
    },
    endTransport() {
      log.push('end');
    },
    armCloseTimer() {
      log.push('timer');
    },
    inputDrained() {
      log.push('drained');
    },
    holdInput(hold) {
      log.push(hold ? 'hold' : 'release');
    },
    discardWrites(callbacks) {
      log.push(`discarded:${callbacks.length}`);
      for (const cb of callbacks) cb(new Error('discarded'));
    },
  };
  const connection = new Connection(sink, { role, maxPayload: 1024 * 1024, ...options });
  return { connection, log, messages, written, frames: () => decodeFrames(written) };
}

/** Decodes what the connection wrote into frames (unmasking client frames). */
export function decodeFrames(buffers) {
  const out = [];
  let current;
  const parser = new FrameParser({
    onFrameHeader(fin, rsv, opcode, masked, length) {
      current = { fin, rsv, opcode, masked, length, chunks: [] };
    },
    onFramePayload(d) {
      current.chunks.push(Buffer.from(d));
    },
    onFrameEnd() {
      current.payload = Buffer.concat(current.chunks);
      delete current.chunks;
      out.push(current);
    },
    onInvalidLength() {
      throw new Error('invalid length in our own output');
    },
  });
  for (const b of buffers) parser.push(Buffer.from(b));
  return out;
}
