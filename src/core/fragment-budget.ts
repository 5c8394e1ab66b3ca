/**
 * What one incoming message may cost while it is reassembled. Each data frame
 * is charged its payload plus a fixed overhead, so a message cut into
 * millions of tiny fragments runs out of budget long before its payload
 * reaches maxPayload, while ordinary fragmentation (a 4 MiB message in
 * 64-byte frames costs 12 MiB) stays far inside the default.
 */

/** Bytes charged per data frame on top of its payload. */
export const FRAME_OVERHEAD_BYTES = 128;

/** Budget beyond maxPayload, so small maxPayload values still allow fragments. */
export const FRAGMENT_ALLOWANCE_BYTES = 1024 * 1024;

export class FragmentBudget {
  private spent = 0;
  private frames = 0;
  readonly limit: number;

  constructor(maxPayload: number) {
    this.limit = maxPayload + FRAGMENT_ALLOWANCE_BYTES;
  }

  /** Charge one data frame of `payloadLength` bytes; false once the budget is exceeded. */
  charge(payloadLength: number): boolean {
    this.frames++;
    this.spent += payloadLength + FRAME_OVERHEAD_BYTES;
    return this.spent <= this.limit;
  }

  /** The message ended (or failed): the next one starts with a full budget. */
  reset(): void {
    this.spent = 0;
    this.frames = 0;
  }

  /** The sentence a refused peer receives in the Close frame's reason. */
  describe(): string {
    return `Message in too many fragments: ${this.frames} frames cost over ${this.limit} bytes; send fewer, larger fragments`;
  }
}
