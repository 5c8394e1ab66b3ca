// What listeners of a WebSocket receive, in both dialects.
import { ClientRequest, IncomingMessage } from 'node:http';
import { EventEmitter, once } from 'node:events';
import {
  CloseEvent,
  ErrorEvent,
  MessageEvent,
  WebSocket,
  WebSocketEvent,
  type MessageData,
  type RawData,
  type WebSocketEvents,
} from 'socketeer';
import { assertTrue, expectType, type Equal, type IsAny } from './expect.js';

declare const ws: WebSocket;

// ---- the ws dialect ----------------------------------------------------------
ws.on('open', function () {
  expectType<WebSocket>()(this);
});
ws.on('message', (data, isBinary) => {
  expectType<RawData>()(data);
  expectType<boolean>()(isBinary);
  assertTrue<Equal<RawData, Buffer | ArrayBuffer | Buffer[] | Blob>>();
});
ws.on('close', (code, reason) => {
  expectType<number>()(code);
  expectType<Buffer>()(reason);
});
ws.on('error', (error) => expectType<Error>()(error));
ws.on('ping', (data) => expectType<Buffer>()(data));
ws.on('pong', (data) => expectType<Buffer>()(data));
ws.on('drain', () => undefined);
ws.on('upgrade', (response) => expectType<IncomingMessage>()(response));
ws.on('unexpected-response', (request, response) => {
  expectType<ClientRequest>()(request);
  expectType<IncomingMessage>()(response);
});
ws.on('redirect', (url, request) => {
  expectType<string>()(url);
  expectType<ClientRequest>()(request);
});
// Every listener method is typed the same way, and chains.
ws.once('message', (data) => expectType<RawData>()(data))
  .off('close', (code) => expectType<number>()(code))
  .addListener('close', (_code, reason) => expectType<Buffer>()(reason))
  .removeListener('ping', (data) => expectType<Buffer>()(data))
  .prependListener('message', (_data, isBinary) => expectType<boolean>()(isBinary))
  .prependOnceListener('error', (error) => expectType<Error>()(error));
expectType<boolean>()(ws.emit('message', Buffer.from('x'), false));
// A narrower type the program knows it gets (binaryType 'nodebuffer') is accepted, as with @types/ws.
ws.on('message', (data: Buffer) => data.length);
// An event the map does not know is a plain EventEmitter call.
ws.on('custom-event', (a: number, b: string) => a + b.length);
ws.on(Symbol('s'), () => undefined);
declare const dynamicName: string;
ws.on(dynamicName, (...args) => args.length);

// @ts-expect-error a message is never a number
ws.on('message', (data: number) => data);
// @ts-expect-error isBinary is a boolean
ws.on('message', (_data: RawData, isBinary: string) => isBinary);
// @ts-expect-error close codes are numbers
ws.on('close', (code: string) => code);
// @ts-expect-error the close reason is a Buffer, not a string
ws.once('close', (_code: number, reason: string) => reason);
// @ts-expect-error 'open' has no arguments to read
ws.on('open', (event: Event) => event);
// @ts-expect-error emit checks the arguments too
ws.emit('close', 'not a code', Buffer.alloc(0));

// Each event's arguments, with none of them any.
assertTrue<Equal<WebSocketEvents['message'], [data: RawData, isBinary: boolean]>>();
assertTrue<Equal<WebSocketEvents['close'], [code: number, reason: Buffer]>>();
assertTrue<Equal<IsAny<WebSocketEvents[keyof WebSocketEvents][number]>, false>>();

// ---- the WHATWG dialect ------------------------------------------------------
ws.addEventListener('message', (event) => {
  expectType<MessageEvent>()(event);
  expectType<MessageData>()(event.data);
  assertTrue<Equal<MessageData, string | RawData>>();
});
ws.addEventListener('close', (event) => {
  expectType<CloseEvent>()(event);
  expectType<number>()(event.code);
  expectType<string>()(event.reason);
  expectType<boolean>()(event.wasClean);
});
ws.addEventListener('error', (event) => {
  expectType<ErrorEvent>()(event);
  expectType<string>()(event.message);
  expectType<unknown>()(event.error);
});
ws.addEventListener('open', (event) => expectType<WebSocketEvent>()(event), { once: true });
ws.addEventListener('message', { handleEvent: (event) => expectType<MessageData>()(event.data) });
ws.addEventListener('message', function (event) {
  expectType<WebSocket>()(this);
  return event;
});
const onMessage = (event: MessageEvent) => event.data;
ws.addEventListener('message', onMessage);
ws.removeEventListener('message', onMessage);

ws.onmessage = (event) => expectType<MessageData>()(event.data);
ws.onclose = (event) => expectType<boolean>()(event.wasClean);
ws.onerror = (event) => expectType<string>()(event.message);
ws.onopen = (event) => expectType<string>()(event.type);
ws.onmessage = null;
const handler: ((event: CloseEvent) => void) | null = ws.onclose;
void handler;

// @ts-expect-error a close listener gets a CloseEvent
ws.addEventListener('close', (event: MessageEvent) => event);
// @ts-expect-error MessageEvent has no 'code'
ws.onmessage = (event) => event.code;
// @ts-expect-error CloseEvent has no 'data'
ws.onclose = (event) => event.data;

// ---- still an EventEmitter ---------------------------------------------------
const emitter: EventEmitter = ws;
void emitter;
void once(ws, 'open');
class MySocket extends WebSocket {
  isAlive = true;
}
new MySocket(null).on('pong', function () {
  this.isAlive = true;
});
