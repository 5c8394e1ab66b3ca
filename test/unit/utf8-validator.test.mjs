import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { Utf8Validator } from '../../dist/esm/core/utf8-validator.js';

const validSamples = ['', 'hello', 'κόσμε', '€uro', '𝄞 music', 'a\u0000b', '\uFFFD', '日本語テキスト'.repeat(10), '\u{10FFFF}'];
const invalidSamples = {
  overlong: [0xc0, 0xaf],
  overlong3: [0xe0, 0x80, 0xaf],
  overlong4: [0xf0, 0x80, 0x80, 0xaf],
  surrogateHigh: [0xed, 0xa0, 0x80],
  surrogateLow: [0xed, 0xbf, 0xbf],
  aboveMax: [0xf4, 0x90, 0x80, 0x80],
  f5: [0xf5, 0x80, 0x80, 0x80],
  loneContinuation: [0x80],
  ff: [0xff],
};

function feedAll(chunks) {
  const v = new Utf8Validator();
  for (const c of chunks) if (!v.feed(Buffer.from(c))) return false;
  return v.complete;
}

test('valid text passes under every split point', () => {
  for (const s of validSamples) {
    const bytes = Buffer.from(s);
    assert.equal(feedAll([bytes]), true, s);
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(feedAll([bytes.subarray(0, cut), bytes.subarray(cut)]), true, `${s} cut ${cut}`);
    }
    assert.equal(feedAll([...bytes].map((b) => [b])), true, `${s} bytewise`);
  }
});

test('each invalid class fails at the first byte that makes it invalid', () => {
  // Index of the byte at which no valid continuation is possible any more.
  const failAt = { overlong: 0, overlong3: 1, overlong4: 1, surrogateHigh: 1, surrogateLow: 1, aboveMax: 1, f5: 0, loneContinuation: 0, ff: 0 };
  for (const [name, seq] of Object.entries(invalidSamples)) {
    const bytes = Buffer.from([0x61, 0x62, ...seq, 0x63]);
    const v = new Utf8Validator();
    let failedAt = -1;
    for (let i = 0; i < bytes.length; i++) {
      if (!v.feed(bytes.subarray(i, i + 1))) {
        failedAt = i;
        break;
      }
    }
    assert.equal(failedAt, 2 + failAt[name], name);
  }
});

test('a truncated sequence is only invalid at the end of the message', () => {
  const v = new Utf8Validator();
  assert.equal(v.feed(Buffer.from([0x61, 0xe2, 0x82])), true);
  assert.equal(v.complete, false);
});

test('agrees with the native validator on random input, whole and split', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0, 0x90, 0x8f];
  for (let round = 0; round < 3000; round++) {
    const len = Math.floor(rand() * 60);
    const bytes = Buffer.from(Array.from({ length: len }, () => (rand() < 0.5 ? pick[Math.floor(rand() * pick.length)] : Math.floor(rand() * 256))));
    const expected = isUtf8(bytes);
    assert.equal(feedAll([bytes]), expected);
    const cut = Math.floor(rand() * (len + 1));
    assert.equal(feedAll([bytes.subarray(0, cut), bytes.subarray(cut)]), expected);
  }
});

test('long chunks go through the native fast path and still split correctly', () => {
  const text = Buffer.from('ascii and ünïcödé and 𝄞 '.repeat(200));
  for (const cut of [1, 99, 100, 101, 1000, text.length - 1]) {
    assert.equal(feedAll([text.subarray(0, cut), text.subarray(cut)]), true, `cut ${cut}`);
  }
  const bad = Buffer.concat([text, Buffer.from([0xed, 0xa0, 0x80])]);
  assert.equal(feedAll([bad]), false);
});
