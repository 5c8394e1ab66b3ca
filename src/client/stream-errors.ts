/**
 * The errors WebSocketStream reports, shaped as Chromium's: a WebSocketError
 * (name, closeCode, reason) for connections that failed or closed uncleanly,
 * DOMExceptions for misuse. Each also carries socketeer's stable `code`.
 * Portable (no Node types).
 */
import { ErrorCode, WebSocketError } from '../core/errors.js';

export type StreamError = WebSocketError & { reason: string; closeCode: number | null };

export function streamError(code: string, message: string, closeCode: number | null, reason = '', cause?: unknown): StreamError {
  const error = new WebSocketError(code, message, closeCode ?? 0) as StreamError;
  Object.defineProperty(error, 'closeCode', { value: closeCode, enumerable: true });
  error.reason = reason;
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

/** The connection went away before the opening handshake completed. */
export function handshakeFailed(cause: unknown): StreamError {
  const detail = cause instanceof Error && cause.message !== '' ? `: ${cause.message}` : '';
  const code = typeof (cause as { code?: unknown })?.code === 'string' ? (cause as { code: string }).code : ErrorCode.InvalidHandshake;
  return streamError(code, `The WebSocket closed before the opening handshake completed${detail}`, null, '', cause);
}

export function closedUncleanly(closeCode: number, reason: string): StreamError {
  return streamError(
    ErrorCode.ClosedAbnormally,
    `The WebSocket was not cleanly closed (code ${closeCode}${reason ? `: ${reason}` : ''}): the peer or the network dropped the connection`,
    closeCode,
    reason,
  );
}

export function handshakeAborted(): DOMException {
  return new DOMException('The WebSocket handshake was aborted by the signal', 'AbortError');
}

export function writeAfterClose(): DOMException {
  return new DOMException('Cannot write to a closed WebSocketStream: the closing handshake has started', 'InvalidStateError');
}
