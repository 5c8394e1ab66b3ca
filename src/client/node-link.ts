/**
 * The Node carrier of the client shapes: a socketeer WebSocket seen as a
 * Link. One socketeer connection per link; no protocol logic here.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket, type WebSocketOptions } from '../api/websocket.js';
import type { BinaryType } from '../api/binary-type.js';
import type { Dial, Link, LinkClose, LinkEvents } from './link.js';

type HandshakeFailure = Error & { statusCode?: number; headers?: IncomingHttpHeaders };

/** Wraps a WebSocket (connecting, or already open as on a server) for one consumer. */
export function linkOver(ws: WebSocket, events: LinkEvents): Link {
  let opened = ws.readyState === WebSocket.OPEN;
  let error: HandshakeFailure | undefined;
  if (opened) queueMicrotask(() => events.open(ws.protocol, ws.extensions));
  else {
    ws.once('open', () => {
      opened = true;
      events.open(ws.protocol, ws.extensions);
    });
  }
  ws.on('error', (failure: HandshakeFailure) => {
    error ??= failure;
  });
  ws.on('message', (data: unknown, isBinary: boolean) => events.message(data, isBinary));
  ws.once('close', (code: number, reason: Buffer) => {
    const info: LinkClose = { code, reason: reason.toString('utf8'), wasClean: ws.closeWasClean, opened };
    if (error !== undefined) {
      info.error = error;
      if (typeof error.statusCode === 'number') info.status = error.statusCode;
      const retryAfter = error.headers?.['retry-after'];
      if (typeof retryAfter === 'string') info.retryAfter = retryAfter;
    }
    events.close(info);
  });
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(data, binary, done) {
      try {
        ws.send(data, { binary }, (failure) => done(failure ?? undefined));
      } catch (failure) {
        done(failure as Error);
      }
    },
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

/** A Dial that opens socketeer client connections with these options. */
export function nodeDial(options: WebSocketOptions, binaryType: BinaryType): Dial {
  return (url, protocols, events) => {
    const ws = new WebSocket(url, protocols, options);
    ws.binaryType = binaryType;
    return linkOver(ws, events);
  };
}
