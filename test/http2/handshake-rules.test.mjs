// The RFC 8441 handshake rules of the core, on plain header objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConnectRequest, checkConnectResponse, connectRequestHeaders, isWebSocketConnect } from '../../dist/esm/core/handshake-h2.js';

const good = () => connectRequestHeaders('https', 'example.com', '/chat?x=1', ['a', 'b'], 'permessage-deflate');

test('a well-formed extended CONNECT is accepted with its subprotocols and extension offers', () => {
  const checked = checkConnectRequest(good());
  assert.deepEqual(checked, {
    ok: true, protocols: ['a', 'b'], extensions: 'permessage-deflate', path: '/chat?x=1', authority: 'example.com', scheme: 'https',
  });
  assert.equal(isWebSocketConnect(good()), true);
  assert.equal(isWebSocketConnect({ ...good(), ':protocol': 'WebSocket' }), true);
  assert.equal(isWebSocketConnect({ ':method': 'CONNECT', ':authority': 'a:1' }), false);
});

test('each malformed head gets its status', () => {
  const without = (name) => { const h = good(); delete h[name]; return h; };
  const cases = [
    [{ ...good(), ':method': 'GET' }, 405],
    [without(':protocol'), 400],
    [{ ...good(), ':protocol': 'h2t' }, 501],
    [without(':scheme'), 400],
    [without(':path'), 400],
    [{ ...good(), ':path': 'chat' }, 400],
    [without(':authority'), 400],
    [without('sec-websocket-version'), 400],
    [{ ...good(), 'sec-websocket-version': '8' }, 426],
    [{ ...good(), 'sec-websocket-protocol': 'a,,a' }, 400],
  ];
  for (const [headers, status] of cases) {
    const checked = checkConnectRequest(headers);
    assert.equal(checked.ok, false, JSON.stringify(headers));
    assert.equal(checked.status, status, JSON.stringify(headers));
    assert.ok(checked.message.length > 10);
  }
});

test('the client accepts any 2xx and checks the chosen subprotocol', () => {
  assert.deepEqual(checkConnectResponse({ ':status': 200, 'sec-websocket-protocol': 'b' }, ['a', 'b']), { protocol: 'b', extensions: undefined });
  assert.deepEqual(checkConnectResponse({ ':status': '204' }, []), { protocol: '', extensions: undefined });
  assert.match(checkConnectResponse({ ':status': 404 }, []), /404/);
  assert.match(checkConnectResponse({ ':status': 200, 'sec-websocket-protocol': 'c' }, ['a']), /did not offer/);
});
