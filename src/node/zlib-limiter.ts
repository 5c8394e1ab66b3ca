/**
 * A per-process cap on concurrent zlib operations. zlib work runs on libuv's
 * threadpool; thousands of connections inflating at once would each hold
 * buffers and fragment memory, so jobs beyond the cap wait in FIFO order.
 */
export type Release = () => void;

export class ZlibLimiter {
  private running = 0;
  private readonly waiting: Array<(release: Release) => void> = [];
  private head = 0;
  private draining = false;

  constructor(readonly concurrency: number) {}

  /** Runs `job` once a slot is free; the job must call `release` exactly once (extra calls are ignored). */
  run(job: (release: Release) => void): void {
    if (this.running < this.concurrency) {
      this.start(job);
    } else {
      this.waiting.push(job);
    }
  }

  /** Jobs started and not yet released, and jobs waiting for a slot. */
  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length - this.head };
  }

  private start(job: (release: Release) => void): void {
    this.running++;
    let released = false;
    job(() => {
      if (released) return;
      released = true;
      this.running--;
      this.next();
    });
  }

  private next(): void {
    // A job that releases synchronously re-enters here; the outer loop carries on.
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.running < this.concurrency && this.head < this.waiting.length) {
        const job = this.waiting[this.head]!;
        this.waiting[this.head++] = undefined as never;
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
          this.waiting.splice(0, this.head);
          this.head = 0;
        }
        this.start(job);
      }
      if (this.head === this.waiting.length) {
        this.waiting.length = 0;
        this.head = 0;
      }
    } finally {
      this.draining = false;
    }
  }
}

const limiters = new Map<number, ZlibLimiter>();

/** The process-wide limiter for a given concurrency (one per distinct value). */
export function zlibLimiter(concurrency: number): ZlibLimiter {
  let limiter = limiters.get(concurrency);
  if (limiter === undefined) {
    limiter = new ZlibLimiter(concurrency);
    limiters.set(concurrency, limiter);
  }
  return limiter;
}
