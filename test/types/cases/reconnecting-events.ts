// What listeners of a ReconnectingWebSocket receive, in both dialects, on Node
// and in the browser entry (its messages carry text as strings).
import {
  ReconnectingWebSocket,
  type LogicalClose,
  type RawData,
  type ReconnectingEvent,
  type ReconnectingWebSocketEventMap,
  type ReconnectingWebSocketEvents,
} from 'socketeer';
import { ReconnectingWebSocket as BrowserReconnecting } from 'socketeer/browser';
import { assertTrue, expectType, type Equal, type IsAny } from './expect.js';

declare const rws: ReconnectingWebSocket;

// ---- the ws dialect ----------------------------------------------------------
rws.on('open', () => undefined);
rws.on('message', (data, isBinary) => {
  expectType<RawData>()(data);
  expectType<boolean>()(isBinary);
});
rws.on('close', (code, reason) => {
  expectType<number>()(code);
  expectType<string>()(reason);
});
rws.on('error', (error) => expectType<Error>()(error));
rws.on('reconnecting', (event) => {
  expectType<ReconnectingEvent>()(event);
  expectType<number>()(event.attempt);
  expectType<number>()(event.delay);
  expectType<number | undefined>()(event.status);
});
rws.once('reconnected', ({ attempt }) => expectType<number>()(attempt));
rws.off('message', (data: Buffer | ArrayBuffer | Buffer[] | Blob) => void data);
rws.removeListener('close', () => undefined);
// A listener may declare a narrower type it knows it gets (default binaryType).
rws.on('message', (data: Buffer) => void data);
assertTrue<Equal<ReconnectingWebSocketEvents<RawData>['message'], [data: RawData, isBinary: boolean]>>();
// An unknown event still type-checks, with untyped listeners.
rws.on('custom', (...args) => assertTrue<IsAny<(typeof args)[0]>>());

// @ts-expect-error close reason is a string here, not a Buffer
rws.on('close', (code: number, reason: Buffer) => void [code, reason]);
// @ts-expect-error reconnecting gets an event object, not a number
rws.on('reconnecting', (attempt: number) => void attempt);
// @ts-expect-error message data is never a number
rws.on('message', (data: number) => void data);
// @ts-expect-error on() needs a listener
rws.on('message');

// ---- the WHATWG dialect ------------------------------------------------------
rws.addEventListener('message', (event) => {
  expectType<string | RawData>()(event.data);
  expectType<string>()(event.type);
});
rws.addEventListener('close', (event) => {
  expectType<number>()(event.code);
  expectType<string>()(event.reason);
  expectType<boolean>()(event.wasClean);
  const info: LogicalClose = event;
  void info;
});
rws.addEventListener('error', (event) => {
  expectType<unknown>()(event.error);
  expectType<string>()(event.message);
});
rws.addEventListener('reconnecting', (event) => expectType<number>()(event.delay));
rws.addEventListener('reconnected', { handleEvent: (event) => expectType<number>()(event.attempt) }, { once: true });
rws.removeEventListener('message', null);
rws.addEventListener('custom', (event: unknown) => void event);
assertTrue<Equal<ReconnectingWebSocketEventMap<RawData>['close']['code'], number>>();

// @ts-expect-error close events have no data
rws.addEventListener('close', (event) => void event.data);
// @ts-expect-error message events have no code
rws.addEventListener('message', (event) => void event.code);

// ---- the browser entry -------------------------------------------------------
declare const brws: BrowserReconnecting;
brws.on('message', (data, isBinary) => {
  expectType<string | ArrayBuffer | Blob>()(data);
  expectType<boolean>()(isBinary);
});
brws.addEventListener('message', (event) => expectType<string | ArrayBuffer | Blob>()(event.data));
// @ts-expect-error browser messages are never Buffer[]
brws.on('message', (data: Buffer[]) => void data);
