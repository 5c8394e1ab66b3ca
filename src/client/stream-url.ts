/**
 * The URL and subprotocol checks WebSocketStream makes before dialling, with
 * the DOMExceptions browsers throw. Portable (no Node types).
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseStreamUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new DOMException(`Invalid URL: ${address}`, 'SyntaxError');
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new DOMException(`Invalid URL scheme "${url.protocol}": use ws:, wss:, http: or https:`, 'SyntaxError');
  }
  if (url.hash !== '') throw new DOMException('A WebSocket URL must not contain a fragment (#...)', 'SyntaxError');
  return url.href;
}

export function checkProtocols(protocols: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (typeof protocol !== 'string' || !TOKEN.test(protocol)) {
      throw new DOMException(`Invalid subprotocol "${String(protocol)}": each must be an HTTP token`, 'SyntaxError');
    }
    if (seen.has(protocol)) throw new DOMException(`The subprotocol "${protocol}" is duplicated`, 'SyntaxError');
    seen.add(protocol);
  }
  return [...protocols];
}
