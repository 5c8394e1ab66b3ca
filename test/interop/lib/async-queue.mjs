// A FIFO whose shift() waits (bounded) for the next item; end(err) fails
// every current and future wait once the source is gone.
export class AsyncQueue {
  #items = [];
  #waiters = [];
  #ended = null;

  push(item) {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  end(error) {
    if (this.#ended) return;
    this.#ended = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  shift(timeoutMs, what) {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Values keyed by a connection id: take(key) waits (bounded) for put(key).
// The harness tags each client URL with ?conn=<id>, so a server-side handle
// left over from an earlier (failed) case can never be handed to a later one.
export class Rendezvous {
  #values = new Map();
  #waiters = new Map();

  put(key, value) {
    const waiter = this.#waiters.get(key);
    if (waiter) {
      this.#waiters.delete(key);
      waiter(value);
    } else {
      this.#values.set(key, value);
    }
  }

  take(key, timeoutMs, what) {
    if (this.#values.has(key)) {
      const value = this.#values.get(key);
      this.#values.delete(key);
      return Promise.resolve(value);
    }
    return withTimeout(new Promise((resolve) => this.#waiters.set(key, resolve)), timeoutMs, what)
      .finally(() => this.#waiters.delete(key));
  }

  /** Whatever was put and never taken (to dispose of). */
  drain() {
    const left = [...this.#values.values()];
    this.#values.clear();
    return left;
  }
}

/** The ?conn= id the harness put on a request URL (or '' when absent). */
export function connectionId(requestUrl) {
  return new URL(requestUrl ?? '/', 'http://x').searchParams.get('conn') ?? '';
}
