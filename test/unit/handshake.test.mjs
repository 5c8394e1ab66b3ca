import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptKeyFor,
  checkUpgradeRequest,
  checkUpgradeResponse,
  generateKey,
  headerHasToken,
  isValidKey,
  parseTokenList,
} from '../../dist/esm/core/handshake.js';

test('Sec-WebSocket-Accept matches the RFC 6455 example', () => {
  assert.equal(acceptKeyFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('generated keys are valid and fresh', () => {
  const a = generateKey();
  assert.ok(isValidKey(a));
  assert.notEqual(a, generateKey());
  assert.equal(isValidKey('dGhlIHNhbXBsZSBub25jZQ'), false);
  assert.equal(isValidKey('dGhlIHNhbXBsZSBub25jZR=='), false);
});

test('token lists parse in one pass and refuse bad tokens and duplicates', () => {
  assert.deepEqual(parseTokenList('chat, superchat'), ['chat', 'superchat']);
  assert.deepEqual(parseTokenList(' a ,, b '), ['a', 'b']);
  assert.deepEqual(parseTokenList('__proto__, constructor'), ['__proto__', 'constructor']);
  assert.equal(parseTokenList('a b'), null);
  assert.equal(parseTokenList('a, a'), null);
  assert.equal(parseTokenList('a;b'), null);
  const started = process.hrtime.bigint();
  assert.deepEqual(parseTokenList(' '.repeat(100_000)), []);
  assert.deepEqual(parseTokenList(','.repeat(100_000)), []);
  assert.equal(parseTokenList('a' + ' '.repeat(100_000) + 'b'), null);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000, 'linear time');
});

test('Connection header tokens are matched case-insensitively', () => {
  assert.equal(headerHasToken('keep-alive, Upgrade', 'upgrade'), true);
  assert.equal(headerHasToken('upgraded', 'upgrade'), false);
});

const good = {
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};

test('server accepts a valid request and refuses each malformed one with the right status', () => {
  const ok = checkUpgradeRequest('GET', { ...good, 'sec-websocket-protocol': 'a, b' });
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.protocols, ['a', 'b']);
  const cases = [
    ['POST', good, 405],
    ['GET', { ...good, upgrade: 'h2c' }, 400],
    ['GET', { ...good, connection: 'keep-alive' }, 400],
    ['GET', { ...good, 'sec-websocket-key': 'short' }, 400],
    ['GET', { ...good, 'sec-websocket-version': '8' }, 426],
    ['GET', { ...good, 'sec-websocket-protocol': 'a b' }, 400],
  ];
  for (const [method, headers, status] of cases) {
    const result = checkUpgradeRequest(method, headers);
    assert.equal(result.ok, false);
    assert.equal(result.status, status, JSON.stringify(headers));
  }
  assert.equal(checkUpgradeRequest('GET', { ...good, 'sec-websocket-version': '8' }).headers['Sec-WebSocket-Version'], '13');
});

test('client checks the accept key and the chosen subprotocol', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const base = { upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-accept': acceptKeyFor(key) };
  assert.deepEqual(checkUpgradeResponse(base, key, []), { protocol: '', extensions: undefined });
  assert.equal(checkUpgradeResponse({ ...base, 'sec-websocket-protocol': 'b' }, key, ['a', 'b']).protocol, 'b');
  assert.equal(typeof checkUpgradeResponse({ ...base, 'sec-websocket-protocol': 'c' }, key, ['a', 'b']), 'string');
  assert.equal(typeof checkUpgradeResponse({ ...base, 'sec-websocket-accept': 'x' }, key, []), 'string');
});
