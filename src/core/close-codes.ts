/** Close status codes of RFC 6455 §7.4 and the IANA registry. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatusReceived: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
} as const;

const names: Record<number, string> = {
  1000: 'Normal Closure',
  1001: 'Going Away',
  1002: 'Protocol Error',
  1003: 'Unsupported Data',
  1004: 'Reserved',
  1005: 'No Status Received',
  1006: 'Abnormal Closure',
  1007: 'Invalid Frame Payload Data',
  1008: 'Policy Violation',
  1009: 'Message Too Big',
  1010: 'Mandatory Extension',
  1011: 'Internal Error',
  1012: 'Service Restart',
  1013: 'Try Again Later',
  1014: 'Bad Gateway',
  1015: 'TLS Handshake',
};

/** A person-readable name for a close code ("Normal Closure", "Private Use"...). */
export function closeCodeName(code: number): string {
  if (names[code] !== undefined) return names[code];
  if (code >= 3000 && code <= 3999) return 'Registered';
  if (code >= 4000 && code <= 4999) return 'Private Use';
  return 'Unknown';
}

/** May a Close frame carrying this code be received (and sent) on the wire? */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** May an application pass this code to close()? (WHATWG: 1000 or 3000-4999.) */
export function isValidApplicationCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}

/** Longest close reason in UTF-8 bytes: 125-byte control payload minus the code. */
export const MAX_CLOSE_REASON_BYTES = 123;
