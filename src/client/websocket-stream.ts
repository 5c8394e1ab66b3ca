/**
 * WebSocketStream for Node: the WHATWG streams shape (Chromium's names,
 * errors and abort rules) over a socketeer WebSocket, and `from(ws)` for a
 * connection a server accepted.
 */
import { WebSocket, type WebSocketOptions } from '../api/websocket.js';
import { nodeDial, linkOver } from './node-link.js';
import { WebSocketStreamCore, type StreamCoreOptions } from './stream-core.js';

export type { WebSocketOpenInfo, WebSocketCloseInfo } from './stream-core.js';

/** Options of `new WebSocketStream(url, options)`: `protocols`, `signal`, `readableHighWaterMark` and every client option. */
export interface WebSocketStreamOptions extends WebSocketOptions, StreamCoreOptions {}

const kAdopt = Symbol('socketeer.adopt');

/**
 * The WHATWG WebSocketStream (as in Chromium): `opened` gives a readable and a
 * writable stream with backpressure both ways; `WebSocketStream.from(ws)` wraps
 * a socket a server accepted. See docs/client.md.
 */
export class WebSocketStream extends WebSocketStreamCore {
  /** `new WebSocketStream(url, { protocols, signal, ...client options })`. */
  constructor(url: string | URL, options: WebSocketStreamOptions = {}) {
    const adopted = (options as { [kAdopt]?: WebSocket })[kAdopt];
    const { protocols, signal, readableHighWaterMark, ...clientOptions } = options;
    super(
      adopted === undefined ? String(url) : null,
      { protocols, signal, readableHighWaterMark },
      adopted === undefined ? nodeDial(clientOptions, 'arraybuffer') : (_url, _protocols, events) => linkOver(adopted, events),
    );
  }

  /**
   * The same readable/writable pair over a connection that is already open,
   * such as one a WebSocketServer handed to 'connection'. Use it instead of
   * the socket's own 'message' events: messages go to `readable` only.
   */
  static from(ws: WebSocket, options: Pick<StreamCoreOptions, 'readableHighWaterMark'> = {}): WebSocketStream {
    if (ws.readyState !== WebSocket.OPEN) {
      throw new DOMException('WebSocketStream.from() needs an open WebSocket (readyState OPEN)', 'InvalidStateError');
    }
    ws.binaryType = 'arraybuffer';
    return new WebSocketStream('', { ...options, [kAdopt]: ws } as WebSocketStreamOptions);
  }
}
