// A light subscriber for `npm run bench:pubsub`'s fan-out, the same code for
// all three systems, so that the client process is not what limits the
// measurement. It makes a real opening handshake (HTTP/1.1 Upgrade, checks
// 101 and Sec-WebSocket-Accept) and, for Socket.IO, the real Engine.IO 4 /
// Socket.IO 5 session (waits for Engine.IO's open packet `0{...}`, sends the
// CONNECT packet `40`, waits for the server's `40{...}`; answers every
// Engine.IO ping `2` with a pong `3`, and every WebSocket ping with a pong).
// Then it parses every WebSocket frame from the socket's bytes and counts a
// delivery for each complete text message that is a publish of the bench:
//   socketeer, ws relay:  `<seq>|<64 x>`
//   Socket.IO:            `42["m","<seq>|<64 x>"]` (EVENT 'm', one string)
// Anything else (a fragmented message, a masked or binary frame, a payload of
// another shape, a Close) is a failure reported to the caller, never skipped:
// each counted delivery is one whole publish as its system framed it. The
// sequence numbers of one connection must increase (no duplicates, in order).
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { encodeFrame } from '../lib/frames.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
// Every subscriber reads into this one buffer (net's `onread`: no allocation and no stream
// machinery per read); each read is parsed at once, and a partial frame is copied out.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const PAD_LENGTH = 64;
const IO_EVENT = Buffer.from('42["m","');
const IO_END = Buffer.from('"]');

/**
 * Opens one subscriber. `onDelivery(seq)` is called for every publish that
 * arrives; `onFailure(error)` once if the connection breaks the rules above
 * or closes before `close()`. Resolves once the subscriber is live (for
 * Socket.IO: after the server's CONNECT answer).
 */
export function rawSubscribe({ port, system, onDelivery, onFailure }) {
  const io = system === 'socketio';
  const path = io ? '/socket.io/?EIO=4&transport=websocket&role=sub' : '/sub';
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  let onBytes = null;
  const socket = net.connect({ port, host: '127.0.0.1', onread: { buffer: READ_BUFFER, callback: (n, buffer) => void onBytes(buffer.subarray(0, n)) } });
  socket.setNoDelay(true);
  let closing = false;
  let failed = false;
  let head = Buffer.alloc(0);
  let upgraded = false;
  let rest = null;
  let lastSeq = -1;
  let ioState = io ? 'open' : 'live'; // Socket.IO: 'open' -> 'connect' -> 'live'

  return new Promise((resolve, reject) => {
    const fail = (message) => {
      if (failed || closing) return;
      failed = true;
      const error = new Error(`${system} subscriber on :${port}: ${message}`);
      socket.destroy();
      if (ioState === 'live') onFailure(error);
      else reject(error);
    };
    socket.on('error', (error) => fail(error.message));
    socket.on('close', () => fail('the connection closed'));
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });

    const text = (start, end, chunk) => {
      if (ioState === 'live') {
        if (io) {
          // An Engine.IO ping between publishes: answer it.
          if (end - start === 1 && chunk[start] === 0x32) return socket.write(encodeFrame(Buffer.from('3'), { opcode: 0x1 }));
          if (end - start < IO_EVENT.length + IO_END.length + 2 || chunk.compare(IO_EVENT, 0, IO_EVENT.length, start, start + IO_EVENT.length) !== 0 || chunk.compare(IO_END, 0, 2, end - 2, end) !== 0) {
            return fail(`not a publish: ${chunk.toString('latin1', start, Math.min(end, start + 40))}`);
          }
          start += IO_EVENT.length;
          end -= IO_END.length;
        }
        let seq = 0;
        let i = start;
        for (; i < end; i++) {
          const c = chunk[i];
          if (c === 0x7c) break;
          if (c < 0x30 || c > 0x39) return fail('not a publish: a sequence number was expected');
          seq = seq * 10 + (c - 0x30);
        }
        if (i === start || end - i - 1 !== PAD_LENGTH) return fail('not a publish: wrong length');
        if (seq <= lastSeq) return fail(`publish ${seq} arrived after ${lastSeq}`);
        lastSeq = seq;
        onDelivery(seq);
        return;
      }
      // The Socket.IO session's opening.
      const body = chunk.toString('utf8', start, end);
      if (ioState === 'open') {
        if (body[0] !== '0' || !body.includes('"sid"')) return fail(`expected Engine.IO's open packet, got ${body}`);
        ioState = 'connect';
        socket.write(encodeFrame(Buffer.from('40'), { opcode: 0x1 }));
      } else if (body.startsWith('40{')) {
        ioState = 'live';
        resolve(close);
      } else if (body !== '2') return fail(`expected Socket.IO's CONNECT answer, got ${body}`);
      else socket.write(encodeFrame(Buffer.from('3'), { opcode: 0x1 }));
    };

    const frames = (chunk) => {
      if (rest !== null) {
        chunk = Buffer.concat([rest, chunk]);
        rest = null;
      }
      let at = 0;
      const length = chunk.length;
      while (length - at >= 2) {
        const b0 = chunk[at];
        const b1 = chunk[at + 1];
        if (b1 & 0x80) return fail('a masked frame from the server');
        let size = b1 & 0x7f;
        let header = 2;
        if (size === 126) {
          if (length - at < 4) break;
          size = chunk.readUInt16BE(at + 2);
          header = 4;
        } else if (size === 127) {
          if (length - at < 10) break;
          size = Number(chunk.readBigUInt64BE(at + 2));
          header = 10;
        }
        const end = at + header + size;
        if (end > length) break;
        const start = at + header;
        at = end;
        if (b0 === 0x81) text(start, end, chunk);
        else if (b0 === 0x89) socket.write(encodeFrame(chunk.subarray(start, end), { opcode: 0xa }));
        else if (b0 !== 0x8a) return fail(`an unexpected frame (first byte 0x${b0.toString(16)})`);
        if (failed) return;
      }
      if (at < length) rest = Buffer.from(chunk.subarray(at)); // chunk may be READ_BUFFER, reused by the next read
    };

    const close = () => {
      closing = true;
      socket.destroy();
    };

    onBytes = (chunk) => {
      if (upgraded) return frames(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      const response = head.toString('latin1', 0, end);
      if (!/^HTTP\/1\.1 101 /.test(response)) return fail(`no upgrade: ${response.split('\r\n')[0]}`);
      const got = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(response)?.[1];
      if (got !== accept) return fail('wrong Sec-WebSocket-Accept');
      upgraded = true;
      const after = head.subarray(end + 4);
      head = null;
      if (!io) resolve(close);
      if (after.length > 0) frames(after);
    };
  });
}
