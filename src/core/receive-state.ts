import { FragmentBudget } from './fragment-budget.js';
import { MessageBuffer } from './message-buffer.js';
import type { Utf8Validator } from './utf8-validator.js';

/**
 * What a connection needs only while it receives data messages, in one
 * object: the message's parts (it is the MessageBuffer), the fragment budget,
 * the UTF-8 validator and the compressed frame collected before it is
 * inflated. The connection makes it when the first data message starts (an
 * idle connection has none) and reuses it for every message after, so an
 * idle connection carries one null field instead of five.
 */
export class ReceiveState extends MessageBuffer {
  readonly budget: FragmentBudget;
  /** Made when the first text message starts, then reused. */
  utf8: Utf8Validator | null = null;
  /** The payload parts of the compressed frame being received (null between frames). */
  compressedFrame: Buffer[] | null = null;
  compressedFrameLength = 0;

  constructor(maxPayload: number) {
    super();
    this.budget = new FragmentBudget(maxPayload);
  }
}
