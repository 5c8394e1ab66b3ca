/**
 * The browser carrier of the client shapes: the page's own WebSocket seen as
 * a Link. Browsers cannot stop reading a WebSocket (pause is a no-op) and do
 * not say when a message left; a send settles once `bufferedAmount` shows
 * its bytes are gone, checked on a short timer only while sends wait.
 */
import { ErrorCode, WebSocketError } from '../core/errors.js';
import { byteLength, type Dial, type Link } from '../client/link.js';

const POLL_MS = 5;

export function nativeDial(binaryType: BinaryType = 'arraybuffer'): Dial {
  return (url, protocols, events) => {
    const ws = new globalThis.WebSocket(url, protocols);
    ws.binaryType = binaryType;
    let opened = false;
    let error: unknown;
    /** Bytes handed to send() so far, and the sends waiting for theirs to leave. */
    let sent = 0;
    let pending: Array<{ end: number; done: (error?: Error) => void }> = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const check = () => {
      timer = null;
      const left = sent - ws.bufferedAmount;
      while (pending.length > 0 && pending[0].end <= left) pending.shift()!.done();
      if (pending.length > 0) timer = setTimeout(check, POLL_MS);
    };
    ws.addEventListener('open', () => {
      opened = true;
      events.open(ws.protocol, ws.extensions);
    });
    ws.addEventListener('error', (event) => {
      error ??= event;
    });
    ws.addEventListener('message', (event) => events.message(event.data, typeof event.data !== 'string'));
    ws.addEventListener('close', (event) => {
      if (timer !== null) clearTimeout(timer);
      check();
      const lost = pending;
      pending = [];
      for (const item of lost) item.done(new WebSocketError(ErrorCode.NotOpen, 'The connection closed before the message left the browser', 0));
      events.close({ code: event.code, reason: event.reason, wasClean: event.wasClean, opened, ...(error === undefined ? {} : { error }) });
    });
    return {
      get isOpen() {
        return ws.readyState === 1;
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      send(data, binary, done) {
        if (ws.readyState !== 1) {
          done(new WebSocketError(ErrorCode.NotOpen, 'The WebSocket is not open: the message was not sent', 0));
          return;
        }
        const payload = binary && typeof data === 'string' ? new TextEncoder().encode(data) : data;
        ws.send(payload as string | ArrayBuffer);
        sent += byteLength(payload);
        pending.push({ end: sent, done });
        if (timer === null) timer = setTimeout(check, 0);
      },
      close: (code, reason) => (code === undefined ? ws.close() : ws.close(code, reason)),
      terminate: () => ws.close(),
      pause: () => {},
      resume: () => {},
    } satisfies Link;
  };
}
