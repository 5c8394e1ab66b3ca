// Shared helpers for the hardening tests: a server on an ephemeral loopback
// port, a raw client that upgrades by hand and then speaks raw frames, and
// bounded waits. Nothing here sleeps a fixed time.
import net from 'node:net';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { WebSocketServer } from '../../dist/esm/index.js';
import { frame, OP, readHead } from '../helpers/raw-peer.mjs';
import { withTimeout } from '../helpers/once.mjs';

export { frame, OP, withTimeout };

/** A WebSocketServer on 127.0.0.1:0; resolves once it listens. */
export async function startServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(wss, 'listening');
  return { wss, port: wss.address().port };
}

/** The bytes of a valid upgrade request, with extra header lines if given. */
export function upgradeRequest(extraLines = [], path = '/') {
  return (
    [
      `GET ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      ...extraLines,
    ].join('\r\n') + '\r\n\r\n'
  );
}

const rawSockets = new Set();

export function connectRaw(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    socket.once('error', reject);
  });
}

/** Destroy every raw socket still open, terminate clients, close the server (bounded). */
export async function cleanup(wss) {
  for (const s of rawSockets) s.destroy();
  for (const ws of wss?.clients ?? []) ws.terminate();
  if (wss) await withTimeout(wss.close(), 5000, 'for the server to close');
}

/**
 * Collect everything the server sends until it closes the socket.
 * Resolves with { text, bytes, ms } (ms from the call to the close).
 */
export function collectUntilClose(socket, ms = 5000) {
  const t0 = performance.now();
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  return withTimeout(
    new Promise((resolve) =>
      socket.once('close', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ bytes, text: bytes.toString('latin1'), ms: performance.now() - t0 });
      }),
    ),
    ms,
    'for the server to close the socket',
  );
}

/** The status code of an HTTP answer, or undefined. */
export function statusOf(text) {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Upgrade a raw socket by hand. Resolves with { socket, leftover } after the
 * 101 head; the socket is paused so no byte is lost before the caller listens.
 */
export async function rawUpgrade(port, extraLines = []) {
  const socket = await connectRaw(port);
  socket.write(upgradeRequest(extraLines));
  const [head, leftover] = await readHead(socket, 5000, 'for the 101 answer');
  if (statusOf(head) !== 101) throw new Error(`expected 101, got: ${head.split('\r\n')[0]}`);
  return { socket, head, leftover };
}

/** Parse server frames (unmasked) from a byte stream; returns frames and rest. */
export function parseFrames(buf) {
  const frames = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const b0 = buf[off];
    let len = buf[off + 1] & 0x7f;
    let hl = 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      hl = 4;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      hl = 10;
    }
    if (buf.length - off < hl + len) break;
    const payload = buf.subarray(off + hl, off + hl + len);
    const f = { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload };
    if (f.opcode === OP.close && len >= 2) f.code = payload.readUInt16BE(0);
    frames.push(f);
    off += hl + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** Wait for the server-side WebSocket of the next connection. */
export function nextConnection(wss, ms = 5000) {
  return withTimeout(once(wss, 'connection').then(([ws]) => ws), ms, "for the server's 'connection'");
}

/** Run `gc` if exposed, else expose it through V8 flags for this process. */
export async function collectGarbage() {
  if (typeof globalThis.gc !== 'function') {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    globalThis.gc = vm.runInNewContext('gc');
  }
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * A raw (hostile) server on 127.0.0.1:0 that answers the first request with a
 * 101, `fields` as extra header lines before the accept, then runs `script(socket)`.
 */
export async function hostileServer(script = () => {}, fields = []) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', (d) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(d.toString('latin1'))[1];
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      socket.write(
        ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', ...fields, `Sec-WebSocket-Accept: ${accept}`].join('\r\n') +
          '\r\n\r\n',
      );
      script(socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}
