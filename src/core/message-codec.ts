/**
 * The hook through which the protocol core compresses and decompresses
 * messages (permessage-deflate, RFC 7692) without touching zlib itself: the
 * Node layer provides an implementation, the core only calls it.
 *
 * Callbacks may run synchronously or later. After close(), no callback fires.
 */
export interface MessageCodec {
  /**
   * Inflate the compressed payload of one frame. `fin` marks the last frame
   * of the message (the codec appends the 00 00 ff ff tail itself). At most
   * `maxBytes` inflated bytes may be produced for the rest of this message;
   * past that the codec stops inflating and calls back with an error whose
   * `code` is 'WS_ERR_MESSAGE_TOO_BIG'. A corrupt stream calls back with
   * 'WS_ERR_INVALID_COMPRESSED_DATA'.
   */
  decompress(
    data: Buffer,
    fin: boolean,
    maxBytes: number,
    callback: (error: (Error & { code?: string }) | null, chunks: Buffer[], length: number) => void,
  ): void;
  /**
   * Deflate one frame's worth of a message. With `fin` the result is the end
   * of the message: flushed, its trailing 00 00 ff ff removed, and the context
   * reset when no-context-takeover applies to our side.
   */
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result: Buffer) => void): void;
  /** Release zlib resources. Pending callbacks are dropped. */
  close(): void;
}
