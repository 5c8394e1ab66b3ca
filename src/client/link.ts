/**
 * One connection as the client shapes (WebSocketStream, the reconnecting
 * client) see it, whatever carries it: a socketeer WebSocket on Node, the
 * browser's native WebSocket in the browser entry. Portable: no Node types.
 */

/** How one connection ended, with what the handshake said when it failed. */
export interface LinkClose {
  code: number;
  reason: string;
  wasClean: boolean;
  /** Whether this connection ever opened. */
  opened: boolean;
  /** The HTTP status of a refused handshake (Node only; browsers hide it). */
  status?: number;
  /** The Retry-After header of a refused handshake, as sent. */
  retryAfter?: string;
  /** The error that ended the connection or its handshake, if one was reported. */
  error?: unknown;
}

export interface LinkEvents {
  open(protocol: string, extensions: string): void;
  /** Text as the carrier gives it (Node: bytes, browser: string); binary as shaped. */
  message(data: unknown, isBinary: boolean): void;
  close(info: LinkClose): void;
}

export type Outgoing = string | ArrayBuffer | ArrayBufferView;

export interface Link {
  /** True while a message handed to send() goes out on this connection. */
  readonly isOpen: boolean;
  readonly bufferedAmount: number;
  /** `done` is called once: without an error when the data reached the OS, with one when it never will. */
  send(data: Outgoing, binary: boolean, done: (error?: Error) => void): void;
  /** Start the closing handshake (no code: a Close frame without a body); while connecting, abort. */
  close(code?: number, reason?: string): void;
  /** Drop the connection (1006). */
  terminate(): void;
  /** Stop and restart reading from the network, where the carrier can. */
  pause(): void;
  resume(): void;
}

/** Opens one connection and reports on it through `events`. May throw for a bad URL or protocols. */
export type Dial = (url: string, protocols: string[], events: LinkEvents) => Link;

/** Bytes a message costs (UTF-8 length of text), without encoding it. */
export function byteLength(data: Outgoing): number {
  if (typeof data !== 'string') return data.byteLength;
  let bytes = data.length;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    // 2 bytes below U+0800, 3 above, 4 for a surrogate pair (two units).
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/** What send() accepts: text, or bytes (ArrayBuffer or any view). */
export function isOutgoing(data: unknown): data is Outgoing {
  return typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}
