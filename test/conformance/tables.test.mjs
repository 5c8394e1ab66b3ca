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
    for (const g of ['1', '2', '3', '4', '5', '6', '7', '9', '10']) assert.ok(groups.has(g), `group ${g}`);
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
