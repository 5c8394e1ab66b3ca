// The WHATWG dialect: addEventListener, on<event> attributes, MessageEvent and
// CloseEvent, then `closed` and async iteration.
import { CloseEvent, MessageEvent, WebSocket, WebSocketServer } from 'socketeer';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise<void>((resolve) => wss.once('listening', resolve));
wss.on('connection', (ws) => {
  ws.send('welcome');
  ws.send(new Uint8Array([1, 2, 3]));
  ws.close(4000, 'bye');
});

const { port } = wss.address() as { port: number };
const ws = new WebSocket(`ws://127.0.0.1:${port}`);
ws.binaryType = 'arraybuffer';

ws.onopen = () => console.log('client: open');
ws.addEventListener('message', (event: MessageEvent) => {
  const kind = typeof event.data === 'string' ? `text "${event.data}"` : `${(event.data as ArrayBuffer).byteLength} bytes`;
  console.log(`client: ${kind}`);
});
ws.onclose = (event: CloseEvent) => console.log(`client: close ${event.code} ${event.reason} clean=${event.wasClean}`);

const info = await ws.closed;
console.log(`closed resolved: ${info.code} ${info.reason}`);

// Async iteration: messages as they arrive; the loop ends when the connection closes.
const second = new WebSocket(`ws://127.0.0.1:${port}`);
const received: unknown[] = [];
for await (const message of second) received.push(message);
console.log(`iterated ${received.length} messages`);
await wss.close();
if (info.code !== 4000 || received.length !== 2) process.exitCode = 1;
