import type { MessageCodec } from '../core/message-codec.js';

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

const NONE: NegotiatedExtensions = { header: '', codec: null, compressThreshold: 0 };

/** Server: choose among the client's offers. Returns NONE when nothing is enabled or acceptable. */
export function negotiateServerExtensions(
  _offerHeader: string | undefined,
  _option: unknown,
  _maxPayload: number,
): NegotiatedExtensions | { error: string } {
  return NONE;
}

export interface ClientExtensionOffer {
  /** The Sec-WebSocket-Extensions header to send, or null to send none. */
  header: string | null;
  /** Check the server's answer; returns the agreement or an error message. */
  accept(responseHeader: string | undefined): NegotiatedExtensions | { error: string };
}

export function offerClientExtensions(_option: unknown, _maxPayload: number): ClientExtensionOffer {
  return {
    header: null,
    accept(responseHeader) {
      if (responseHeader !== undefined && responseHeader.trim() !== '') {
        return { error: 'The server accepted an extension the client did not offer' };
      }
      return NONE;
    },
  };
}
