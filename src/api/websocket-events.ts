import type { ClientRequest, IncomingMessage } from 'node:http';
import type { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.js';
import type { WebSocket } from './websocket.js';

/**
 * The events of `WebSocket` and `WebSocketServer`, in both dialects, as types.
 * `typed-emitter.ts` turns the ws-dialect maps into `on`/`once`/`off`/...
 * overloads; event names not listed here type-check as on a plain EventEmitter.
 */

/**
 * A received binary message, shaped by `binaryType`: `Buffer` ('nodebuffer',
 * the default), `ArrayBuffer` ('arraybuffer'), `Buffer[]` ('fragments') or
 * `Blob` ('blob'). A text message arrives as a `Buffer` with `isBinary` false.
 * (ws's `RawData` is the same without `Blob`.)
 */
export type RawData = Buffer | ArrayBuffer | Buffer[] | Blob;

/** `MessageEvent.data`: text as a string, binary shaped by `binaryType`. */
export type MessageData = string | RawData;

/** The ws dialect of `WebSocket`: each event's listener arguments. */
export interface WebSocketEvents {
  /** The opening handshake completed (client sockets; server sockets are open when handed over). */
  open: [];
  /** A message: text as a `Buffer` with `isBinary` false, binary shaped by `binaryType`. */
  message: [data: RawData, isBinary: boolean];
  /** Once per connection, after the socket is gone: the code of the Close frame received (1005 without a body, 1006 if none came). */
  close: [code: number, reason: Buffer];
  /** A protocol failure (a `WebSocketError` with `code` and `closeCode`) or a failed handshake; emitted only when a listener exists. */
  error: [error: Error];
  /** A ping arrived (already answered with a pong). */
  ping: [data: Buffer];
  /** A pong arrived. */
  pong: [data: Buffer];
  /** The bytes waiting to be written fell back below `highWaterMark` after `send()` returned false. */
  drain: [];
  /** Client: the server accepted the handshake (over HTTP/2 the response is an `Http2UpgradeResponse`). */
  upgrade: [response: IncomingMessage];
  /** Client: the server answered without upgrading; with a listener, the response is yours to read. */
  'unexpected-response': [request: ClientRequest, response: IncomingMessage];
  /** Client: the handshake follows a redirect (`followRedirects`). */
  redirect: [url: string, request: ClientRequest];
}

/** The WHATWG dialect of `WebSocket`: the event object each `addEventListener` type and `on<type>` attribute gets. */
export interface WebSocketEventMap {
  open: WebSocketEvent;
  message: MessageEvent;
  close: CloseEvent;
  error: ErrorEvent;
}

/** A WHATWG listener: a function (called with the socket as `this`) or an object with `handleEvent`. */
export type WebSocketEventListener<E> = ((this: WebSocket, event: E) => void) | { handleEvent(event: E): void };

/** The options `addEventListener` accepts. */
export interface AddEventListenerOptions {
  /** Remove the listener after its first call. */
  once?: boolean;
}

/**
 * `WebSocketServer`'s events. Over HTTP/2 (RFC 8441) the request of
 * `'connection'` and `'headers'` is an `Http2UpgradeRequest`, an object with
 * the fields these listeners usually read (`url`, `headers`, `socket`...),
 * typed here as the `IncomingMessage` it stands in for, as in ws.
 */
export interface WebSocketServerEvents {
  /** A WebSocket was accepted (handshake done, the socket is OPEN). */
  connection: [socket: WebSocket, request: IncomingMessage];
  /** The answer's header lines, before it is written. */
  headers: [headers: string[], request: IncomingMessage];
  /** The server it created (`port`) or was given is listening. */
  listening: [];
  /** An error of the underlying HTTP server. */
  error: [error: Error];
  /** `close()` finished: every client is closed and the server it created too. */
  close: [];
  /** A pub/sub bus failed (an error with a `PubSubErrorCode` `code`); see docs/pubsub.md. */
  'pubsub-error': [error: Error & { code?: string }];
  /**
   * With `slowSubscriberPolicy: 'skip'`: a publish left out for a subscriber
   * whose buffer was full; `skipped` counts that socket's skips so far.
   */
  'publish-skipped': [socket: WebSocket, info: { topic: string; bytes: number; skipped: number }];
}
