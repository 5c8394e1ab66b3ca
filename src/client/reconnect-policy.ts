/**
 * Whether a dropped connection or a failed handshake is worth another
 * attempt, and how long to wait. Portable (no Node types).
 */
import { backoffDelay, retryAfterMs } from './backoff.js';
import type { LinkClose } from './link.js';
import { reconnectInfo, type ResolvedReconnectOptions } from './reconnect-options.js';

export type Decision = { retry: true; delay: number } | { retry: false; why: string };

/** Statuses that say "not now" rather than "never": their Retry-After is honoured. */
const RETRYABLE_4XX = new Set([408, 429]);

/**
 * `attempt` is the number of the attempt that would follow (1 for the first
 * retry after a drop). The application's own close() never gets here.
 */
export function decide(close: LinkClose, attempt: number, options: ResolvedReconnectOptions, random?: () => number): Decision {
  if (attempt > options.retries) {
    return { retry: false, why: `gave up after ${options.retries} reconnect attempt${options.retries === 1 ? '' : 's'}` };
  }
  if (options.shouldReconnect !== undefined) {
    if (!options.shouldReconnect(reconnectInfo(attempt, close))) return { retry: false, why: 'shouldReconnect() returned false' };
  } else if (close.opened && options.finalCodes.includes(close.code)) {
    return { retry: false, why: `the server closed with ${close.code}, a final code` };
  } else if (close.status !== undefined && close.status >= 400 && close.status < 500 && !RETRYABLE_4XX.has(close.status)) {
    return { retry: false, why: `the server refused the handshake with ${close.status}` };
  }
  let delay = backoffDelay(attempt, options, random);
  if (close.status !== undefined && RETRYABLE_4XX.has(close.status)) {
    const asked = retryAfterMs(close.retryAfter);
    // The server's wish wins over the cap: it said when it can take us.
    if (asked !== undefined) delay = Math.max(delay, Math.min(asked, 2 ** 31 - 1));
  }
  return { retry: true, delay };
}
