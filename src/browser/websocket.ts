/**
 * The browser's own WebSocket with socketeer's extras: a `closed` promise
 * and async iteration over messages. Nothing else changes.
 */
export interface BrowserCloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

const Native: typeof globalThis.WebSocket =
  globalThis.WebSocket ??
  (class {
    constructor() {
      throw new TypeError('This environment has no WebSocket: socketeer/browser runs over the browser\'s own');
    }
  } as unknown as typeof globalThis.WebSocket);

export class WebSocket extends Native {
  private closedPromise: Promise<BrowserCloseInfo> | null = null;

  /** Resolves once, with how the connection ended. Never rejects. */
  get closed(): Promise<BrowserCloseInfo> {
    this.closedPromise ??=
      this.readyState === Native.CLOSED
        ? Promise.resolve({ code: 1006, reason: '', wasClean: false })
        : new Promise((resolve) => {
            this.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean }), { once: true });
          });
    return this.closedPromise;
  }

  /**
   * Messages as they arrive (text as strings, binary per binaryType). The
   * loop ends when the connection closes; it throws if it did not close cleanly.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    const queue: unknown[] = [];
    const waiting: Array<{ resolve: (r: IteratorResult<unknown>) => void; reject: (e: unknown) => void }> = [];
    let ended: BrowserCloseInfo | null = null;
    const onMessage = (event: MessageEvent) => {
      const next = waiting.shift();
      if (next !== undefined) next.resolve({ value: event.data, done: false });
      else queue.push(event.data);
    };
    const settle = (next: (typeof waiting)[number]) => {
      if (ended!.wasClean) next.resolve({ value: undefined, done: true });
      else next.reject(new Error(`The WebSocket closed abnormally (code ${ended!.code})`));
    };
    this.addEventListener('message', onMessage);
    void this.closed.then((info) => {
      ended = info;
      this.removeEventListener('message', onMessage);
      for (const next of waiting.splice(0)) settle(next);
    });
    const iterator: AsyncIterableIterator<unknown> = {
      next: () =>
        new Promise((resolve, reject) => {
          if (queue.length > 0) resolve({ value: queue.shift(), done: false });
          else if (ended !== null) settle({ resolve, reject });
          else waiting.push({ resolve, reject });
        }),
      return: async () => {
        this.removeEventListener('message', onMessage);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
