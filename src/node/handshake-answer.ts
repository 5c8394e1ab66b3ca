import type { Duplex } from 'node:stream';
import { acceptKeyFor } from '../core/handshake.js';
import { refuseUpgrade, switchingProtocols } from './http-response.js';

/**
 * How a server answers one opening handshake, whatever the HTTP version:
 * the server's checks (path, origin, verifyClient, subprotocols, extensions)
 * run once, and only the answer differs (a 101 on an HTTP/1.1 socket, a 200
 * on an HTTP/2 stream; a refusal as an HTTP response of that version).
 */
export interface HandshakeAnswer {
  /** '1.1' or '2.0', as `request.httpVersion` reads. */
  readonly httpVersion: string;
  /** Can the handshake still complete (the socket or stream is still open)? */
  isOpen(): boolean;
  /** Refuse with an HTTP status and a plain-text body, then close. */
  refuse(status: number, message: string, headers?: Record<string, string>): void;
  /**
   * The answer's header lines as the 'headers' event shows them: on
   * HTTP/1.1 the whole head (status line first), on HTTP/2 the extra
   * "Name: value" lines only (the status is a pseudo-header).
   */
  headerLines(extra: string[]): string[];
  /** Complete the handshake with these lines (from headerLines(), maybe changed); returns what the WebSocket runs on. */
  accept(headerLines: string[]): { socket: Duplex; head: Buffer | null };
  /** Give up without an answer (a socket that is already gone). */
  destroy(): void;
  /** Calls `listener` once the socket or stream under this handshake is closed, whatever became of it. */
  onGone(listener: () => void): void;
}

/** The HTTP/1.1 answer: 101 Switching Protocols on the upgraded socket. */
export class Http1Answer implements HandshakeAnswer {
  readonly httpVersion = '1.1';

  constructor(
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly key: string,
    private readonly onError: (this: Duplex) => void,
  ) {}

  isOpen(): boolean {
    const socket = this.socket;
    return socket.readable && socket.writable && !socket.destroyed;
  }

  refuse(status: number, message: string, headers?: Record<string, string>): void {
    refuseUpgrade(this.socket, status, message, headers);
  }

  headerLines(extra: string[]): string[] {
    return switchingProtocols(acceptKeyFor(this.key), extra);
  }

  accept(headerLines: string[]): { socket: Duplex; head: Buffer | null } {
    this.socket.write(headerLines.join('\r\n') + '\r\n\r\n');
    this.socket.removeListener('error', this.onError);
    return { socket: this.socket, head: this.head };
  }

  destroy(): void {
    this.socket.destroy();
  }

  onGone(listener: () => void): void {
    if (this.socket.destroyed) process.nextTick(listener);
    else this.socket.once('close', listener);
  }
}
