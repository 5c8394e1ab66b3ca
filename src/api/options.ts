/** Defaults of every public limit; docs/architecture.md lists them. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
/** `closeTimeout`: ms to wait for the peer's Close frame during the closing handshake. */
export const DEFAULT_CLOSE_TIMEOUT = 30_000;
/** `failureCloseTimeout`: ms to wait for the peer to close TCP after a protocol error. */
export const DEFAULT_FAILURE_CLOSE_TIMEOUT = 1000;
/** `maxUnparsedBytes`: received bytes that may wait unparsed while a message inflates. */
export const DEFAULT_MAX_UNPARSED_BYTES = 1024 * 1024;
/** `highWaterMark`: buffered bytes past which `send()` returns false. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/** The server's `handshakeTimeout`: ms allowed for a whole upgrade request. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
export const DEFAULT_MAX_HEADER_COUNT = 256;

/** The `heartbeat` option: ping every `interval` ms, terminate a peer that misses `timeout`. */
export interface HeartbeatOptions {
  /** Milliseconds between pings. */
  interval: number;
  /** Milliseconds to wait for a pong before terminating (close code 1006). */
  timeout: number;
}
