// Raw WebSocket peers for the permessage-deflate wire tests (not a test file):
// a client and a server that speak frames byte by byte, so that tests can look
// at RSV1, frame sizes and order, and send what a library would refuse to.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import zlib from 'node:zlib';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const accept = (key) => createHash('sha1').update(key + GUID).digest('base64');
export const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/** Rejects when `promise` has not settled within `ms`: a hang becomes a failure. */
export function within(ms, promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** One frame as bytes; `mask` true for client-to-server frames. */
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, rsv1 = false, mask = true } = {}) {
  const data = Buffer.from(payload);
  const length = data.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + extra + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  head[1] = (mask ? 0x80 : 0) | (extra === 0 ? length : extra === 2 ? 126 : 127);
  if (extra === 2) head.writeUInt16BE(length, 2);
  if (extra === 8) head.writeBigUInt64BE(BigInt(length), 2);
  if (mask) {
    const key = randomBytes(4);
    key.copy(head, 2 + extra);
    for (let i = 0; i < length; i++) data[i] ^= key[i & 3];
  }
  return Buffer.concat([head, data]);
}

export const closeFrame = (code, options) => {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return frame(0x8, body, options);
};

/** Reads frames from a socket: `next()` resolves with { fin, rsv1, opcode, payload } (unmasked). */
export class FrameReader {
  constructor(socket, initial = Buffer.alloc(0)) {
    this.buffer = initial;
    this.waiters = [];
    this.ended = false;
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.pump();
    });
    socket.on('close', () => {
      this.ended = true;
      this.pump();
    });
  }

  parse() {
    const b = this.buffer;
    if (b.length < 2) return null;
    let length = b[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = (b[1] & 0x80) !== 0;
    const key = masked ? b.subarray(offset, offset + 4) : null;
    if (masked) offset += 4;
    if (b.length < offset + length) return null;
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (key) for (let i = 0; i < length; i++) payload[i] ^= key[i & 3];
    this.buffer = b.subarray(offset + length);
    return { fin: (b[0] & 0x80) !== 0, rsv1: (b[0] & 0x40) !== 0, opcode: b[0] & 0x0f, masked, payload };
  }

  pump() {
    while (this.waiters.length > 0) {
      const parsed = this.parse();
      if (parsed !== null) this.waiters.shift().resolve(parsed);
      else if (this.ended) this.waiters.shift().resolve(null);
      else return;
    }
  }

  /** The next frame, or null once the connection has closed. */
  next(ms = 10_000) {
    return within(
      ms,
      new Promise((resolve) => {
        this.waiters.push({ resolve });
        this.pump();
      }),
      'the next frame',
    );
  }

  /** Frames up to and including the first Close (or the end of the connection). */
  async untilClose() {
    const frames = [];
    for (;;) {
      const f = await this.next();
      if (f === null) return frames;
      frames.push(f);
      if (f.opcode === 0x8) return frames;
    }
  }
}

/** Splits an HTTP head off the front of the bytes read so far. */
function readHead(socket) {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const onData = (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const lines = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ start: lines[0], headers, rest: data.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** A raw client: completes the opening handshake with `extensions` offered. */
export async function rawClient(port, extensions) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') +
      '\r\n',
  );
  const head = await within(5000, readHead(socket), 'the 101 response');
  if (!head.start.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${head.start}`);
  const reader = new FrameReader(socket, head.rest);
  return { socket, reader, extensions: head.headers['sec-websocket-extensions'] };
}

/**
 * A raw server answering every handshake with Sec-WebSocket-Extensions
 * `answer(offer)` (omitted when it returns undefined). `connections` yields
 * { socket, reader, offer } per connection.
 */
export async function rawServer(answer) {
  const connections = [];
  const waiting = [];
  const server = net.createServer(async (socket) => {
    socket.on('error', () => {});
    const head = await readHead(socket);
    const offer = head.headers['sec-websocket-extensions'];
    const answered = answer(offer);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept(head.headers['sec-websocket-key'])}\r\n` +
        (answered === undefined ? '' : `Sec-WebSocket-Extensions: ${answered}\r\n`) +
        '\r\n',
    );
    const connection = { socket, reader: new FrameReader(socket, head.rest), offer };
    if (waiting.length > 0) waiting.shift()(connection);
    else connections.push(connection);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    next: () =>
      within(5000, connections.length > 0 ? Promise.resolve(connections.shift()) : new Promise((r) => waiting.push(r)), 'a connection'),
    close: () => {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A deflate stream as a permessage-deflate sender keeps it (context kept across messages). */
export function rawDeflater(windowBits = 15) {
  const deflater = zlib.createDeflateRaw({ windowBits });
  // The 00 00 ff ff tail is removed once, at the end of the message (RFC 7692 §7.2.1); fin false keeps it.
  const compress = (data, fin = true) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      const onData = (c) => chunks.push(c);
      deflater.on('data', onData);
      deflater.once('error', reject);
      deflater.write(data);
      deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        deflater.off('data', onData);
        const out = Buffer.concat(chunks);
        resolve(fin ? out.subarray(0, out.length - 4) : out);
      });
    });
  return { compress, close: () => deflater.close() };
}

/** Inflates the payloads of one direction of a connection, keeping the context between messages. */
export function rawInflater(windowBits = 15) {
  const inflater = zlib.createInflateRaw({ windowBits });
  const decompress = (payload) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      const onData = (c) => chunks.push(c);
      inflater.on('data', onData);
      inflater.once('error', reject);
      inflater.write(Buffer.concat([payload, TAIL]));
      inflater.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        inflater.off('data', onData);
        resolve(Buffer.concat(chunks));
      });
    });
  return { decompress, close: () => inflater.close() };
}
