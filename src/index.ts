import { WebSocket } from './api/websocket.js';
import { WebSocketServer } from './api/websocket-server.js';
import { createWebSocketStream } from './api/create-websocket-stream.js';

// ws's entry is its WebSocket class with the rest hung on it; so is socketeer's
// default export (and `require('socketeer')`, see scripts/build.mjs).
Object.assign(WebSocket, { WebSocket, WebSocketServer, Server: WebSocketServer, createWebSocketStream });
export default WebSocket;
export { WebSocket, WebSocketServer, createWebSocketStream };
export type { WebSocketOptions, SendOptions } from './api/websocket.js';
export type { WebSocketServerOptions, VerifyClient, VerifyClientInfo } from './api/websocket-server.js';
export type { Http2UpgradeRequest } from './node/http2-server-upgrade.js';
export type { Http2UpgradeResponse } from './node/http2-client.js';
export { broadcast } from './api/broadcast.js';
export type { BroadcastOptions } from './api/broadcast.js';
export { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './api/events.js';
export type { CloseEventInit, ErrorEventInit, MessageEventInit } from './api/events.js';
export type {
  AddEventListenerOptions,
  MessageData,
  RawData,
  WebSocketEventListener,
  WebSocketEventMap,
  WebSocketEvents,
  WebSocketServerEvents,
} from './api/websocket-events.js';
export type { EventMap, Listener, TypedEmitter } from './api/typed-emitter.js';
export type { BufferFullPolicy } from './node/outgoing-limit.js';
export type { BinaryType } from './api/binary-type.js';
export type { HeartbeatOptions } from './api/options.js';
export type { PerMessageDeflateOptions, ZlibDeflateOptions, ZlibInflateOptions } from './core/extensions/permessage-deflate.js';
export { CloseCode, closeCodeName, isValidWireCloseCode, isValidApplicationCloseCode } from './core/close-codes.js';
export type { CloseInfo } from './core/connection.js';
export { WebSocketError, ErrorCode } from './core/errors.js';
export { DEFAULT_MAX_PAYLOAD, DEFAULT_CLOSE_TIMEOUT, DEFAULT_FAILURE_CLOSE_TIMEOUT, DEFAULT_MAX_UNPARSED_BYTES, DEFAULT_HIGH_WATER_MARK, DEFAULT_HANDSHAKE_TIMEOUT } from './api/options.js';
export { localPubSub } from './api/local-bus.js';
export type { PubSubBus, PubSubMessage, PubSubNode } from './api/pubsub-bus.js';
export { PubSubErrorCode } from './api/pubsub-errors.js';
export type { PublishOptions, SlowSubscriberPolicy } from './api/topics.js';
export { WebSocketStream } from './client/websocket-stream.js';
export type { WebSocketStreamOptions, WebSocketOpenInfo, WebSocketCloseInfo } from './client/websocket-stream.js';
export { ReconnectingWebSocket } from './client/reconnecting-websocket.js';
export type { ReconnectingWebSocketOptions } from './client/reconnecting-websocket.js';
export type { ReconnectOptions, ReconnectInfo, ReplayContext } from './client/reconnect-options.js';
export type {
  ReconnectingEvent,
  LogicalClose,
  ReconnectingWebSocketEvents,
  ReconnectingWebSocketEventMap,
  ReconnectingWebSocketEventBase,
} from './client/reconnect-loop.js';
