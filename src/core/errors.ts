/**
 * An error a peer or a user caused. `code` is a stable string to branch on;
 * `closeCode` is the WebSocket close code the connection fails with, when the
 * error ends a connection.
 */
export class WebSocketError extends Error {
  /** A stable `WS_ERR_...` code (`ErrorCode`), for programs to branch on. */
  readonly code: string;
  /** The close code the connection closes with because of it (0 when it does not close the connection). */
  readonly closeCode: number;

  constructor(code: string, message: string, closeCode = 1002) {
    super(message);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

export const ErrorCode = {
  InvalidOpcode: 'WS_ERR_INVALID_OPCODE',
  UnexpectedRsv: 'WS_ERR_UNEXPECTED_RSV',
  ExpectedMask: 'WS_ERR_EXPECTED_MASK',
  UnexpectedMask: 'WS_ERR_UNEXPECTED_MASK',
  ControlTooLong: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
  FragmentedControl: 'WS_ERR_EXPECTED_FIN',
  UnexpectedContinuation: 'WS_ERR_INVALID_CONTINUATION',
  UnfinishedMessage: 'WS_ERR_UNFINISHED_MESSAGE',
  InvalidLength: 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
  MessageTooBig: 'WS_ERR_MESSAGE_TOO_BIG',
  InvalidUtf8: 'WS_ERR_INVALID_UTF8',
  InvalidCloseCode: 'WS_ERR_INVALID_CLOSE_CODE',
  InvalidClosePayload: 'WS_ERR_INVALID_CLOSE_PAYLOAD',
  InvalidCompressedData: 'WS_ERR_INVALID_COMPRESSED_DATA',
  NotOpen: 'WS_ERR_NOT_OPEN',
  InvalidHandshake: 'WS_ERR_INVALID_HANDSHAKE',
  HandshakeTimeout: 'WS_ERR_HANDSHAKE_TIMEOUT',
  UnexpectedResponse: 'WS_ERR_UNEXPECTED_RESPONSE',
  InvalidUrl: 'WS_ERR_INVALID_URL',
  InvalidOption: 'WS_ERR_INVALID_OPTION',
  InvalidHeaderValue: 'WS_ERR_INVALID_HEADER_VALUE',
  TooManyRedirects: 'WS_ERR_TOO_MANY_REDIRECTS',
  ExtensionNegotiation: 'WS_ERR_EXTENSION_NEGOTIATION',
  ClosedAbnormally: 'WS_ERR_CLOSED_ABNORMALLY',
  BufferOverflow: 'WS_ERR_SEND_BUFFER_FULL',
  FragmentBudget: 'WS_ERR_FRAGMENT_BUDGET',
  SendQueueFull: 'WS_ERR_SEND_QUEUE_FULL',
  ReconnectGaveUp: 'WS_ERR_RECONNECT_GAVE_UP',
  ClosedBeforeSent: 'WS_ERR_CLOSED_BEFORE_SENT',
  /** `http2: true`, but the server did not agree to HTTP/2 (ALPN) or did not enable extended CONNECT (RFC 8441). */
  Http2Unavailable: 'WS_ERR_HTTP2_UNAVAILABLE',
  BacklogFull: 'WS_ERR_BACKLOG_FULL',
  /** A ws option socketeer does not implement in the value given (e.g. `allowSynchronousEvents: false`). */
  UnsupportedOption: 'WS_ERR_UNSUPPORTED_OPTION',
  /** close() or terminate() while the opening handshake was still running. */
  ClosedBeforeOpen: 'WS_ERR_CLOSED_BEFORE_OPEN',
  /** `wss.close()` on a server that is already closed. */
  ServerNotRunning: 'WS_ERR_SERVER_NOT_RUNNING',
  /** `handleUpgrade()` called a second time with the same socket. */
  UpgradeTwice: 'WS_ERR_UPGRADE_TWICE',
  /** An optional subpath's package is not installed (`socketeer/bufferutil` without `bufferutil`). */
  MissingPeer: 'WS_ERR_MISSING_PEER',
} as const;
