// ws README: "Multiple servers sharing a single HTTP/S server" and "Client authentication".
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

function authenticate(request: IncomingMessage, next: (err: Error | null, client?: string) => void): void {
  next(request.headers.authorization ? null : new Error('no credentials'), 'user-1');
}

function onSocketError(err: Error): void {
  console.error(err);
}

const server = createServer();
const wss1 = new WebSocketServer({ noServer: true });
const wss2 = new WebSocketServer({ noServer: true });

wss1.on('connection', function connection(ws: WebSocket, request: IncomingMessage, client?: string) {
  ws.on('error', console.error);
  ws.on('message', function message(data) {
    console.log(`Received message ${data} from user ${client} at ${request.socket.remoteAddress}`);
  });
});

wss2.on('connection', function connection(ws) {
  ws.on('error', console.error);
  ws.send('something');
});

server.on('upgrade', function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
  socket.on('error', onSocketError);
  const { pathname } = new URL(request.url ?? '/', 'wss://base.url');
  authenticate(request, function next(err, client) {
    if (err || !client) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    socket.removeListener('error', onSocketError);
    if (pathname === '/foo') {
      wss1.handleUpgrade(request, socket, head, function done(ws) {
        wss1.emit('connection', ws, request, client);
      });
    } else if (pathname === '/bar') {
      wss2.handleUpgrade(request, socket, head, function done(ws) {
        wss2.emit('connection', ws, request);
      });
    } else {
      socket.destroy();
    }
  });
});

server.listen(0, () => server.close());
