/**
 * The cap on bytes waiting to be written to one peer. A peer that stops
 * reading (or floods pings whose pongs it never reads) would otherwise make
 * the socket's write buffer grow without bound. At the cap, the policy
 * decides: 'close' fails the connection with 1008 and destroys the socket at
 * once, freeing the buffer; 'wait' stops reading from the peer until the
 * buffer drains, so nothing that answers the peer (pongs, an echo) is
 * produced meanwhile.
 */
import { CloseCode } from '../core/close-codes.js';
import { ErrorCode, WebSocketError } from '../core/errors.js';

/** What happens at `maxBufferedAmount`: 'close' fails the connection with 1008 (default); 'wait' stops reading until it drains. */
export type BufferFullPolicy = 'close' | 'wait';

export const DEFAULT_MAX_BUFFERED_AMOUNT = 64 * 1024 * 1024;
export const DEFAULT_BUFFER_FULL_POLICY: BufferFullPolicy = 'close';

export interface OutgoingLimitHooks {
  /** Record the failure (close event 1008) without waiting for the peer. */
  fail(code: string, message: string, closeCode: number): void;
  destroy(): void;
  holdReads(): void;
  releaseReads(): void;
}

export class OutgoingLimit {
  private tripped = false;
  private pausedByLimit = false;

  constructor(
    readonly max: number,
    readonly policy: BufferFullPolicy,
    private readonly hooks: OutgoingLimitHooks,
  ) {}

  /** True once the 'close' policy fired: later writes are dropped. */
  get closing(): boolean {
    return this.tripped;
  }

  /** True while reading is paused because the buffer is over the cap. */
  get holdingReads(): boolean {
    return this.pausedByLimit;
  }

  /**
   * Call after every write with the bytes now buffered and the bytes just
   * written. The 'close' policy counts only what was waiting before this
   * write, so one message larger than the cap can still be sent to a peer
   * that reads.
   */
  afterWrite(buffered: number, written: number): void {
    if (buffered <= this.max || this.tripped) return;
    if (this.policy === 'close') {
      if (buffered - written <= this.max) return;
      this.tripped = true;
      this.hooks.fail(
        ErrorCode.BufferOverflow,
        `The peer is not reading: over ${this.max} bytes wait to be sent (maxBufferedAmount)`,
        CloseCode.PolicyViolation,
      );
      this.hooks.destroy();
    } else if (!this.pausedByLimit) {
      this.pausedByLimit = true;
      this.hooks.holdReads();
    }
  }

  /** Call when the socket drains. */
  onDrain(buffered: number): void {
    if (this.pausedByLimit && buffered <= this.max) {
      this.pausedByLimit = false;
      this.hooks.releaseReads();
    }
  }
}

/** Throws WS_ERR_INVALID_OPTION for a cap or policy that makes no sense. */
export function validateOutgoingLimitOptions(max: unknown, policy: unknown): void {
  if (max !== undefined && (typeof max !== 'number' || !(max > 0))) {
    throw new WebSocketError(ErrorCode.InvalidOption, `maxBufferedAmount must be a positive number of bytes (got ${String(max)})`, 0);
  }
  if (policy !== undefined && policy !== 'close' && policy !== 'wait') {
    throw new WebSocketError(ErrorCode.InvalidOption, `bufferFullPolicy must be 'close' or 'wait' (got ${String(policy)})`, 0);
  }
}
