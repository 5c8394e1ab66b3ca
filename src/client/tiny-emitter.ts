/**
 * The smallest event emitter the client shapes need, with no Node built-ins
 * so the browser entry can use it: `on`/`once`/`off` get the arguments as
 * emitted (ws dialect), `addEventListener` gets one event object (WHATWG
 * dialect) built by `toEvent`. A listener that throws does not stop the
 * others; the error is rethrown on a later task, as browsers report it.
 */
type AnyListener = (...args: any[]) => void;
export type EventListenerLike = ((event: any) => void) | { handleEvent(event: any): void };

/** An event map of the ws dialect: each event's listener arguments, as a labelled tuple. */
export type TinyEventMap<M> = { [K in keyof M]: unknown[] };

/**
 * A listener of an event whose arguments are `Args`, compared bivariantly like
 * a method (a listener may declare a narrower type it knows it gets).
 */
export type TinyListener<Args extends unknown[], This> = {
  bivarianceHack(this: This, ...args: Args): void;
}['bivarianceHack'];

/** A WHATWG-dialect listener of event objects `E`: a function or a `{ handleEvent }` object. */
export type TinyEventListener<E, This> = { bivarianceHack(this: This, event: E): void }['bivarianceHack'] | { handleEvent(event: E): void };

/** An event name the map does not know: such calls type-check with untyped listeners. */
export type OtherTinyEvent<E, M> = E extends keyof M ? never : E;

interface Entry {
  fn: AnyListener;
  once: boolean;
  /** The addEventListener listener this entry wraps, to find it again. */
  dom?: EventListenerLike;
}

/**
 * `M`: the ws-dialect event map (`on('message', (data, isBinary) => ...)`);
 * `D`: the WHATWG event objects `addEventListener` listeners get, by type.
 * Names outside the maps still type-check, with untyped listeners.
 */
export class TinyEmitter<M extends TinyEventMap<M> = Record<string, any[]>, D extends { [K in keyof D]: object } = Record<string, object>> {
  private readonly listeners = new Map<string, Entry[]>();

  /** Calls `fn` with the event's arguments each time it is emitted. */
  on<K extends keyof M & string>(type: K, fn: TinyListener<M[K], this>): this;
  on<E extends string>(type: OtherTinyEvent<E, M>, fn: (this: this, ...args: any[]) => void): this;
  on(type: string, fn: AnyListener): this {
    return this.add(type, { fn, once: false });
  }

  /** Like `on`, for the next emission only. */
  once<K extends keyof M & string>(type: K, fn: TinyListener<M[K], this>): this;
  once<E extends string>(type: OtherTinyEvent<E, M>, fn: (this: this, ...args: any[]) => void): this;
  once(type: string, fn: AnyListener): this {
    return this.add(type, { fn, once: true });
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof M & string>(type: K, fn: TinyListener<M[K], this>): this;
  off<E extends string>(type: OtherTinyEvent<E, M>, fn: (this: this, ...args: any[]) => void): this;
  off(type: string, fn: AnyListener): this {
    const list = this.listeners.get(type);
    const at = list?.findIndex((entry) => entry.fn === fn && entry.dom === undefined) ?? -1;
    if (at !== -1) list!.splice(at, 1);
    return this;
  }

  /** `off`, by its EventEmitter name. */
  removeListener<K extends keyof M & string>(type: K, fn: TinyListener<M[K], this>): this;
  removeListener<E extends string>(type: OtherTinyEvent<E, M>, fn: (this: this, ...args: any[]) => void): this;
  removeListener(type: string, fn: AnyListener): this {
    return this.off(type as never, fn);
  }

  /** How many listeners (of both dialects) `type` has. */
  listenerCount(type: string): number {
    return this.listeners.get(type)?.length ?? 0;
  }

  /** WHATWG dialect: `listener` gets one event object (`D[type]`); adding the same listener twice is a no-op. */
  addEventListener<K extends keyof D & string>(type: K, listener: TinyEventListener<D[K], this> | null, options?: boolean | { once?: boolean }): void;
  addEventListener<E extends string>(type: OtherTinyEvent<E, D>, listener: EventListenerLike | null, options?: boolean | { once?: boolean }): void;
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

  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof D & string>(type: K, listener: TinyEventListener<D[K], this> | null): void;
  removeEventListener<E extends string>(type: OtherTinyEvent<E, D>, listener: EventListenerLike | null): void;
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
