// A client with headers, subprotocols, TLS options and 'unexpected-response'.
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';

const ws = new WebSocket('wss://websocket.example/path', ['chat', 'superchat'], {
  headers: { Authorization: 'Bearer token', 'User-Agent': 'my-app/1.0' },
  origin: 'https://websocket.example',
  handshakeTimeout: 10_000,
  perMessageDeflate: false,
  rejectUnauthorized: false,
  maxPayload: 10 * 1024 * 1024,
  followRedirects: true,
});

ws.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
  console.log(`refused: ${response.statusCode} ${response.statusMessage}`);
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (body += chunk));
  response.on('end', () => console.log(body));
  request.destroy();
});
ws.on('upgrade', (response) => console.log(response.headers['sec-websocket-protocol']));
ws.on('redirect', (url) => console.log('redirected to', url));

ws.on('open', function open() {
  ws.send(JSON.stringify({ hello: 'world' }));
  ws.send(Buffer.from([1, 2, 3]), { binary: true }, (err) => {
    if (err) console.error(err);
  });
  ws.ping();
});

ws.on('message', function message(data: WebSocket.RawData, isBinary: boolean) {
  if (isBinary) {
    if (Buffer.isBuffer(data)) console.log('bytes', data.length);
  } else {
    const text = data.toString();
    const parsed: unknown = JSON.parse(text);
    console.log(parsed);
  }
});

ws.on('close', function close(code, reason) {
  console.log('disconnected', code, reason.toString());
});
ws.on('error', (err) => console.error(err.message));
ws.on('pong', () => console.log('pong'));

ws.onmessage = (event) => console.log(event.data);
ws.addEventListener('close', (event) => console.log(event.code, event.reason, event.wasClean));
ws.terminate();
