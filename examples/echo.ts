// An echo server and a client, in the ws dialect: run it with `node` after `tsc`.
import { WebSocket, WebSocketServer, type RawData } from 'socketeer';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise<void>((resolve) => wss.once('listening', resolve));

wss.on('connection', (ws, request) => {
  console.log(`server: connection from ${request.socket.remoteAddress}`);
  ws.on('message', (data: RawData, isBinary: boolean) => ws.send(data, { binary: isBinary }));
});

const { port } = wss.address() as { port: number };
const ws = new WebSocket(`ws://127.0.0.1:${port}`);

ws.on('open', () => ws.send('hello'));
ws.on('message', (data, isBinary) => {
  console.log(`client: echo ${isBinary ? 'binary' : 'text'} "${String(data)}"`);
  ws.close(1000, 'done');
});
ws.on('close', (code, reason) => console.log(`client: closed ${code} ${reason.toString()}`));

const { wasClean } = await ws.closed;
await wss.close();
if (!wasClean) process.exitCode = 1;
