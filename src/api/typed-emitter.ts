import { EventEmitter } from 'node:events';

/**
 * Typed events over `node:events`, in types only: `EventEmitter` itself is
 * the base class at run time. Each class passes an event map (event name →
 * the listener's argument tuple); see `websocket-events.ts`.
 */

/** An event map: each event's listener arguments, as a labelled tuple. */
export type EventMap<M> = { [K in keyof M]: unknown[] };

/**
 * A listener of an event whose arguments are `Args`. Written as a method so its
 * parameters compare bivariantly, like a method's: a listener may declare a
 * narrower type it knows it gets (`(data: Buffer) => ...` for `'message'` with
 * the default binaryType), but not an unrelated one (`(data: number) => ...`).
 */
export type Listener<Args extends unknown[], This> = {
  bivarianceHack(this: This, ...args: Args): void;
}['bivarianceHack'];

/** An event name the map does not know: such calls type-check as on a plain EventEmitter. */
export type OtherEvent<E, M> = E extends keyof M ? never : E;

/** `EventEmitter` with every listener method and `emit` typed by the event map `M`. */
export interface TypedEmitter<M extends EventMap<M>> extends EventEmitter {
  on<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  on<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  once<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  once<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  off<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  off<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  addListener<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  addListener<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  removeListener<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  removeListener<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  prependListener<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  prependListener<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  prependOnceListener<K extends keyof M>(event: K, listener: Listener<M[K], this>): this;
  prependOnceListener<E extends string | symbol>(event: OtherEvent<E, M>, listener: (this: this, ...args: any[]) => void): this;
  /** The event's arguments are checked; more may follow (ws code passes extra ones to its own listeners). */
  emit<K extends keyof M>(event: K, ...args: [...M[K], ...unknown[]]): boolean;
  emit<E extends string | symbol>(event: OtherEvent<E, M>, ...args: any[]): boolean;
}

/** The base class of `WebSocket` and `WebSocketServer`: `EventEmitter`, typed by an event map. */
export const TypedEventEmitter = EventEmitter as unknown as new <M extends EventMap<M>>() => TypedEmitter<M>;
