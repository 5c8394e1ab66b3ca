import type { MessageCodec } from '../core/message-codec.js';
import { ExtensionHeaderError } from '../core/extension-header.js';
import {
  clientAccept,
  clientOffer,
  codecConfig,
  ExtensionNegotiationError,
  type PerMessageDeflateOptions,
  type ResolvedPerMessageDeflate,
  resolvePerMessageDeflate,
  serverAccept,
} from '../core/extensions/permessage-deflate.js';
import { createDeflateCodec } from './deflate-codec.js';
import type { SharedDeflateSettings } from './shared-deflate.js';

/**
 * The seam between the handshakes and the extensions socketeer supports
 * (permessage-deflate). Each side asks here what to offer or accept and gets
 * back the header to send and the codec the connection will use.
 */
export interface NegotiatedExtensions {
  /** Value of the Sec-WebSocket-Extensions header we answer or accepted ('' for none). */
  header: string;
  codec: MessageCodec | null;
  /** Messages below this many bytes go out uncompressed. */
  compressThreshold: number;
}

export type PerMessageDeflateOption = boolean | PerMessageDeflateOptions | undefined;

const NONE: NegotiatedExtensions = { header: '', codec: null, compressThreshold: 0 };

// Options objects are resolved once; users pass the same object to every connection.
const resolved = new WeakMap<object, ResolvedPerMessageDeflate | null>();

function resolve(option: unknown, enabledByDefault: boolean): ResolvedPerMessageDeflate | null {
  if (option === null || typeof option !== 'object') {
    return resolvePerMessageDeflate(option as PerMessageDeflateOption, enabledByDefault);
  }
  let result = resolved.get(option);
  if (result === undefined) {
    result = resolvePerMessageDeflate(option as PerMessageDeflateOptions, enabledByDefault);
    resolved.set(option, result);
  }
  return result;
}

/**
 * Checks a server's `perMessageDeflate` option (off unless given); throws a
 * TypeError with code 'WS_ERR_INVALID_OPTION' when it is invalid.
 */
export function validateServerExtensionOptions(option: unknown): void {
  resolve(option, false);
}

/**
 * A server's settings for messages deflated once for many sockets (publish),
 * from its `perMessageDeflate` option; null when the option leaves it off.
 */
export function sharedDeflateSettings(option: unknown): SharedDeflateSettings | null {
  return resolve(option, false);
}

/** Server: choose among the client's offers. Returns NONE when nothing is enabled or acceptable. */
export function negotiateServerExtensions(
  offerHeader: string | undefined,
  option: unknown,
  _maxPayload: number,
): NegotiatedExtensions | { error: string } {
  const options = resolve(option, false);
  if (options === null) return NONE;
  let accepted;
  try {
    accepted = serverAccept(offerHeader, options);
  } catch (error) {
    if (error instanceof ExtensionHeaderError) return { error: error.message };
    throw error;
  }
  if (accepted === null) return NONE;
  return {
    header: accepted.response,
    codec: createDeflateCodec(codecConfig(accepted.params, true, options)),
    compressThreshold: options.threshold,
  };
}

export interface ClientExtensionOffer {
  /** The Sec-WebSocket-Extensions header to send, or null to send none. */
  header: string | null;
  /** Check the server's answer; returns the agreement or an error message. */
  accept(responseHeader: string | undefined): NegotiatedExtensions | { error: string };
}

/** Client: what to offer (on unless `false`), and the check of the server's answer. */
export function offerClientExtensions(option: unknown, _maxPayload: number): ClientExtensionOffer {
  const options = resolve(option, true);
  return {
    header: options === null ? null : clientOffer(options),
    accept(responseHeader) {
      let params;
      try {
        params = clientAccept(responseHeader, options);
      } catch (error) {
        if (error instanceof ExtensionNegotiationError) return { error: error.message };
        throw error;
      }
      if (params === null || options === null) return NONE;
      return {
        header: responseHeader!.trim(),
        codec: createDeflateCodec(codecConfig(params, false, options)),
        compressThreshold: options.threshold,
      };
    },
  };
}
