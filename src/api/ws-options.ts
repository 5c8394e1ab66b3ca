import type { ClientRequest } from 'node:http';
import { ErrorCode, WebSocketError } from '../core/errors.js';
import type { TransportOptions } from '../node/socket-transport.js';

/**
 * Options the npm `ws` package takes that are not limits: accepted with
 * ws's meaning, or refused with a coded error when socketeer cannot honour
 * the value (never ignored). docs/ws-compat.md lists each one.
 */
export interface WsProtocolOptions {
  /** Answer every ping with a pong automatically (default true). */
  autoPong?: boolean;
  /** Only `true` (the default) is supported: messages are emitted as soon as they are parsed. */
  allowSynchronousEvents?: boolean;
  /** Deliver text messages without checking their UTF-8 (default false). Close reasons are still checked. */
  skipUTF8Validation?: boolean;
  /** Client only: fills the 4-byte masking key of each frame (default: random bytes). */
  generateMask?: (mask: Buffer) => void;
}

export interface WsClientOptions<Socket = unknown> extends WsProtocolOptions {
  /** `Sec-WebSocket-Version`: 13 (default) or 8. */
  protocolVersion?: number;
  /** Called instead of `request.end()`: write to the request, then end it yourself. */
  finishRequest?: (request: ClientRequest, websocket: Socket) => void;
}

export type ProtocolKnobs = NonNullable<TransportOptions['protocol']>;

const SUPPORTED_VERSIONS = [8, 13];

function invalid(name: string, expected: string, value: unknown, Kind: new (message: string) => Error = TypeError): Error {
  return Object.assign(new Kind(`The option "${name}" must be ${expected}; got ${describe(value)}`), { code: ErrorCode.InvalidOption });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
}

function checkBoolean(options: Record<string, unknown>, name: string): void {
  if (options[name] !== undefined && typeof options[name] !== 'boolean') throw invalid(name, 'a boolean', options[name]);
}

function checkFunction(options: Record<string, unknown>, name: string): void {
  if (options[name] !== undefined && typeof options[name] !== 'function') throw invalid(name, 'a function', options[name]);
}

/**
 * Checks the ws protocol options of a client or server and returns what the
 * core needs. Throws a TypeError/RangeError with `code` WS_ERR_INVALID_OPTION
 * for a wrong type, a WebSocketError WS_ERR_UNSUPPORTED_OPTION for a value
 * socketeer does not implement.
 */
export function protocolKnobs(options: WsProtocolOptions, role: 'client' | 'server'): ProtocolKnobs {
  const record = options as Record<string, unknown>;
  for (const name of ['autoPong', 'allowSynchronousEvents', 'skipUTF8Validation']) checkBoolean(record, name);
  checkFunction(record, 'generateMask');
  if (options.allowSynchronousEvents === false) {
    throw new WebSocketError(
      ErrorCode.UnsupportedOption,
      'allowSynchronousEvents: false is not supported: socketeer emits each message as soon as it is parsed; remove the option, or defer the work in your listener with setImmediate()',
      0,
    );
  }
  const knobs: ProtocolKnobs = {};
  if (options.autoPong === false) knobs.autoPong = false;
  if (options.skipUTF8Validation === true) knobs.skipUtf8Validation = true;
  const fill = options.generateMask;
  if (fill !== undefined && role === 'client') {
    knobs.generateMask = () => {
      const mask = Buffer.alloc(4);
      fill(mask);
      return mask;
    };
  }
  return knobs;
}

/** The client-only ws options: `protocolVersion` (8 or 13), `finishRequest`, `createConnection`, `lookup`. */
export function checkClientOptions(options: WsClientOptions<never>): void {
  const record = options as Record<string, unknown>;
  for (const name of ['finishRequest', 'createConnection', 'lookup']) checkFunction(record, name);
  const version = options.protocolVersion;
  if (version !== undefined && !SUPPORTED_VERSIONS.includes(version)) {
    throw invalid('protocolVersion', `one of ${SUPPORTED_VERSIONS.join(', ')} (the Sec-WebSocket-Version sent)`, version, RangeError);
  }
}
