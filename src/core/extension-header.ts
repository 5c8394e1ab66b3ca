/**
 * The Sec-WebSocket-Extensions header (RFC 6455 §9.1):
 *
 *   extension-list = 1#extension
 *   extension      = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" ( token / quoted-string ) ]
 *
 * with optional whitespace around every separator and empty list elements
 * tolerated (RFC 7230 §7). A quoted value must be a token once unescaped
 * (RFC 6455 §9.1), so every parsed value is a token.
 *
 * The parser is a single left-to-right scan with no backtracking: its cost is
 * linear in the header's length whatever the input. Names are kept in arrays,
 * never used as object keys, so "__proto__" or "constructor" are plain data.
 */

export interface ExtensionParam {
  readonly name: string;
  /** `true` when the parameter has no value. */
  readonly value: string | true;
}

export interface Extension {
  readonly name: string;
  /** In header order; duplicates are kept so that callers can refuse them. */
  readonly params: readonly ExtensionParam[];
}

export class ExtensionHeaderError extends Error {
  readonly code = 'WS_ERR_INVALID_EXTENSION_HEADER';
  constructor(message: string) {
    super(message);
    this.name = 'ExtensionHeaderError';
  }
}

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMI = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTchar(value.charCodeAt(i))) return false;
  return true;
}

function describe(header: string, at: number): string {
  if (at >= header.length) return 'at the end of the header';
  const c = header.charCodeAt(at);
  const shown = c >= 0x21 && c <= 0x7e ? `'${header[at]}'` : `code ${c}`;
  return `at offset ${at} (${shown})`;
}

/**
 * Parses a Sec-WebSocket-Extensions value (several header lines joined with
 * ", " count as one). Throws ExtensionHeaderError (code
 * 'WS_ERR_INVALID_EXTENSION_HEADER') on anything outside the grammar,
 * including a list with no extension at all.
 */
export function parseExtensionHeader(header: string): Extension[] {
  const out: Extension[] = [];
  const n = header.length;
  let i = 0;

  const skipOws = (): void => {
    while (i < n) {
      const c = header.charCodeAt(i);
      if (c !== SP && c !== HTAB) break;
      i++;
    }
  };
  const readToken = (what: string): string => {
    const start = i;
    while (i < n && isTchar(header.charCodeAt(i))) i++;
    if (i === start) {
      throw new ExtensionHeaderError(
        `Invalid Sec-WebSocket-Extensions header: expected ${what} ${describe(header, i)}.`,
      );
    }
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let value = '';
    let runStart = i;
    while (true) {
      if (i >= n) {
        throw new ExtensionHeaderError('Invalid Sec-WebSocket-Extensions header: unterminated quoted string.');
      }
      const c = header.charCodeAt(i);
      if (c === DQUOTE) {
        value += header.slice(runStart, i);
        i++;
        break;
      }
      if (c === BACKSLASH) {
        value += header.slice(runStart, i);
        i++;
        if (i >= n) {
          throw new ExtensionHeaderError('Invalid Sec-WebSocket-Extensions header: unterminated quoted string.');
        }
        const escaped = header.charCodeAt(i);
        if (escaped !== HTAB && (escaped < 0x20 || escaped === 0x7f || escaped > 0xff)) {
          throw new ExtensionHeaderError(
            `Invalid Sec-WebSocket-Extensions header: invalid escaped character ${describe(header, i)}.`,
          );
        }
        value += header[i];
        i++;
        runStart = i;
        continue;
      }
      if (c !== HTAB && (c < 0x20 || c === 0x7f || c > 0xff)) {
        throw new ExtensionHeaderError(
          `Invalid Sec-WebSocket-Extensions header: invalid character in quoted string ${describe(header, i)}.`,
        );
      }
      i++;
    }
    if (!isToken(value)) {
      throw new ExtensionHeaderError(
        `Invalid Sec-WebSocket-Extensions header: quoted value "${value.slice(0, 40)}" is not a token once unescaped (RFC 6455 §9.1).`,
      );
    }
    return value;
  };

  while (true) {
    // Between elements: whitespace and empty elements (",  ,").
    skipOws();
    while (i < n && header.charCodeAt(i) === COMMA) {
      i++;
      skipOws();
    }
    if (i >= n) break;

    const name = readToken('an extension name');
    const params: ExtensionParam[] = [];
    skipOws();
    while (i < n && header.charCodeAt(i) === SEMI) {
      i++;
      skipOws();
      const paramName = readToken('a parameter name');
      skipOws();
      let value: string | true = true;
      if (i < n && header.charCodeAt(i) === EQUALS) {
        i++;
        skipOws();
        value = i < n && header.charCodeAt(i) === DQUOTE ? readQuoted() : readToken('a parameter value');
        skipOws();
      }
      params.push({ name: paramName, value });
    }
    out.push({ name, params });
    if (i >= n) break;
    if (header.charCodeAt(i) !== COMMA) {
      throw new ExtensionHeaderError(
        `Invalid Sec-WebSocket-Extensions header: expected ',' or ';' ${describe(header, i)}.`,
      );
    }
  }

  if (out.length === 0) {
    throw new ExtensionHeaderError('Invalid Sec-WebSocket-Extensions header: it names no extension.');
  }
  return out;
}

/**
 * Formats extensions as a header value, e.g.
 * `permessage-deflate; client_max_window_bits, x-foo; a=1`. Names and values
 * must be tokens (values never need quoting under RFC 6455 §9.1); anything
 * else throws ExtensionHeaderError.
 */
export function formatExtensionHeader(extensions: readonly Extension[]): string {
  if (extensions.length === 0) {
    throw new ExtensionHeaderError('Cannot format an empty Sec-WebSocket-Extensions header.');
  }
  return extensions
    .map((extension) => {
      if (!isToken(extension.name)) {
        throw new ExtensionHeaderError(`Extension name ${JSON.stringify(extension.name)} is not a token.`);
      }
      let text = extension.name;
      for (const param of extension.params) {
        if (!isToken(param.name)) {
          throw new ExtensionHeaderError(`Extension parameter name ${JSON.stringify(param.name)} is not a token.`);
        }
        text += `; ${param.name}`;
        if (param.value !== true) {
          if (!isToken(param.value)) {
            throw new ExtensionHeaderError(
              `Extension parameter value ${JSON.stringify(param.value)} is not a token.`,
            );
          }
          text += `=${param.value}`;
        }
      }
      return text;
    })
    .join(', ');
}
