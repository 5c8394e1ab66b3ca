// Library-neutral WebSocket framing for the load generator and the raw echo
// server: pre-encoded frames, a streaming frame counter that skips payloads,
// and a streaming echoer that turns masked client frames into unmasked ones.
import { createHash } from 'node:crypto';
import { deflateRawSync, constants as zc } from 'node:zlib';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

export function acceptKey(key) {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One frame, masked with MASK when `masked` is true. */
export function encodeFrame(payload, { opcode = 2, masked = true, rsv1 = false, fin = true } = {}) {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = 2 + ext + (masked ? 4 : 0);
  const out = Buffer.allocUnsafe(head + len);
  out[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (ext === 0) out[1] = maskBit | len;
  else if (ext === 2) { out[1] = maskBit | 126; out.writeUInt16BE(len, 2); }
  else { out[1] = maskBit | 127; out.writeUInt32BE(Math.floor(len / 2 ** 32), 2); out.writeUInt32BE(len >>> 0, 6); }
  if (masked) {
    MASK.copy(out, 2 + ext);
    for (let i = 0; i < len; i++) out[head + i] = payload[i] ^ MASK[i & 3];
  } else {
    payload.copy(out, head);
  }
  return out;
}

/** RFC 7692 message compression with a fresh context (client_no_context_takeover). */
export function compressMessage(payload) {
  const z = deflateRawSync(payload, { finishFlush: zc.Z_SYNC_FLUSH });
  return z.subarray(0, z.length - 4);
}

/** Deterministic JSON-like text of exactly `size` bytes. */
export function jsonLike(size) {
  const items = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let text = '';
  for (let i = 0; text.length < size - 64; i++) {
    items.push({
      id: i, user: `user-${Math.floor(rnd() * 5000)}`, email: `u${i}@example.com`,
      active: rnd() > 0.5, score: Math.round(rnd() * 1e4) / 100,
      tags: ['alpha', 'beta', 'gamma', 'delta'].slice(0, 1 + Math.floor(rnd() * 4)),
    });
    text = JSON.stringify({ items, pad: '' });
  }
  items.pop();
  const base = JSON.stringify({ items, pad: '' });
  return Buffer.from(JSON.stringify({ items, pad: 'x'.repeat(Math.max(0, size - base.length)) }));
}

/** The Sec-WebSocket-Key every load process sends (RFC 6455's example). */
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeRequest(port, extensions) {
  return Buffer.from(
    'GET / HTTP/1.1\r\n' +
    `Host: 127.0.0.1:${port}\r\n` +
    'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n` +
    (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') +
    '\r\n',
  );
}

/**
 * Counts data messages in a stream of server frames without touching the
 * payload. onMessage(opcode, messageBytes) runs at the end of each message;
 * onClose() when a Close frame arrives.
 */
export class FrameCounter {
  constructor(onMessage, onClose = () => {}) {
    this.onMessage = onMessage;
    this.onClose = onClose;
    this.pending = null;
    this.remaining = 0;
    this.opcode = 0;
    this.msgOpcode = 0;
    this.fin = false;
    this.msgBytes = 0;
    this.bytes = 0;
  }

  push(chunk) {
    if (this.pending !== null) {
      chunk = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - i);
        this.remaining -= take;
        this.msgBytes += take;
        this.bytes += take;
        i += take;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      if (n - i < 2) { this.pending = chunk.subarray(i); return; }
      const b0 = chunk[i];
      const b1 = chunk[i + 1];
      let len = b1 & 0x7f;
      let head = 2 + ((b1 & 0x80) ? 4 : 0);
      if (len === 126) head += 2; else if (len === 127) head += 8;
      if (n - i < head) { this.pending = chunk.subarray(i); return; }
      if (len === 126) len = chunk.readUInt16BE(i + 2);
      else if (len === 127) len = chunk.readUInt32BE(i + 2) * 2 ** 32 + chunk.readUInt32BE(i + 6);
      i += head;
      this.opcode = b0 & 0x0f;
      this.fin = (b0 & 0x80) !== 0;
      if (this.opcode === 1 || this.opcode === 2) this.msgOpcode = this.opcode;
      this.remaining = len;
      if (len === 0) this.endFrame();
    }
  }

  endFrame() {
    const op = this.opcode;
    if (op === 8) { this.onClose(); return; }
    if (op >= 8) return;
    if (this.fin) {
      const bytes = this.msgBytes;
      this.msgBytes = 0;
      this.onMessage(this.msgOpcode, bytes);
    }
  }
}

function unmaskRange(buf, start, end, mask, phase) {
  for (let i = start; i < end; i++) buf[i] ^= mask[(phase + i - start) & 3];
}

function header(first, len) {
  if (len < 126) return Buffer.from([first, len]);
  if (len < 65536) { const h = Buffer.allocUnsafe(4); h[0] = first; h[1] = 126; h.writeUInt16BE(len, 2); return h; }
  const h = Buffer.allocUnsafe(10);
  h[0] = first; h[1] = 127;
  h.writeUInt32BE(Math.floor(len / 2 ** 32), 2); h.writeUInt32BE(len >>> 0, 6);
  return h;
}

/**
 * Echoes masked client frames back unmasked, streaming (a 16 MB frame is
 * forwarded chunk by chunk). Payloads of uncompressed binary messages are
 * echoed as received (still masked: the client cannot tell, and it keeps the
 * echo server cheap); text and compressed payloads are unmasked.
 */
export class FrameEchoer {
  constructor(socket) {
    this.socket = socket;
    this.pending = null;
    this.remaining = 0;
    this.mask = Buffer.alloc(4);
    this.phase = 0;
    this.unmask = false;
    this.opcode = 0;
    this.closing = false;
    this.control = null;
  }

  push(chunk) {
    if (this.pending !== null) { chunk = Buffer.concat([this.pending, chunk]); this.pending = null; }
    const out = [];
    let outBytes = 0;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - i);
        if (this.unmask) unmaskRange(chunk, i, i + take, this.mask, this.phase);
        this.phase = (this.phase + take) & 3;
        const piece = chunk.subarray(i, i + take);
        if (this.control) this.control.push(piece); else { out.push(piece); outBytes += take; }
        this.remaining -= take;
        i += take;
        if (this.remaining === 0 && this.control) this.endControl(out);
        continue;
      }
      if (n - i < 2) { this.pending = chunk.subarray(i); break; }
      const b0 = chunk[i];
      const b1 = chunk[i + 1];
      let len = b1 & 0x7f;
      let head = 6;
      if (len === 126) head += 2; else if (len === 127) head += 8;
      if (n - i < head) { this.pending = chunk.subarray(i); break; }
      if (len === 126) len = chunk.readUInt16BE(i + 2);
      else if (len === 127) len = chunk.readUInt32BE(i + 2) * 2 ** 32 + chunk.readUInt32BE(i + 6);
      chunk.copy(this.mask, 0, i + head - 4, i + head);
      i += head;
      const opcode = b0 & 0x0f;
      this.opcode = opcode;
      this.phase = 0;
      if (opcode >= 8) {
        this.unmask = true;
        this.control = [];
        this.controlHead = b0;
      } else {
        if (opcode !== 0) this.unmask = opcode === 1 || (b0 & 0x40) !== 0;
        const h = header(b0, len);
        out.push(h);
        outBytes += h.length;
      }
      this.remaining = len;
      if (len === 0 && this.control) this.endControl(out);
    }
    if (out.length === 0) return;
    if (outBytes <= 65536) this.socket.write(out.length === 1 ? out[0] : Buffer.concat(out, outBytes));
    else {
      this.socket.cork();
      for (const b of out) this.socket.write(b);
      this.socket.uncork();
    }
  }

  endControl(out) {
    const payload = Buffer.concat(this.control);
    this.control = null;
    if (this.opcode === 9) { out.push(header(0x8a, payload.length), payload); return; }
    if (this.opcode === 8 && !this.closing) {
      this.closing = true;
      out.push(header(0x88, payload.length), payload);
      const s = this.socket;
      setImmediate(() => s.end());
    }
  }
}
