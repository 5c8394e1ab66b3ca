/**
 * socketeer/browser: the same client shapes as on Node over the browser's own
 * WebSocket, with no Node built-ins. WebSocket (with `closed` and async
 * iteration), ReconnectingWebSocket, and WebSocketStream (the browser's own
 * where it has one, socketeer's otherwise).
 */
import { ReconnectLoop, type LoopOptions } from '../client/reconnect-loop.js';
import { WebSocketStreamCore, type StreamCoreOptions } from '../client/stream-core.js';
import { nativeDial } from './native-link.js';

export { WebSocket } from './websocket.js';
export type { BrowserCloseInfo } from './websocket.js';
export { ErrorCode, WebSocketError } from '../core/errors.js';
export type { WebSocketOpenInfo, WebSocketCloseInfo } from '../client/stream-core.js';
export type { ReconnectOptions, ReconnectInfo, ReplayContext } from '../client/reconnect-options.js';
export type {
  ReconnectingEvent,
  LogicalClose,
  ReconnectingWebSocketEvents,
  ReconnectingWebSocketEventMap,
  ReconnectingWebSocketEventBase,
} from '../client/reconnect-loop.js';

export interface ReconnectingWebSocketOptions extends LoopOptions {
  /** How binary messages are shaped (default 'arraybuffer'). */
  binaryType?: 'blob' | 'arraybuffer';
}

/** The reconnecting client over the browser's WebSocket: text as a string, binary per `binaryType`. */
export class ReconnectingWebSocket extends ReconnectLoop<string | ArrayBuffer | Blob> {
  constructor(url: string | URL, protocols?: string | string[] | ReconnectingWebSocketOptions, options?: ReconnectingWebSocketOptions) {
    if (protocols !== undefined && typeof protocols === 'object' && !Array.isArray(protocols)) {
      options = protocols;
      protocols = undefined;
    }
    const { reconnect, signal, binaryType } = options ?? {};
    super(String(url), protocols, { reconnect: reconnect ?? true, signal }, nativeDial(binaryType ?? 'arraybuffer'));
  }
}

/** socketeer's WebSocketStream over the browser's WebSocket (no read backpressure: browsers cannot pause a WebSocket). */
export class SocketeerWebSocketStream extends WebSocketStreamCore {
  constructor(url: string | URL, options: StreamCoreOptions = {}) {
    super(String(url), options, nativeDial('arraybuffer'));
  }
}

/** The browser's own WebSocketStream where it has one; socketeer's otherwise. */
export const WebSocketStream: typeof SocketeerWebSocketStream =
  (globalThis as { WebSocketStream?: typeof SocketeerWebSocketStream }).WebSocketStream ?? SocketeerWebSocketStream;
