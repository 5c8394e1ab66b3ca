// A hand-driven WebSocket peer over node:net: it does the opening handshake,
// then parses every frame it receives and sends exactly the bytes a test asks
// for, including frames no well-behaved library would send. It records the
// wire (frames, FIN, close) with timestamps so tests can check ordering.
import { EventEmitter } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { withTimeout } from './once.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

/** Build one frame. `mask` true uses a fixed non-zero key unless a key is given. */
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, rsv = 0, mask = false } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = body.length;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const maskBit = mask ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = Buffer.isBuffer(mask) ? mask : Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) masked[i] = body[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A Close payload: no code gives an empty body; a Buffer is used as is. */
export function closeBody(code, reason = '') {
  if (code === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(code)) return code;
  const r = Buffer.isBuffer(reason) ? reason : Buffer.from(reason);
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

export class RawPeer extends EventEmitter {
  /** `role` is this raw peer's role: a 'client' masks what it sends. */
  constructor(socket, role, leftover) {
    super();
    this.socket = socket;
    this.role = role;
    this.frames = [];
    this.log = [];
    this.t0 = performance.now();
    this.gotEnd = false;
    this.gotEndAt = null;
    this.endedByUs = false;
    this.endedByUsAt = null;
    this.isClosed = false;
    this.closedAt = null;
    this.closeError = null;
    this.buffer = Buffer.alloc(0);
    this.waiters = [];
    this.consumed = 0;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => {
      this.gotEnd = true;
      this.gotEndAt = performance.now();
      this.log.push('peer-fin');
      this.emit('peer-end');
    });
    socket.on('error', (error) => {
      this.closeError = error;
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.closedAt = performance.now();
      this.log.push('closed');
      this.emit('closed');
      for (const w of this.waiters.splice(0)) w.reject(new Error('socket closed while waiting for a frame'));
    });
    if (leftover && leftover.length > 0) this.onData(leftover);
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseFrame(this.buffer);
      if (parsed === null) return;
      this.buffer = this.buffer.subarray(parsed.size);
      const f = parsed.frame;
      f.at = performance.now();
      this.frames.push(f);
      this.log.push(f.opcode === OP.close ? 'close-frame' : `frame:${f.opcode}`);
      this.emit('frame', f);
      const waiter = this.waiters.shift();
      if (waiter) {
        this.consumed++;
        waiter.resolve(f);
      }
    }
  }

  /** The next frame not yet returned by nextFrame(). */
  nextFrame(ms = 3000) {
    if (this.consumed < this.frames.length) return Promise.resolve(this.frames[this.consumed++]);
    if (this.isClosed) return Promise.reject(new Error('socket closed while waiting for a frame'));
    return withTimeout(new Promise((resolve, reject) => this.waiters.push({ resolve, reject })), ms, 'for a frame from the peer');
  }

  /** Frames until (and including) the first Close frame. */
  async untilClose(ms = 3000) {
    const seen = [];
    for (;;) {
      const f = await this.nextFrame(ms);
      seen.push(f);
      if (f.opcode === OP.close) return seen;
    }
  }

  get closeFrames() {
    return this.frames.filter((f) => f.opcode === OP.close);
  }

  send(opcode, payload, options = {}) {
    this.write(frame(opcode, payload, { mask: this.role === 'client', ...options }));
  }

  sendClose(code, reason) {
    this.send(OP.close, closeBody(code, reason));
  }

  write(bytes) {
    this.socket.write(bytes);
  }

  /** Send FIN (half-close): we keep reading. */
  end() {
    if (this.endedByUs) return;
    this.endedByUs = true;
    this.endedByUsAt = performance.now();
    this.log.push('our-fin');
    this.socket.end();
  }

  /** Drop the connection with an RST. */
  reset() {
    this.log.push('our-rst');
    this.socket.resetAndDestroy();
  }

  destroy() {
    this.socket.destroy();
  }

  waitPeerEnd(ms = 3000) {
    if (this.gotEnd) return Promise.resolve();
    return withTimeout(new Promise((resolve) => this.once('peer-end', resolve)), ms, 'for the peer to end TCP');
  }

  waitClosed(ms = 3000) {
    if (this.isClosed) return Promise.resolve();
    return withTimeout(new Promise((resolve) => this.once('closed', resolve)), ms, 'for the raw socket to close');
  }
}

function parseFrame(buf) {
  if (buf.length < 2) return null;
  const b0 = buf[0];
  const b1 = buf[1];
  let len = b1 & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  let key = null;
  if (masked) {
    if (buf.length < offset + 4) return null;
    key = buf.subarray(offset, offset + 4);
    offset += 4;
  }
  if (buf.length < offset + len) return null;
  const raw = Buffer.from(buf.subarray(0, offset + len));
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (key) for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
  const f = { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload, raw };
  if (f.opcode === OP.close) {
    f.code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
    f.reason = payload.length > 2 ? payload.subarray(2).toString() : '';
  }
  return { frame: f, size: offset + len };
}

/** Read from `socket` until the HTTP head ends; resolves with [head, leftover]. */
export function readHead(socket, ms, what = 'for an HTTP head') {
  return withTimeout(
    new Promise((resolve, reject) => {
      let acc = Buffer.alloc(0);
      const onData = (chunk) => {
        acc = Buffer.concat([acc, chunk]);
        const end = acc.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.removeListener('data', onData);
        socket.removeListener('close', onClose);
        socket.pause();
        resolve([acc.subarray(0, end).toString('latin1'), acc.subarray(end + 4)]);
      };
      const onClose = () => reject(new Error('socket closed during the opening handshake'));
      socket.on('data', onData);
      socket.once('close', onClose);
    }),
    ms,
    what,
  );
}

function header(head, name) {
  const m = head.match(new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, 'im'));
  return m ? m[1] : undefined;
}

const acceptFor = (key) => createHash('sha1').update(key + GUID).digest('base64');

/**
 * A raw WebSocket server. `accept()` resolves with the RawPeer of the next
 * upgraded connection; with `{ answerHandshake: false }` it never answers the
 * handshake (for close() while CONNECTING) and `accept()` gives the net socket.
 */
export async function startRawServer({ answerHandshake = true } = {}) {
  const pending = [];
  const ready = [];
  const sockets = new Set();
  const server = net.createServer({ allowHalfOpen: true }, async (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let result = socket;
    if (answerHandshake) {
      let head, leftover;
      try {
        [head, leftover] = await readHead(socket, 3000);
      } catch {
        socket.destroy();
        return;
      }
      const key = header(head, 'Sec-WebSocket-Key');
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      );
      result = new RawPeer(socket, 'server', leftover);
      socket.resume();
    }
    const waiter = pending.shift();
    if (waiter) waiter(result);
    else ready.push(result);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    accept(ms = 3000) {
      if (ready.length > 0) return Promise.resolve(ready.shift());
      return withTimeout(new Promise((resolve) => pending.push(resolve)), ms, 'for a raw connection');
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A raw WebSocket client connected to ws://127.0.0.1:port/path (no extensions offered). */
export async function connectRaw(port, path = '/') {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => {});
  await withTimeout(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  }), 3000, 'for a TCP connection');
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const [head, leftover] = await readHead(socket, 3000);
  if (!/^HTTP\/1\.1 101 /.test(head) || header(head, 'Sec-WebSocket-Accept') !== acceptFor(key)) {
    socket.destroy();
    throw new Error(`Handshake refused: ${head.split('\r\n')[0]}`);
  }
  const peer = new RawPeer(socket, 'client', leftover);
  socket.resume();
  return peer;
}
