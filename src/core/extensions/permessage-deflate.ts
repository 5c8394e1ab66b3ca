/**
 * permessage-deflate (RFC 7692) negotiation: pure functions over header
 * values, no zlib. The Node layer turns the negotiated parameters into a
 * MessageCodec (src/node/deflate-codec.ts).
 *
 * Window bits 8: zlib cannot deflate with a 256-byte window (it silently uses
 * 512 bytes, which a strict peer may reject). We still accept every legal
 * value: when the side we compress for is limited to 8 bits, our deflater uses
 * Huffman-only coding (Z_HUFFMAN_ONLY), which emits no back-references at all,
 * so the stream fits any window size and stays within the negotiated limit
 * (RFC 7692 §7.1.2.1/§7.1.2.2 bound only the distances the sender uses).
 * Inflating an 8-bit peer is plain zlib.
 */
import { type Extension, type ExtensionParam, formatExtensionHeader, parseExtensionHeader } from '../extension-header.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** The `perMessageDeflate` option (RFC 7692); see docs/permessage-deflate.md. */
export interface PerMessageDeflateOptions {
  /** Ask (client) or require (server) that the server resets its context after every message. */
  serverNoContextTakeover?: boolean;
  /** Ask (client) or require (server) that the client resets its context after every message. */
  clientNoContextTakeover?: boolean;
  /** 8..15: the largest LZ77 window the server may use when compressing. */
  serverMaxWindowBits?: number;
  /**
   * Client: `true` (default) offers the parameter without a value (the server
   * may then pick a limit), a number 8..15 offers and uses that limit,
   * `false` leaves it out. Server: a number limits the client's window (offers
   * without the parameter are then declined).
   */
  clientMaxWindowBits?: number | boolean;
  /** Messages shorter than this many bytes are sent uncompressed. Default 1024. */
  threshold?: number;
  /** zlib compression level, -1 (zlib default, 6) or 0..9. Default -1. */
  level?: number;
  /** zlib memLevel 1..9. Default 8. */
  memLevel?: number;
  /** Concurrent zlib operations per process (queued beyond). Default 10. */
  concurrencyLimit?: number;
  /**
   * The deflater's zlib settings under the name ws gives them: `level` and
   * `memLevel` (the same as the options above; give each once), `strategy`
   * and `chunkSize`. `windowBits` is accepted and ignored: negotiation sets it.
   */
  zlibDeflateOptions?: ZlibDeflateOptions;
  /**
   * The inflater's zlib settings under ws's name: `chunkSize`, the size of the
   * buffers it inflates into (default 64 KiB; 16 KiB saves 48 KiB on each
   * connection that has inflated, at some speed for larger messages).
   * `windowBits` is accepted and ignored: negotiation sets it.
   */
  zlibInflateOptions?: ZlibInflateOptions;
}

/** See `PerMessageDeflateOptions.zlibDeflateOptions`. */
export interface ZlibDeflateOptions {
  /** `PerMessageDeflateOptions.level` under ws's name. */
  level?: number;
  /** `PerMessageDeflateOptions.memLevel` under ws's name. */
  memLevel?: number;
  /** zlib strategy 0..4 (`zlib.constants.Z_DEFAULT_STRATEGY` .. `Z_FIXED`). */
  strategy?: number;
  /** Size of the deflater's output buffers, 64 bytes or more; zlib's default is 16 KiB. */
  chunkSize?: number;
  /** Ignored: the negotiated window is used (as in ws). */
  windowBits?: number;
}

/** See `PerMessageDeflateOptions.zlibInflateOptions`. */
export interface ZlibInflateOptions {
  /** Size of the inflater's output buffers, 64 bytes or more. Default 64 KiB. */
  chunkSize?: number;
  /** Ignored: the negotiated window is used (as in ws). */
  windowBits?: number;
}

export interface ResolvedPerMessageDeflate {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  clientMaxWindowBits: number | boolean;
  threshold: number;
  level: number;
  memLevel: number;
  concurrencyLimit: number;
  /** zlib strategy; undefined: zlib's default. */
  strategy: number | undefined;
  /** Output buffer sizes; undefined: the codec's defaults. */
  deflateChunkSize: number | undefined;
  inflateChunkSize: number | undefined;
}

/** What both sides agreed, after negotiation. Window bits are 8..15. */
export interface NegotiatedDeflate {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** The parameters a MessageCodec needs for one side of one connection. */
export interface DeflateCodecConfig {
  /** Window for what we compress (8 means Huffman-only, see the file comment). */
  deflateWindowBits: number;
  /** Window the peer compresses with. */
  inflateWindowBits: number;
  deflateNoContextTakeover: boolean;
  inflateNoContextTakeover: boolean;
  level: number;
  memLevel: number;
  concurrencyLimit: number;
  strategy?: number | undefined;
  deflateChunkSize?: number | undefined;
  inflateChunkSize?: number | undefined;
}

export class ExtensionNegotiationError extends Error {
  readonly code = 'WS_ERR_EXTENSION_NEGOTIATION';
  constructor(message: string) {
    super(message);
    this.name = 'ExtensionNegotiationError';
  }
}

export class InvalidDeflateOptionError extends TypeError {
  readonly code = 'WS_ERR_INVALID_OPTION';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDeflateOptionError';
  }
}

function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidDeflateOptionError(
      `perMessageDeflate.${name} must be an integer from ${min} to ${max}; got ${String(value)}.`,
    );
  }
  return value;
}

function checkBool(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new InvalidDeflateOptionError(`perMessageDeflate.${name} must be a boolean; got ${String(value)}.`);
  }
  return value;
}

/**
 * Validates the `perMessageDeflate` option. `undefined` means the side's
 * default (`ws` semantics: clients offer compression, servers do not);
 * `false` disables, `true` enables with defaults, an object enables with
 * those settings. Returns null when disabled.
 */
export function resolvePerMessageDeflate(
  value: boolean | PerMessageDeflateOptions | undefined | null,
  enabledByDefault: boolean,
): ResolvedPerMessageDeflate | null {
  if (value === undefined || value === null) {
    if (!enabledByDefault) return null;
    value = {};
  }
  if (value === false) return null;
  if (value === true) value = {};
  if (typeof value !== 'object') {
    throw new InvalidDeflateOptionError(
      `perMessageDeflate must be a boolean or an options object; got ${typeof value}.`,
    );
  }
  const o = value;
  let clientMaxWindowBits: number | boolean = true;
  if (typeof o.clientMaxWindowBits === 'boolean') clientMaxWindowBits = o.clientMaxWindowBits;
  else if (o.clientMaxWindowBits !== undefined) {
    clientMaxWindowBits = checkInt('clientMaxWindowBits', o.clientMaxWindowBits, 8, 15);
  }
  const zd = zlibOptions('zlibDeflateOptions', o.zlibDeflateOptions, DEFLATE_KEYS);
  const zi = zlibOptions('zlibInflateOptions', o.zlibInflateOptions, INFLATE_KEYS);
  const level = onceOf('level', o.level, zd.level);
  const memLevel = onceOf('memLevel', o.memLevel, zd.memLevel);
  return {
    serverNoContextTakeover: checkBool('serverNoContextTakeover', o.serverNoContextTakeover),
    clientNoContextTakeover: checkBool('clientNoContextTakeover', o.clientNoContextTakeover),
    serverMaxWindowBits:
      o.serverMaxWindowBits === undefined ? undefined : checkInt('serverMaxWindowBits', o.serverMaxWindowBits, 8, 15),
    clientMaxWindowBits,
    threshold: o.threshold === undefined ? 1024 : checkInt('threshold', o.threshold, 0, Number.MAX_SAFE_INTEGER),
    level: level === undefined ? -1 : checkInt(level.name, level.value, -1, 9),
    memLevel: memLevel === undefined ? 8 : checkInt(memLevel.name, memLevel.value, 1, 9),
    concurrencyLimit:
      o.concurrencyLimit === undefined ? 10 : checkInt('concurrencyLimit', o.concurrencyLimit, 1, 1_000_000),
    strategy: zd.strategy === undefined ? undefined : checkInt('zlibDeflateOptions.strategy', zd.strategy, 0, 4),
    deflateChunkSize: chunkSize('zlibDeflateOptions', zd.chunkSize),
    inflateChunkSize: chunkSize('zlibInflateOptions', zi.chunkSize),
  };
}

const DEFLATE_KEYS = ['level', 'memLevel', 'strategy', 'chunkSize', 'windowBits'];
const INFLATE_KEYS = ['chunkSize', 'windowBits'];
/** zlib's Z_MIN_CHUNK; the upper bound only keeps a typo from allocating gigabytes per connection. */
const MIN_CHUNK = 64;
const MAX_CHUNK = 64 * 1024 * 1024;

/** ws's zlib option objects: the keys socketeer honours, checked; any other key is an error, not silently dropped. */
function zlibOptions(name: string, value: unknown, keys: string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidDeflateOptionError(`perMessageDeflate.${name} must be an object; got ${String(value)}.`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!keys.includes(key)) {
      throw new InvalidDeflateOptionError(
        `perMessageDeflate.${name}.${key} is not supported; use only ${keys.join(', ')}.`,
      );
    }
  }
  if (record.windowBits !== undefined) checkInt(`${name}.windowBits`, record.windowBits, 8, 15);
  return record;
}

/** A setting that has a socketeer name and a ws name (in zlibDeflateOptions): either, or both if equal. */
function onceOf(name: string, flat: unknown, zlib: unknown): { name: string; value: unknown } | undefined {
  if (flat !== undefined && zlib !== undefined && flat !== zlib) {
    throw new InvalidDeflateOptionError(
      `perMessageDeflate.${name} (${String(flat)}) and perMessageDeflate.zlibDeflateOptions.${name} (${String(zlib)}) disagree; give one of them.`,
    );
  }
  if (flat !== undefined) return { name, value: flat };
  if (zlib !== undefined) return { name: `zlibDeflateOptions.${name}`, value: zlib };
  return undefined;
}

function chunkSize(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkInt(`${name}.chunkSize`, value, MIN_CHUNK, MAX_CHUNK);
}

/** The client's Sec-WebSocket-Extensions offer. */
export function clientOffer(options: ResolvedPerMessageDeflate): string {
  const params: ExtensionParam[] = [];
  if (options.serverNoContextTakeover) params.push({ name: 'server_no_context_takeover', value: true });
  if (options.clientNoContextTakeover) params.push({ name: 'client_no_context_takeover', value: true });
  if (options.serverMaxWindowBits !== undefined) {
    params.push({ name: 'server_max_window_bits', value: String(options.serverMaxWindowBits) });
  }
  if (typeof options.clientMaxWindowBits === 'number') {
    params.push({ name: 'client_max_window_bits', value: String(options.clientMaxWindowBits) });
  } else if (options.clientMaxWindowBits) {
    params.push({ name: 'client_max_window_bits', value: true });
  }
  return formatExtensionHeader([{ name: PERMESSAGE_DEFLATE, params }]);
}

/** The four parameters of one offer or response, or a reason it is invalid. */
interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true` when present without a value. */
  clientMaxWindowBits: number | true | undefined;
}

/** RFC 7692 §7.1.2: a decimal integer 8..15 without leading zeros. */
function parseWindowBits(value: string | true): number | undefined {
  if (value === true || !/^(?:[89]|1[0-5])$/.test(value)) return undefined;
  return Number(value);
}

function readParams(extension: Extension): DeflateParams | string {
  const result: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen: string[] = [];
  for (const { name, value } of extension.params) {
    if (seen.includes(name)) return `parameter ${name} appears twice`;
    seen.push(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return `parameter ${name} must not have a value`;
        if (name === 'server_no_context_takeover') result.serverNoContextTakeover = true;
        else result.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = parseWindowBits(value);
        if (bits === undefined) return `server_max_window_bits must be 8..15 (got ${value === true ? 'no value' : value})`;
        result.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        if (value === true) {
          result.clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(value);
        if (bits === undefined) return `client_max_window_bits must be 8..15 (got ${value})`;
        result.clientMaxWindowBits = bits;
        break;
      }
      default:
        return `unknown parameter ${name.slice(0, 64)}`;
    }
  }
  return result;
}

function serverAcceptOne(offer: DeflateParams, options: ResolvedPerMessageDeflate): NegotiatedDeflate | undefined {
  let clientMaxWindowBits: number;
  if (typeof options.clientMaxWindowBits === 'number') {
    // We want to bound the client's window; an offer that cannot be bounded is declined.
    if (offer.clientMaxWindowBits === undefined) return undefined;
    clientMaxWindowBits = Math.min(
      options.clientMaxWindowBits,
      offer.clientMaxWindowBits === true ? 15 : offer.clientMaxWindowBits,
    );
  } else {
    clientMaxWindowBits = typeof offer.clientMaxWindowBits === 'number' ? offer.clientMaxWindowBits : 15;
  }
  const serverMaxWindowBits = Math.min(options.serverMaxWindowBits ?? 15, offer.serverMaxWindowBits ?? 15);
  return {
    serverNoContextTakeover: options.serverNoContextTakeover || offer.serverNoContextTakeover,
    clientNoContextTakeover: options.clientNoContextTakeover || offer.clientNoContextTakeover,
    serverMaxWindowBits,
    clientMaxWindowBits,
  };
}

export interface ServerAcceptance {
  params: NegotiatedDeflate;
  /** The permessage-deflate element for the response's Sec-WebSocket-Extensions. */
  response: string;
}

/**
 * The server's choice: the first permessage-deflate offer it can honour
 * (malformed offers, unknown or duplicate parameters and out-of-range values
 * are declined, RFC 7692 §5 and §7.1), or null if there is none. Throws
 * ExtensionHeaderError ('WS_ERR_INVALID_EXTENSION_HEADER') when the header is
 * outside the RFC 6455 grammar: answer 400.
 */
export function serverAccept(
  header: string | undefined,
  options: ResolvedPerMessageDeflate,
): ServerAcceptance | null {
  if (header === undefined || header.trim() === '') return null;
  for (const extension of parseExtensionHeader(header)) {
    if (extension.name !== PERMESSAGE_DEFLATE) continue;
    const offer = readParams(extension);
    if (typeof offer === 'string') continue;
    const params = serverAcceptOne(offer, options);
    if (params === undefined) continue;
    const out: ExtensionParam[] = [];
    if (params.serverNoContextTakeover) out.push({ name: 'server_no_context_takeover', value: true });
    if (params.clientNoContextTakeover) out.push({ name: 'client_no_context_takeover', value: true });
    if (params.serverMaxWindowBits < 15 || offer.serverMaxWindowBits !== undefined) {
      out.push({ name: 'server_max_window_bits', value: String(params.serverMaxWindowBits) });
    }
    if (offer.clientMaxWindowBits !== undefined && (params.clientMaxWindowBits < 15 || offer.clientMaxWindowBits !== true)) {
      out.push({ name: 'client_max_window_bits', value: String(params.clientMaxWindowBits) });
    }
    return { params, response: formatExtensionHeader([{ name: PERMESSAGE_DEFLATE, params: out }]) };
  }
  return null;
}

function fail(message: string): never {
  throw new ExtensionNegotiationError(`The server's permessage-deflate response is not acceptable: ${message}.`);
}

/**
 * The client's check of the server's Sec-WebSocket-Extensions against what it
 * offered (`options`, or null if it offered nothing). Returns the agreed
 * parameters (the client's own stricter choices folded in), or null when the
 * server did not accept compression. Throws ExtensionNegotiationError (code
 * 'WS_ERR_EXTENSION_NEGOTIATION'): the client must fail the connection (1010).
 */
export function clientAccept(
  header: string | undefined,
  options: ResolvedPerMessageDeflate | null,
): NegotiatedDeflate | null {
  if (header === undefined || header.trim() === '') return null;
  let extensions: Extension[];
  try {
    extensions = parseExtensionHeader(header);
  } catch (error) {
    fail((error as Error).message);
  }
  let accepted: NegotiatedDeflate | null = null;
  for (const extension of extensions) {
    if (extension.name !== PERMESSAGE_DEFLATE) fail(`extension ${extension.name.slice(0, 64)} was not offered`);
    if (options === null) fail('permessage-deflate was not offered');
    if (accepted !== null) fail('permessage-deflate appears twice');
    const response = readParams(extension);
    if (typeof response === 'string') fail(response);
    if (response.clientMaxWindowBits === true) fail('client_max_window_bits must have a value in a response');
    if (response.clientMaxWindowBits !== undefined) {
      if (options.clientMaxWindowBits === false) fail('client_max_window_bits was not offered');
      if (typeof options.clientMaxWindowBits === 'number' && response.clientMaxWindowBits > options.clientMaxWindowBits) {
        fail(`client_max_window_bits=${response.clientMaxWindowBits} exceeds the offered ${options.clientMaxWindowBits}`);
      }
    }
    if (options.serverNoContextTakeover && !response.serverNoContextTakeover) {
      fail('server_no_context_takeover was requested but not accepted');
    }
    if (options.serverMaxWindowBits !== undefined) {
      if (response.serverMaxWindowBits === undefined) fail('server_max_window_bits was requested but not accepted');
      if (response.serverMaxWindowBits > options.serverMaxWindowBits) {
        fail(`server_max_window_bits=${response.serverMaxWindowBits} exceeds the offered ${options.serverMaxWindowBits}`);
      }
    }
    const ownLimit = typeof options.clientMaxWindowBits === 'number' ? options.clientMaxWindowBits : 15;
    accepted = {
      serverNoContextTakeover: response.serverNoContextTakeover,
      clientNoContextTakeover: response.clientNoContextTakeover || options.clientNoContextTakeover,
      serverMaxWindowBits: response.serverMaxWindowBits ?? 15,
      clientMaxWindowBits: Math.min(ownLimit, response.clientMaxWindowBits ?? 15),
    };
  }
  return accepted;
}

/** Codec settings for one side of a connection with `params` agreed. */
export function codecConfig(
  params: NegotiatedDeflate,
  isServer: boolean,
  options: ResolvedPerMessageDeflate,
): DeflateCodecConfig {
  const ours = isServer
    ? { bits: params.serverMaxWindowBits, reset: params.serverNoContextTakeover }
    : { bits: params.clientMaxWindowBits, reset: params.clientNoContextTakeover };
  const theirs = isServer
    ? { bits: params.clientMaxWindowBits, reset: params.clientNoContextTakeover }
    : { bits: params.serverMaxWindowBits, reset: params.serverNoContextTakeover };
  return {
    deflateWindowBits: ours.bits,
    inflateWindowBits: theirs.bits,
    deflateNoContextTakeover: ours.reset,
    inflateNoContextTakeover: theirs.reset,
    level: options.level,
    memLevel: options.memLevel,
    concurrencyLimit: options.concurrencyLimit,
    strategy: options.strategy,
    deflateChunkSize: options.deflateChunkSize,
    inflateChunkSize: options.inflateChunkSize,
  };
}
