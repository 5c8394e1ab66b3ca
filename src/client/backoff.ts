/**
 * How long to wait before a reconnect attempt: exponential growth from
 * minDelay, capped at maxDelay, with jitter. Portable (no Node types).
 */

export interface BackoffOptions {
  minDelay: number;
  maxDelay: number;
  factor: number;
  /** 0: no randomness; 1 (full jitter): anywhere between minDelay and the cap. */
  jitter: number;
}

/**
 * The wait before attempt `attempt` (1, 2, ...). The cap grows as
 * minDelay * factor^(attempt-1) up to maxDelay; the wait is drawn in
 * [cap - jitter*(cap-minDelay), cap]. It is never below minDelay, so a peer
 * that fails every attempt at once cannot make the client spin.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const growth = options.minDelay * options.factor ** Math.max(0, attempt - 1);
  const cap = Math.min(options.maxDelay, Number.isFinite(growth) ? growth : options.maxDelay);
  const spread = (cap - options.minDelay) * options.jitter;
  return Math.round(cap - spread * random());
}

/**
 * A Retry-After header (RFC 9110 §10.2.3: seconds, or an HTTP date) as ms
 * from `now`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
