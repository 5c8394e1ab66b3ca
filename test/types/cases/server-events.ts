// What listeners of a WebSocketServer receive, and the server's callbacks.
import { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData, type WebSocketServerEvents } from 'socketeer';
import { assertTrue, expectType, type Equal } from './expect.js';

const wss = new WebSocketServer({ noServer: true });

wss.on('connection', (ws, request) => {
  expectType<WebSocket>()(ws);
  expectType<IncomingMessage>()(request);
  ws.on('message', (data, isBinary) => {
    expectType<RawData>()(data);
    ws.send(data, { binary: isBinary });
  });
});
wss.on('headers', (headers, request) => {
  expectType<string[]>()(headers);
  expectType<IncomingMessage>()(request);
  headers.push('Set-Cookie: a=b');
});
wss.on('listening', function () {
  expectType<WebSocketServer>()(this);
});
wss.on('error', (error) => expectType<Error>()(error));
wss.on('close', () => undefined);
wss.on('pubsub-error', (error) => expectType<string | undefined>()(error.code));
wss.once('connection', (ws) => ws.close()).off('close', () => undefined);
wss.on('some-other-event', (x: unknown) => x);

declare const request: IncomingMessage;
declare const socket: Duplex;
wss.handleUpgrade(request, socket, Buffer.alloc(0), (ws, req) => {
  expectType<WebSocket>()(ws);
  expectType<IncomingMessage>()(req);
  wss.emit('connection', ws, req);
});

// @ts-expect-error 'connection' gets (ws, request), not a string
wss.on('connection', (ws: string) => ws);
// @ts-expect-error the request is an IncomingMessage
wss.on('connection', (_ws: WebSocket, request: number) => request);
// @ts-expect-error headers are lines of text
wss.on('headers', (headers: number[]) => headers);
// @ts-expect-error emit('connection') needs a WebSocket
wss.emit('connection', {}, request);
// @ts-expect-error exactly one of port, server or noServer is an object of options
new WebSocketServer('8080');

assertTrue<Equal<WebSocketServerEvents['connection'], [socket: WebSocket, request: IncomingMessage]>>();
