/**
 * The smallest event emitter the client shapes need, with no Node built-ins
 * so the browser entry can use it: `on`/`once`/`off` get the arguments as
 * emitted (ws dialect), `addEventListener` gets one event object (WHATWG
 * dialect) built by `toEvent`. A listener that throws does not stop the
 * others; the error is rethrown on a later task, as browsers report it.
 */
type Listener = (...args: any[]) => void;
export type EventListenerLike = ((event: any) => void) | { handleEvent(event: any): void };

interface Entry {
  fn: Listener;
  once: boolean;
  /** The addEventListener listener this entry wraps, to find it again. */
  dom?: EventListenerLike;
}

export class TinyEmitter {
  private readonly listeners = new Map<string, Entry[]>();

  on(type: string, fn: Listener): this {
    return this.add(type, { fn, once: false });
  }

  once(type: string, fn: Listener): this {
    return this.add(type, { fn, once: true });
  }

  off(type: string, fn: Listener): this {
    const list = this.listeners.get(type);
    const at = list?.findIndex((entry) => entry.fn === fn && entry.dom === undefined) ?? -1;
    if (at !== -1) list!.splice(at, 1);
    return this;
  }

  removeListener(type: string, fn: Listener): this {
    return this.off(type, fn);
  }

  listenerCount(type: string): number {
    return this.listeners.get(type)?.length ?? 0;
  }

  addEventListener(type: string, listener: EventListenerLike | null, options?: boolean | { once?: boolean }): void {
    if (listener === null) return;
    if (this.listeners.get(type)?.some((entry) => entry.dom === listener)) return;
    const fn = (...args: unknown[]) => {
      const event = this.toEvent(type, args);
      if (typeof listener === 'function') listener.call(this, event);
      else listener.handleEvent(event);
    };
    this.add(type, { fn, once: typeof options === 'object' && options.once === true, dom: listener });
  }

  removeEventListener(type: string, listener: EventListenerLike | null): void {
    const list = this.listeners.get(type);
    const at = list?.findIndex((entry) => entry.dom === listener) ?? -1;
    if (at !== -1) list!.splice(at, 1);
  }

  /** The WHATWG event for an emission; subclasses shape it per type. */
  protected toEvent(type: string, args: unknown[]): object {
    return { type, target: this, detail: args[0] };
  }

  protected emit(type: string, ...args: unknown[]): boolean {
    const list = this.listeners.get(type);
    if (list === undefined || list.length === 0) return false;
    for (const entry of [...list]) {
      if (entry.once) this.removeEntry(type, entry);
      try {
        entry.fn.apply(this, args);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
    return true;
  }

  private add(type: string, entry: Entry): this {
    const list = this.listeners.get(type);
    if (list === undefined) this.listeners.set(type, [entry]);
    else list.push(entry);
    return this;
  }

  private removeEntry(type: string, entry: Entry): void {
    const list = this.listeners.get(type);
    const at = list?.indexOf(entry) ?? -1;
    if (at !== -1) list!.splice(at, 1);
  }
}
