// Echo servers and echo clients under test for the conformance suite (not a
// test file). Also runnable: `node test/conformance/peers.mjs server socketeer|ws [port]`
// prints the URL of an echo server; `... client socketeer|ws <base-url>` runs the
// client protocol (/getCaseCount, /runCase, /updateReports) against a suite.
import { once } from 'node:events';
import { createServer } from 'node:net';
import * as socketeer from '../../dist/esm/index.js';
import * as wsPkg from 'ws';

export const HOST = '127.0.0.1';

export const IMPLS = {
  socketeer: { WebSocket: socketeer.WebSocket, WebSocketServer: socketeer.WebSocketServer },
  ws: { WebSocket: wsPkg.WebSocket, WebSocketServer: wsPkg.WebSocketServer },
};

/** An echo server of `impl` on 127.0.0.1 (port 0 unless given); `options` go to the constructor. */
export async function startEchoServer(impl, options = {}, port = 0) {
  const { WebSocketServer } = IMPLS[impl];
  const wss = new WebSocketServer({ port, host: HOST, maxPayload: 64 * 1024 * 1024, perMessageDeflate: true, ...options });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await once(wss, 'listening');
  return {
    url: `ws://${HOST}:${wss.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** One connection of `impl`'s client; resolves when it has closed. */
function connectOnce(impl, url, onOpen, options) {
  const { WebSocket } = IMPLS[impl];
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024, ...options });
    const messages = [];
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => onOpen(ws, data, isBinary, messages));
    ws.on('close', (code) => resolve({ code, messages }));
  });
}

/**
 * Runs the reference suite's client protocol with `impl`'s client: asks the
 * case count, runs every case (echoing each message), then asks for the report.
 */
export async function runEchoClient(impl, baseUrl, agent = impl, options = {}, { echo = true } = {}) {
  const count = await connectOnce(impl, `${baseUrl}/getCaseCount`, (ws, data, isBinary, messages) => messages.push(String(data)), options);
  const n = Number(count.messages[0]);
  if (!Number.isInteger(n)) throw new Error(`getCaseCount answered ${JSON.stringify(count.messages)}`);
  for (let i = 1; i <= n; i++) {
    await connectOnce(impl, `${baseUrl}/runCase?case=${i}&agent=${encodeURIComponent(agent)}`, (ws, data, isBinary) => {
      if (echo) ws.send(data, { binary: isBinary });
    }, options);
  }
  await connectOnce(impl, `${baseUrl}/updateReports?agent=${encodeURIComponent(agent)}`, () => {}, options);
  return n;
}

/**
 * A deliberately broken raw "echo server" for checking that the judge is not
 * trivially passing: it accepts the handshake, then either never echoes
 * ('silent') or answers every frame with a Close of the wrong code ('wrong-code').
 */
export async function startBrokenServer(mode) {
  const { acceptKey } = await import('../../dist/esm/conformance/handshake.js');
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? '';
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
        upgraded = true;
        chunk = head.subarray(end + 4);
        if (!chunk.length) return;
      }
      if (mode === 'wrong-code') {
        // Close 1001 with no regard for what came in, then end TCP.
        socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe9]));
      }
      // 'silent': swallow everything, never close.
    });
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    url: `ws://${HOST}:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, impl, arg] = process.argv.slice(2);
  if (mode === 'server') {
    const s = await startEchoServer(impl, {}, Number(arg ?? 0));
    console.log(s.url);
  } else if (mode === 'client') {
    const n = await runEchoClient(impl, arg);
    console.log(`${impl}: ran ${n} cases against ${arg}`);
  } else {
    console.error('usage: node test/conformance/peers.mjs server socketeer|ws [port] | client socketeer|ws <base-url>');
    process.exit(2);
  }
}
