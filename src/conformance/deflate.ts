// permessage-deflate (RFC 7692) for the raw tester: its own negotiation checks
// and its own compressor/decompressor on node:zlib, independent of socketeer's.
// Context takeover is modelled with zlib dictionaries (the window is the
// previous messages' bytes), so every call is synchronous and the order of
// messages on the wire is the order of calls.
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/** Largest message the tester inflates (above the suite's 16 MiB messages). */
const MAX_INFLATED = 64 * 1024 * 1024;

export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** Window bits 8..15 each side compresses with. */
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

type ParamMap = Map<string, string | true>;

/** Parses a Sec-WebSocket-Extensions value into its offers/answers; throws on bad syntax. */
export function parseExtensions(header: string): { name: string; params: ParamMap }[] {
  if (!header.trim()) return [];
  return header.split(',').map((item) => {
    const [name, ...rest] = item.split(';').map((s) => s.trim());
    if (!name || !/^[\w!#$%&'*+.^`|~-]+$/.test(name)) throw new Error(`bad extension name in "${header}"`);
    const params: ParamMap = new Map();
    for (const p of rest) {
      const eq = p.indexOf('=');
      const key = (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase();
      let value: string | true = eq === -1 ? true : p.slice(eq + 1).trim();
      if (typeof value === 'string' && value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      if (!key) throw new Error(`empty parameter in "${header}"`);
      if (params.has(key)) throw new Error(`parameter ${key} appears twice in "${header}"`);
      params.set(key, value);
    }
    return { name: name.toLowerCase(), params };
  });
}

const KNOWN = ['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits', 'client_max_window_bits'];

function windowBits(value: string | true | undefined, name: string, allowBare: boolean): number | undefined | true {
  if (value === undefined) return undefined;
  if (value === true) {
    if (allowBare) return true;
    throw new Error(`${name} needs a value`);
  }
  if (!/^(8|9|1[0-5])$/.test(value)) throw new Error(`${name}=${value} is not 8..15`);
  return Number(value);
}

/**
 * Server mode: checks the server's answer against our offer (RFC 7692 7.1)
 * and returns what was agreed; null when the server declined. Throws with the
 * reason on an answer a client must refuse.
 */
export function acceptedParams(offer: string, answer: string): DeflateParams | null {
  const answers = parseExtensions(answer);
  if (answers.length === 0) return null;
  const pmd = answers.filter((a) => a.name === 'permessage-deflate');
  if (answers.length !== 1 || pmd.length !== 1) throw new Error(`the server answered extensions we did not offer: "${answer}"`);
  const offered = parseExtensions(offer)[0]!.params;
  const params = pmd[0]!.params;
  for (const key of params.keys()) if (!KNOWN.includes(key)) throw new Error(`unknown permessage-deflate parameter ${key}`);
  for (const flag of ['server_no_context_takeover', 'client_no_context_takeover']) {
    if (params.has(flag) && params.get(flag) !== true) throw new Error(`${flag} must not have a value`);
  }
  const smwb = windowBits(params.get('server_max_window_bits'), 'server_max_window_bits', false) as number | undefined;
  const cmwb = windowBits(params.get('client_max_window_bits'), 'client_max_window_bits', false) as number | undefined;
  const offeredSmwb = windowBits(offered.get('server_max_window_bits'), 'server_max_window_bits', false) as number | undefined;
  const offeredCmwb = windowBits(offered.get('client_max_window_bits'), 'client_max_window_bits', true);
  if (offeredSmwb !== undefined && (smwb === undefined || smwb > offeredSmwb)) {
    throw new Error(`we offered server_max_window_bits=${offeredSmwb}; the server answered ${smwb ?? 'without it'}`);
  }
  if (cmwb !== undefined && offeredCmwb === undefined) throw new Error('the server answered client_max_window_bits, which we did not offer');
  if (offered.has('server_no_context_takeover') && !params.has('server_no_context_takeover')) {
    throw new Error('we asked for server_no_context_takeover; the server answered without it');
  }
  const ourLimit = typeof offeredCmwb === 'number' ? offeredCmwb : 15;
  return {
    serverNoContextTakeover: params.has('server_no_context_takeover'),
    clientNoContextTakeover: params.has('client_no_context_takeover') || offered.has('client_no_context_takeover'),
    serverMaxWindowBits: smwb ?? 15,
    clientMaxWindowBits: Math.min(cmwb ?? 15, ourLimit),
  };
}

/**
 * Client mode: the answer to a client's offer that carries the case's
 * parameters (`wanted`, an answer such as "permessage-deflate;
 * server_no_context_takeover"), plus whatever the client's offer makes
 * mandatory; null when no offer can take these parameters.
 */
export function answerOffer(offerHeader: string, wanted: string): { answer: string; params: DeflateParams } | { declined: string } {
  let offers;
  try {
    offers = parseExtensions(offerHeader).filter((o) => o.name === 'permessage-deflate');
  } catch (error) {
    return { declined: `unparsable Sec-WebSocket-Extensions: ${(error as Error).message}` };
  }
  if (offers.length === 0) return { declined: 'the client did not offer permessage-deflate' };
  const want = parseExtensions(wanted)[0]!.params;
  let lastReason = '';
  for (const offer of offers) {
    const o = offer.params;
    try {
      if ([...o.keys()].some((k) => !KNOWN.includes(k))) throw new Error('offer with unknown parameters');
      const answer = new Map(want);
      // A bare client_max_window_bits (as in an offer) sets no limit: it has no place in an answer.
      if (answer.get('client_max_window_bits') === true) answer.delete('client_max_window_bits');
      const offeredCmwb = windowBits(o.get('client_max_window_bits'), 'client_max_window_bits', true);
      const offeredSmwb = windowBits(o.get('server_max_window_bits'), 'server_max_window_bits', false) as number | undefined;
      if (answer.has('client_max_window_bits') && offeredCmwb === undefined) {
        throw new Error('the client did not offer client_max_window_bits');
      }
      if (o.has('server_no_context_takeover')) answer.set('server_no_context_takeover', true);
      if (offeredSmwb !== undefined) {
        const w = answer.get('server_max_window_bits');
        if (w === undefined || Number(w) > offeredSmwb) answer.set('server_max_window_bits', String(offeredSmwb));
      }
      const cmwb = answer.has('client_max_window_bits') ? Number(answer.get('client_max_window_bits')) : undefined;
      const clientLimit = Math.min(cmwb ?? 15, typeof offeredCmwb === 'number' ? offeredCmwb : 15);
      if (cmwb !== undefined && clientLimit !== cmwb) answer.set('client_max_window_bits', String(clientLimit));
      const text = ['permessage-deflate', ...[...answer].map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; ');
      return {
        answer: text,
        params: {
          serverNoContextTakeover: answer.has('server_no_context_takeover'),
          clientNoContextTakeover: answer.has('client_no_context_takeover') || o.has('client_no_context_takeover'),
          serverMaxWindowBits: answer.has('server_max_window_bits') ? Number(answer.get('server_max_window_bits')) : 15,
          clientMaxWindowBits: clientLimit,
        },
      };
    } catch (error) {
      lastReason = (error as Error).message;
    }
  }
  return { declined: `no permessage-deflate offer fits "${wanted}": ${lastReason}` };
}

/** One direction's history: the bytes the next message may refer back to. */
class Window {
  private bytes = Buffer.alloc(0);
  constructor(
    private readonly bits: number,
    private readonly takeover: boolean,
  ) {}
  get dictionary(): Buffer | undefined {
    return this.takeover && this.bytes.length ? this.bytes : undefined;
  }
  add(message: Buffer): void {
    if (!this.takeover) return;
    const keep = 1 << Math.max(this.bits, 9);
    this.bytes = Buffer.concat([this.bytes, message]);
    if (this.bytes.length > keep) this.bytes = Buffer.from(this.bytes.subarray(this.bytes.length - keep));
  }
}

/** The tester's side of a permessage-deflate connection. */
export class DeflateContext {
  private readonly out: Window;
  private readonly in: Window;
  private readonly outBits: number;
  private readonly inBits: number;

  constructor(
    readonly params: DeflateParams,
    role: 'client' | 'server',
  ) {
    const mine = role === 'client' ? 'client' : 'server';
    const theirs = role === 'client' ? 'server' : 'client';
    this.outBits = params[`${mine}MaxWindowBits`];
    this.inBits = params[`${theirs}MaxWindowBits`];
    this.out = new Window(this.outBits, !params[`${mine}NoContextTakeover`]);
    this.in = new Window(this.inBits, !params[`${theirs}NoContextTakeover`]);
  }

  /** Compresses one message (the 4-byte tail removed, RFC 7692 7.2.1). */
  compress(message: Buffer): Buffer {
    // zlib cannot keep to a 256-byte window: Huffman-only coding uses no distances at all.
    const huffman = this.outBits === 8;
    const dictionary = huffman ? undefined : this.out.dictionary;
    const compressed = deflateRawSync(message, {
      finishFlush: constants.Z_SYNC_FLUSH,
      windowBits: huffman ? 9 : this.outBits,
      ...(huffman ? { strategy: constants.Z_HUFFMAN_ONLY } : {}),
      ...(dictionary ? { dictionary } : {}),
    });
    this.out.add(message);
    return compressed.subarray(-4).equals(TAIL) ? compressed.subarray(0, -4) : compressed;
  }

  /** Inflates one message from the peer; throws with zlib's reason on bad data. */
  inflate(payload: Buffer): Buffer {
    const dictionary = this.in.dictionary;
    const message = inflateRawSync(Buffer.concat([payload, TAIL]), {
      finishFlush: constants.Z_SYNC_FLUSH,
      windowBits: this.inBits,
      maxOutputLength: MAX_INFLATED,
      ...(dictionary ? { dictionary } : {}),
    });
    this.in.add(message);
    return message;
  }
}

export function describeParams(p: DeflateParams): string {
  const parts = [`server window ${p.serverMaxWindowBits}`, `client window ${p.clientMaxWindowBits}`];
  if (p.serverNoContextTakeover) parts.push('server_no_context_takeover');
  if (p.clientNoContextTakeover) parts.push('client_no_context_takeover');
  return parts.join(', ');
}
