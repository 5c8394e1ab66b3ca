// The suite's own tables and helpers: the UTF-8 reference it judges with, the
// case ids, the selector.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCases, utf8FailIndex } from '../../dist/esm/conformance/index.js';
import { UTF8_SAMPLES } from '../../dist/esm/conformance/cases/utf8.js';
import { matchesPattern } from '../../dist/esm/conformance/select.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const validByDecoder = (bytes) => {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

test('utf8FailIndex agrees with a fatal TextDecoder on every sample and every prefix', () => {
  for (const { name, bytes } of UTF8_SAMPLES) {
    const at = utf8FailIndex(bytes);
    assert.equal(at === -1, validByDecoder(bytes), name);
    if (at >= 0 && at < bytes.length) {
      // Before the fail index the input is still a valid prefix; with it, no continuation can save it.
      const prefix = utf8FailIndex(bytes.subarray(0, at));
      assert.ok(prefix === -1 || prefix === at, `${name}: the bytes before the fail index are a valid prefix`);
      assert.ok(!validByDecoder(Buffer.concat([bytes.subarray(0, at + 1), Buffer.from('\u{10348}')])), name);
    }
  }
});

test('utf8FailIndex agrees with TextDecoder on every 1- and 2-byte input', () => {
  for (let a = 0; a < 256; a++) {
    assert.equal(utf8FailIndex(Uint8Array.of(a)) === -1, validByDecoder(Uint8Array.of(a)), `0x${a.toString(16)}`);
    for (let b = 0; b < 256; b += 3) {
      const two = Uint8Array.of(a, b);
      assert.equal(utf8FailIndex(two) === -1, validByDecoder(two), `0x${a.toString(16)} 0x${b.toString(16)}`);
    }
  }
});

test('case ids are unique and every group of the issue is present', () => {
  for (const full of [false, true]) {
    const ids = buildCases({ full }).map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'unique ids');
    const groups = new Set(ids.map((id) => id.split('.')[0]));
    for (const g of ['1', '2', '3', '4', '5', '6', '7', '9', '10', '12', '13']) assert.ok(groups.has(g), `group ${g}`);
  }
});

test('selector patterns', () => {
  assert.ok(matchesPattern('7.3.1', '7.*'));
  assert.ok(matchesPattern('7.3.1', '7.3.*'));
  assert.ok(matchesPattern('7.3.1', '7.3.1'));
  assert.ok(!matchesPattern('7.3.10', '7.3.1'));
  assert.ok(!matchesPattern('17.1', '7.*'));
  assert.ok(matchesPattern('10.1.1', '*'));
});

test("the tester's inflater rejects a peer that breaks the negotiated window or context rules", async () => {
  const { DeflateContext, acceptedParams, answerOffer } = await import('../../dist/esm/conformance/deflate.js');
  const base = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  // 1000 pseudo-random bytes, sent twice: the second message is a match 1000 bytes back,
  // beyond a 9-bit window. (zlib does not flag long distances inside one message, so the
  // tester sees window violations across messages, where its history is cut to the window.)
  let x = 1;
  const block = Buffer.from(Array.from({ length: 1000 }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff));
  const message = Buffer.concat([block, block]);
  const wide = new DeflateContext(base, 'server');
  const narrowPeer = new DeflateContext({ ...base, serverMaxWindowBits: 9 }, 'client');
  assert.deepEqual(narrowPeer.inflate(wide.compress(block)), block);
  assert.throws(() => narrowPeer.inflate(wide.compress(block)), /distance too far back/);
  // Context takeover: the second message refers to the first.
  const keeps = new DeflateContext(base, 'server');
  const expectsReset = new DeflateContext({ ...base, serverNoContextTakeover: true }, 'client');
  assert.deepEqual(expectsReset.inflate(keeps.compress(block)), block);
  assert.throws(() => expectsReset.inflate(keeps.compress(block)), /distance too far back/);
  // And a conforming pair round-trips.
  const a = new DeflateContext({ ...base, clientMaxWindowBits: 8 }, 'client');
  const b = new DeflateContext({ ...base, clientMaxWindowBits: 8 }, 'server');
  for (let i = 0; i < 3; i++) assert.deepEqual(b.inflate(a.compress(message)), message);
  // Negotiation checks on both sides.
  assert.equal(acceptedParams('permessage-deflate', ''), null);
  assert.throws(() => acceptedParams('permessage-deflate', 'permessage-deflate; client_max_window_bits=10'), /did not offer/);
  assert.throws(() => acceptedParams('permessage-deflate; server_max_window_bits=10', 'permessage-deflate; server_max_window_bits=12'), /server_max_window_bits/);
  assert.equal(answerOffer('permessage-deflate; client_max_window_bits', 'permessage-deflate; client_max_window_bits').answer, 'permessage-deflate');
  assert.match(answerOffer('permessage-deflate', 'permessage-deflate; client_max_window_bits=9').declined, /client_max_window_bits/);
  assert.match(answerOffer('', 'permessage-deflate').declined, /did not offer/);
});
