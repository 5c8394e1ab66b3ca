/**
 * ReconnectingWebSocket for Node: the reconnect loop (reconnect-loop.ts)
 * dialling socketeer WebSockets. A class of its own rather than an option of
 * WebSocket: one WebSocket is one connection, with the WHATWG meaning of its
 * readyState and single close event; the logical, reconnecting connection has
 * different states, events and a send queue, and the same class runs over
 * the browser's WebSocket in socketeer/browser.
 */
import type { WebSocketOptions } from '../api/websocket.js';
import type { BinaryType } from '../api/binary-type.js';
import type { RawData } from '../api/websocket-events.js';
import { nodeDial } from './node-link.js';
import { ReconnectLoop, type LoopOptions } from './reconnect-loop.js';

/** Options of `new ReconnectingWebSocket(url, protocols?, options)`: every client option, `reconnect`, `signal`, `binaryType`. */
export interface ReconnectingWebSocketOptions extends WebSocketOptions, LoopOptions {
  /** How binary messages are shaped (default 'nodebuffer'). */
  binaryType?: BinaryType;
}

/**
 * A logical connection that survives drops: reconnects with backoff and jitter,
 * queues sends while down (flushed in order), runs a replay hook after each
 * reconnect. Events: `ReconnectingWebSocketEvents` (text arrives as a Buffer
 * with `isBinary` false, binary per `binaryType`).
 */
export class ReconnectingWebSocket extends ReconnectLoop<RawData> {
  constructor(url: string | URL, protocols?: string | string[] | ReconnectingWebSocketOptions, options?: ReconnectingWebSocketOptions) {
    if (protocols !== undefined && typeof protocols === 'object' && !Array.isArray(protocols)) {
      options = protocols;
      protocols = undefined;
    }
    const { reconnect, signal, binaryType, ...clientOptions } = options ?? {};
    super(String(url), protocols, { reconnect: reconnect ?? true, signal }, nodeDial(clientOptions, binaryType ?? 'nodebuffer'));
  }
}
