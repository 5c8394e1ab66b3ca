import { Duplex, type DuplexOptions } from 'node:stream';
import type { WebSocket } from './websocket.js';

/**
 * A Duplex over one WebSocket, as ws's `createWebSocketStream(ws, options)`:
 * each message read arrives as a chunk (a Buffer; a string for text in
 * `readableObjectMode`), each chunk written is sent as one message (its
 * callback runs once written), `end()` starts the closing handshake, the
 * socket's close ends the readable side, and an 'error' of the socket
 * destroys the stream with it. Reading pauses the socket when the stream's
 * buffer is full. Destroying the stream terminates the socket.
 */
export function createWebSocketStream(ws: WebSocket, options?: DuplexOptions): Duplex {
  let terminateOnDestroy = true;

  const duplex = new Duplex({
    ...options,
    autoDestroy: false,
    emitClose: false,
    objectMode: false,
    writableObjectMode: false,
    read() {
      if (ws.readyState === ws.OPEN) ws.resume();
    },
    write(chunk: unknown, _encoding, callback) {
      if (ws.readyState === ws.CONNECTING) {
        ws.once('open', () => duplex._write(chunk, _encoding, callback));
        return;
      }
      ws.send(chunk, (error) => callback(error ?? null));
    },
    final(callback) {
      if (ws.readyState === ws.CONNECTING) {
        ws.once('open', () => duplex._final(callback));
        return;
      }
      if (ws.readyState === ws.CLOSED) {
        callback();
        if (duplex.readableEnded) duplex.destroy();
        return;
      }
      ws.once('close', () => callback());
      ws.close();
    },
    destroy(error, callback) {
      if (ws.readyState === ws.CLOSED) {
        callback(error);
        process.nextTick(emitClose, duplex);
        return;
      }
      let called = false;
      ws.once('error', (wsError: Error) => {
        called = true;
        callback(wsError);
      });
      ws.once('close', () => {
        if (!called) callback(error);
        process.nextTick(emitClose, duplex);
      });
      if (terminateOnDestroy) ws.terminate();
    },
  });

  ws.on('message', (data: unknown, isBinary: boolean) => {
    const chunk = !isBinary && duplex.readableObjectMode ? String(data) : data;
    if (!duplex.push(chunk)) ws.pause();
  });
  ws.once('error', (error: Error) => {
    if (duplex.destroyed) return;
    // The socket is already failing: let it finish its own close.
    terminateOnDestroy = false;
    duplex.destroy(error);
  });
  ws.once('close', () => {
    if (duplex.destroyed) return;
    duplex.push(null);
  });

  // Both sides done (the readable ended, the writable finished): the stream is over.
  duplex.on('end', function onEnd(this: Duplex) {
    if (!this.destroyed && this.writableFinished) this.destroy();
  });
  duplex.on('finish', function onFinish(this: Duplex) {
    if (!this.destroyed && this.readableEnded) this.destroy();
  });
  duplex.on('error', function onError(this: Duplex, error: Error) {
    this.removeListener('error', onError);
    this.destroy();
    // Re-emitted only if nobody else listens, so the error is not swallowed.
    if (this.listenerCount('error') === 0) this.emit('error', error);
  });
  return duplex;
}

function emitClose(stream: Duplex): void {
  stream.emit('close');
}
