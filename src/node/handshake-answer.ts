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
  /**
   * The answer will come later (an asynchronous verifyClient): from now on,
   * a handshake still unanswered after handshakeTimeout is refused with 408.
   * A handshake answered in the turn it arrived needs no deadline.
   */
  startDeadline(): void;
  /** The handshake ran past handshakeTimeout and was refused with 408: a late verifyClient answer is ignored. */
  readonly timedOut: boolean;
}

/**
 * The handshake's deadline, the same for both HTTP versions: a handshake
 * still unanswered `timeout` ms after its answer started to wait (an
 * asynchronous verifyClient that never calls back) is refused with 408, so
 * it cannot hold its socket, or its maxConnections slot, forever. 0 turns it
 * off. Answers make one only when they wait: a timer set and cleared on
 * every handshake cost about 2% of a server's CPU in a handshake profile.
 */
class HandshakeDeadline {
  private timer: NodeJS.Timeout | null = null;
  expired = false;

  constructor(timeout: number, expire: (message: string) => void) {
    if (timeout > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.expired = true;
        expire(`The WebSocket handshake did not complete within ${timeout} ms (handshakeTimeout)`);
      }, timeout);
    }
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * The deadline's state, shared by both answers: made when the answer starts
 * to wait, cleared when the handshake is answered or given up.
 */
export abstract class WaitingAnswer {
  private deadline: HandshakeDeadline | null = null;

  constructor(private readonly timeout: number) {}

  get timedOut(): boolean {
    return this.deadline?.expired ?? false;
  }

  startDeadline(): void {
    this.deadline ??= new HandshakeDeadline(this.timeout, (message) => this.expire(message));
  }

  /** The deadline passed with the handshake unanswered. */
  protected abstract expire(message: string): void;

  /** Answered or given up: the deadline, if any, is off. */
  protected settle(): void {
    this.deadline?.clear();
  }
}

/** The HTTP/1.1 answer: 101 Switching Protocols on the upgraded socket. */
export class Http1Answer extends WaitingAnswer implements HandshakeAnswer {
  readonly httpVersion = '1.1';

  constructor(
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly key: string,
    private readonly onError: (this: Duplex) => void,
    timeout: number,
  ) {
    super(timeout);
  }

  /** A socket already closed by the client gets no 408. */
  protected expire(message: string): void {
    if (this.isOpen()) this.refuse(408, message);
  }

  isOpen(): boolean {
    const socket = this.socket;
    return socket.readable && socket.writable && !socket.destroyed;
  }

  refuse(status: number, message: string, headers?: Record<string, string>): void {
    this.settle();
    refuseUpgrade(this.socket, status, message, headers);
  }

  headerLines(extra: string[]): string[] {
    return switchingProtocols(acceptKeyFor(this.key), extra);
  }

  accept(headerLines: string[]): { socket: Duplex; head: Buffer | null } {
    this.settle();
    this.socket.write(headerLines.join('\r\n') + '\r\n\r\n');
    this.socket.removeListener('error', this.onError);
    return { socket: this.socket, head: this.head };
  }

  destroy(): void {
    this.settle();
    this.socket.destroy();
  }

  onGone(listener: () => void): void {
    if (this.socket.destroyed) process.nextTick(listener);
    else this.socket.once('close', listener);
  }
}
