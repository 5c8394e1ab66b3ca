// Topics: sockets subscribe, the server publishes (see docs/pubsub.md).
import { WebSocket, WebSocketServer } from 'socketeer';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise<void>((resolve) => wss.once('listening', resolve));
wss.on('connection', (ws, request) => {
  const room = new URL(request.url ?? '/', 'ws://x').searchParams.get('room') ?? 'lobby';
  ws.subscribe(room);
  ws.send(`joined ${room}`);
});
wss.on('pubsub-error', (error) => console.error(error.code, error.message));

const { port } = wss.address() as { port: number };
const client = new WebSocket(`ws://127.0.0.1:${port}/?room=news`);
const messages: string[] = [];
client.on('message', (data) => {
  messages.push(String(data));
  if (messages.length === 1) wss.publish('news', 'extra! extra!');
  else client.close();
});
await client.closed;
console.log(messages.join(' | '));
console.log(`subscribers left: ${wss.subscriberCount('news')}`);
await wss.close();
if (messages[1] !== 'extra! extra!') process.exitCode = 1;
