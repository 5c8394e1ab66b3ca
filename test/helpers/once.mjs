// Small awaiting helpers: every wait is bounded, so a missing event fails the
// test with a clear message instead of hanging the run.

/** Resolve with the first emission of `event` (its arguments as an array). */
export function once(emitter, event, ms = 5000, label = event) {
  return withTimeout(
    new Promise((resolve) => emitter.once(event, (...args) => resolve(args))),
    ms,
    `waiting for '${label}'`,
  );
}

/** Reject when `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolve after `ms`, or reject at once if `event` fires on `emitter` meanwhile.
 * Only for "this must not happen" checks, where no event can prove absence:
 * callers pass a window long enough for the event to have arrived on loopback.
 */
export function expectNoEvent(emitter, event, ms) {
  return new Promise((resolve, reject) => {
    const onEvent = (...args) => {
      clearTimeout(timer);
      reject(new Error(`Unexpected '${event}' event: ${JSON.stringify(args.map(String))}`));
    };
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      resolve();
    }, ms);
    emitter.once(event, onEvent);
  });
}

/** Two macrotask turns: lets already-arrived I/O and queued events run. */
export function settle() {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
