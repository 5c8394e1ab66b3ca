// The server of `npm run bench:http2`: one http2 secure server (allowHTTP1)
// with a socketeer WebSocketServer echoing every message; the same port serves
// wss:// over HTTP/1.1 and over HTTP/2. Answers 'heap' with its heap after a GC.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { WebSocketServer } from '../../dist/esm/index.js';

const tls = (name) => readFileSync(new URL(`../../test/helpers/tls/${name}`, import.meta.url));
const server = http2.createSecureServer({ key: tls('localhost-key.pem'), cert: tls('localhost-cert.pem'), allowHTTP1: true, settings: { maxConcurrentStreams: 100000 } });
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'heap') {
    global.gc();
    global.gc();
    process.send({ type: 'heap', heapUsed: process.memoryUsage().heapUsed, clients: wss.clients.size });
  } else if (m.type === 'stop') process.exit(0);
});
