/** Defaults of every public limit; docs/architecture.md lists them. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
export const DEFAULT_CLOSE_TIMEOUT = 30_000;
export const DEFAULT_FAILURE_CLOSE_TIMEOUT = 1000;
export const DEFAULT_MAX_UNPARSED_BYTES = 1024 * 1024;
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
export const DEFAULT_MAX_HEADER_COUNT = 256;

export interface HeartbeatOptions {
  /** Milliseconds between pings. */
  interval: number;
  /** Milliseconds to wait for a pong before terminating (close code 1006). */
  timeout: number;
}
