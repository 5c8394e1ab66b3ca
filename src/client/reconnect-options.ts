/**
 * The reconnecting client's options, their defaults, and their checks: a bad
 * option throws a TypeError with `code` WS_ERR_INVALID_OPTION before anything
 * is dialled. Portable (no Node types).
 */
import { ErrorCode } from '../core/errors.js';
import type { LinkClose } from './link.js';

/** What `shouldReconnect(info)` is told about a lost connection. */
export interface ReconnectInfo {
  /** Reconnect attempt number this delay precedes (1 for the first retry). */
  attempt: number;
  /** The close code of the lost connection (1006 for a drop or a failed handshake). */
  code: number;
  /** Its close reason. */
  reason: string;
  /** Whether it ended with a closing handshake. */
  wasClean: boolean;
  /** The HTTP status of a refused handshake (Node only; browsers hide it). */
  status?: number;
  /** The error that ended the connection or its handshake, if one was reported. */
  error?: unknown;
}

/** What the `replay` hook gets after each reconnect. */
export interface ReplayContext {
  /** Which reconnect this is (1 after the first drop). */
  attempt: number;
  /** Send straight on the new connection, ahead of the queued messages. */
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void>;
}

/** The `reconnect` option of `ReconnectingWebSocket`: backoff, retries, final codes, queue and replay. */
export interface ReconnectOptions {
  /** Reconnect attempts in a row before giving up (default Infinity). */
  retries?: number;
  /** Smallest wait before an attempt, ms (default 500). Every wait is at least this. */
  minDelay?: number;
  /** Largest wait before an attempt, ms (default 30 000). */
  maxDelay?: number;
  /** Growth of the wait per failed attempt (default 2). */
  factor?: number;
  /** Share of the wait drawn at random, 0 to 1 (default 1: full jitter between minDelay and the cap). */
  jitter?: number;
  /** A connection that stays open this long (ms) resets the attempt count (default 5000). */
  resetAfter?: number;
  /** Close codes after which the client stays away (default [1008]). */
  finalCodes?: readonly number[];
  /** Decide instead of the default policy (final codes, 4xx answers). An app close or spent retries still stop. */
  shouldReconnect?: (info: ReconnectInfo) => boolean;
  /** Messages held while disconnected (default 1000). */
  maxQueuedMessages?: number;
  /** Bytes held while disconnected (default 1 MiB). */
  maxQueuedBytes?: number;
  /** Runs after each reconnect, before queued messages go out (re-subscribe here). */
  replay?: (context: ReplayContext) => void | Promise<void>;
}

export type ResolvedReconnectOptions = Required<Omit<ReconnectOptions, 'shouldReconnect' | 'replay'>> &
  Pick<ReconnectOptions, 'shouldReconnect' | 'replay'>;

export const RECONNECT_DEFAULTS = {
  retries: Infinity,
  minDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  jitter: 1,
  resetAfter: 5000,
  finalCodes: [1008] as readonly number[],
  maxQueuedMessages: 1000,
  maxQueuedBytes: 1024 * 1024,
};

export function optionError(message: string): TypeError & { code: string } {
  return Object.assign(new TypeError(message), { code: ErrorCode.InvalidOption });
}

function number(options: ReconnectOptions, name: keyof typeof RECONNECT_DEFAULTS, min: number, max = Infinity, integer = false): number {
  const value = options[name] ?? RECONNECT_DEFAULTS[name];
  const ok = typeof value === 'number' && !Number.isNaN(value) && value >= min && value <= max && (!integer || Number.isInteger(value) || value === Infinity);
  if (!ok) {
    const wanted = integer ? `an integer >= ${min} (or Infinity)` : max === Infinity ? `a number >= ${min}` : `a number from ${min} to ${max}`;
    throw optionError(`reconnect.${name} must be ${wanted}, got ${String(value)}`);
  }
  return value as number;
}

/** Checks and completes the options; throws TypeError (code WS_ERR_INVALID_OPTION) on a bad one. */
export function resolveReconnectOptions(input: ReconnectOptions | true | undefined): ResolvedReconnectOptions {
  if (input !== undefined && input !== true && (typeof input !== 'object' || input === null)) {
    throw optionError(`reconnect must be an options object or true, got ${String(input)}`);
  }
  const options: ReconnectOptions = input === true || input === undefined ? {} : input;
  const minDelay = number(options, 'minDelay', 1, 2 ** 31 - 1);
  const maxDelay = number(options, 'maxDelay', 1, 2 ** 31 - 1);
  if (maxDelay < minDelay) throw optionError(`reconnect.maxDelay (${maxDelay}) must not be below reconnect.minDelay (${minDelay})`);
  const finalCodes = options.finalCodes ?? RECONNECT_DEFAULTS.finalCodes;
  if (!Array.isArray(finalCodes) || !finalCodes.every((code) => Number.isInteger(code) && code >= 1000 && code <= 4999)) {
    throw optionError('reconnect.finalCodes must be an array of close codes (integers from 1000 to 4999)');
  }
  for (const name of ['shouldReconnect', 'replay'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw optionError(`reconnect.${name} must be a function`);
    }
  }
  return {
    retries: number(options, 'retries', 0, Infinity, true),
    minDelay,
    maxDelay,
    factor: number(options, 'factor', 1, 1000),
    jitter: number(options, 'jitter', 0, 1),
    resetAfter: number(options, 'resetAfter', 0, 2 ** 31 - 1),
    finalCodes: [...finalCodes],
    maxQueuedMessages: number(options, 'maxQueuedMessages', 0, Infinity, true),
    maxQueuedBytes: number(options, 'maxQueuedBytes', 0),
    shouldReconnect: options.shouldReconnect,
    replay: options.replay,
  };
}

/** A handshake failure's or close's details, for shouldReconnect and the 'reconnecting' event. */
export function reconnectInfo(attempt: number, close: LinkClose): ReconnectInfo {
  const info: ReconnectInfo = { attempt, code: close.code, reason: close.reason, wasClean: close.wasClean };
  if (close.status !== undefined) info.status = close.status;
  if (close.error !== undefined) info.error = close.error;
  return info;
}
