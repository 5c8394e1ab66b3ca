import type { Duplex } from 'node:stream';

/**
 * What an HTTP/2 stream needs before it carries a WebSocket through
 * SocketTransport. The transport's "end the transport" is the stream's
 * END_STREAM, a reset or a lost session is a 'close' without a Close
 * exchange (1006); both hold as they are. One difference from a TCP socket
 * remains: Node completes a stream write's callback only after the stream
 * frames have gone out, and once END_STREAM has closed both halves that
 * callback arrives after 'close', so the transport would think our Close
 * frame was never written. END_STREAM is therefore sent only after the
 * writes queued before it have completed.
 */
export function bindHttp2Stream(stream: Duplex): Duplex {
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
  return stream;
}

const EMPTY = Buffer.alloc(0);
