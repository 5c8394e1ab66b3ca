/**
 * Messages sent while the reconnecting client has no open connection, held
 * in order up to a bound in count and bytes. Each entry is handed to exactly
 * one connection or settled with an error: never both, never twice.
 * Portable (no Node types).
 */
import { ErrorCode, WebSocketError } from '../core/errors.js';
import { byteLength, type Outgoing } from './link.js';

export interface QueuedMessage {
  data: Outgoing;
  binary: boolean;
  bytes: number;
  /** Settles the caller's promise (sendAsync) or reports an error (send). */
  done: (error?: Error) => void;
}

export class SendQueue {
  private items: QueuedMessage[] = [];
  private total = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.total;
  }

  /** Holds the message, or returns the error that says why it cannot. */
  push(data: Outgoing, binary: boolean, done: (error?: Error) => void): WebSocketError | null {
    const bytes = byteLength(data);
    if (this.items.length + 1 > this.maxMessages || this.total + bytes > this.maxBytes) {
      return new WebSocketError(
        ErrorCode.SendQueueFull,
        `The send queue is full (${this.items.length} messages, ${this.total} bytes; limits ${this.maxMessages} messages, ${this.maxBytes} bytes): ` +
          'the message was not queued; wait for the reconnect or raise reconnect.maxQueuedMessages / maxQueuedBytes',
        0,
      );
    }
    // Bytes handed to send() may be reused by the caller; keep our own copy.
    const copy = typeof data === 'string' ? data : copyBytes(data);
    this.items.push({ data: copy, binary, bytes, done });
    this.total += bytes;
    return null;
  }

  /** Removes and returns everything, oldest first. */
  drain(): QueuedMessage[] {
    const items = this.items;
    this.items = [];
    this.total = 0;
    return items;
  }
}

function copyBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return view.slice();
}
