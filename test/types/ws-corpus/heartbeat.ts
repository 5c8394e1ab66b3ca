// ws README: "How to detect and close broken connections?" (isAlive and a ping interval).
import WebSocket, { WebSocketServer } from 'ws';

interface AliveWebSocket extends WebSocket {
  isAlive: boolean;
}

function heartbeat(this: WebSocket) {
  (this as AliveWebSocket).isAlive = true;
}

const wss = new WebSocketServer({ port: 0 });

wss.on('connection', function connection(socket) {
  const ws = socket as AliveWebSocket;
  ws.isAlive = true;
  ws.on('error', console.error);
  ws.on('pong', heartbeat);
});

const interval = setInterval(function ping() {
  wss.clients.forEach(function each(socket) {
    const ws = socket as AliveWebSocket;
    if (ws.isAlive === false) return ws.terminate();
    ws.isAlive = false;
    ws.ping();
  });
}, 30000);

wss.on('close', function close() {
  clearInterval(interval);
});
wss.close();

// The client side of the same pattern.
function clientHeartbeat(this: WebSocket & { pingTimeout?: NodeJS.Timeout }) {
  clearTimeout(this.pingTimeout);
  this.pingTimeout = setTimeout(() => this.terminate(), 30000 + 1000);
}
const client = new WebSocket('wss://websocket.example/');
client.on('error', console.error);
client.on('open', clientHeartbeat);
client.on('ping', clientHeartbeat);
client.on('close', function clear(this: WebSocket & { pingTimeout?: NodeJS.Timeout }) {
  clearTimeout(this.pingTimeout);
});
