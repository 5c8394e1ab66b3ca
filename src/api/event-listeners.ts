import type { EventEmitter } from 'node:events';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.js';

export type EventListenerLike = ((event: any) => void) | { handleEvent(event: any): void };

const kListener = Symbol('socketeer.listener');
const kOnAttribute = Symbol('socketeer.onAttribute');

type Wrapper = ((...args: any[]) => void) & { [kListener]?: EventListenerLike; [kOnAttribute]?: boolean };

/** Builds the WHATWG event for an emitter event's arguments. */
function toEvent(target: { readonly closeWasClean: boolean }, type: string, args: any[]): WebSocketEvent {
  let event: WebSocketEvent;
  switch (type) {
    case 'message': {
      const [data, isBinary] = args;
      event = new MessageEvent('message', { data: isBinary ? data : String(data) });
      break;
    }
    case 'close':
      event = new CloseEvent('close', { code: args[0], reason: String(args[1] ?? ''), wasClean: target.closeWasClean });
      break;
    case 'error': {
      const error = args[0];
      event = new ErrorEvent('error', { error, message: error instanceof Error ? error.message : String(error) });
      break;
    }
    default:
      event = new WebSocketEvent(type);
  }
  event.target = target;
  return event;
}

function wrap(target: EventEmitter & { readonly closeWasClean: boolean }, type: string, listener: EventListenerLike, onAttribute: boolean): Wrapper {
  const wrapper: Wrapper = (...args: any[]) => {
    const event = toEvent(target, type, args);
    if (typeof listener === 'function') listener.call(target, event);
    else listener.handleEvent(event);
  };
  wrapper[kListener] = listener;
  wrapper[kOnAttribute] = onAttribute;
  return wrapper;
}

const WHATWG_TYPES = new Set(['open', 'message', 'close', 'error']);

export function addEventListener(
  target: EventEmitter & { readonly closeWasClean: boolean },
  type: string,
  listener: EventListenerLike | null,
  options?: boolean | { once?: boolean },
): void {
  if (listener === null || listener === undefined || !WHATWG_TYPES.has(type)) return;
  for (const existing of target.rawListeners(type) as Wrapper[]) {
    if (existing[kListener] === listener && !existing[kOnAttribute]) return;
  }
  const wrapper = wrap(target, type, listener, false);
  if (typeof options === 'object' && options !== null && options.once) target.once(type, wrapper);
  else target.on(type, wrapper);
}

export function removeEventListener(target: EventEmitter, type: string, listener: EventListenerLike | null): void {
  for (const existing of target.rawListeners(type) as Wrapper[]) {
    const inner = (existing as { listener?: Wrapper }).listener ?? existing;
    if (inner[kListener] === listener && !inner[kOnAttribute]) {
      target.removeListener(type, existing);
      return;
    }
  }
}

export function getOnAttribute(target: EventEmitter, type: string): EventListenerLike | null {
  for (const existing of target.rawListeners(type) as Wrapper[]) {
    if (existing[kOnAttribute]) return existing[kListener] ?? null;
  }
  return null;
}

export function setOnAttribute(target: EventEmitter & { readonly closeWasClean: boolean }, type: string, handler: unknown): void {
  for (const existing of target.rawListeners(type) as Wrapper[]) {
    if (existing[kOnAttribute]) target.removeListener(type, existing);
  }
  if (typeof handler === 'function') target.on(type, wrap(target, type, handler as EventListenerLike, true));
}
