import { constants, type Http2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';

/**
 * What an HTTP/2 stream needs before it carries a WebSocket through
 * SocketTransport. The transport's "end the transport" is the stream's
 * END_STREAM, a reset or a lost session is a 'close' without a Close
 * exchange (1006); both hold as they are. Two differences from a TCP socket
 * remain:
 * - Node completes a stream write's callback only after the stream frames
 *   have gone out, and once END_STREAM has closed both halves that callback
 *   arrives after 'close', so the transport would think our Close frame was
 *   never written. END_STREAM is therefore sent only after the writes queued
 *   before it have completed.
 * - The server ends first (RFC 6455 §7.1.1: the server closes the
 *   connection), but a client need not answer END_STREAM with its own:
 *   Chromium 150 leaves its half open until the session goes, so the server
 *   would wait out its close timer on every connection. A server stream
 *   therefore closes with RST_STREAM(NO_ERROR) once its END_STREAM is out and
 *   the client's half is still open, as RFC 9113 §8.1 lets a server do after
 *   a complete response; what the client sent before is still read.
 */
export function bindHttp2Stream(stream: Duplex, role: 'server' | 'client'): Duplex {
  const end = stream.end;
  stream.end = function endAfterWrites(this: Duplex, ...args: unknown[]): Duplex {
    if (args.length === 0 && this.writableLength > 0 && !this.destroyed && !this.writableEnded) {
      // Writes complete in order: this empty write's callback comes after theirs.
      this.write(EMPTY, () => {
        if (!this.destroyed && !this.writableEnded) (end as () => Duplex).call(this);
      });
      return this;
    }
    return (end as (...a: unknown[]) => Duplex).apply(this, args);
  } as Duplex['end'];
  if (role === 'server') stream.once('finish', closeIfClientHalfOpen);
  return stream;
}

function closeIfClientHalfOpen(this: Duplex): void {
  const stream = this as unknown as Http2Stream;
  if (stream.destroyed || stream.closed) return;
  // The client's END_STREAM may have come in behind bytes not yet read (reading paused): then both halves are done.
  if (stream.state.remoteClose) return;
  stream.close(constants.NGHTTP2_NO_ERROR);
}

const EMPTY = Buffer.alloc(0);
