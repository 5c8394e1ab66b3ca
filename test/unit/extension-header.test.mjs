import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExtensionHeader, formatExtensionHeader, isToken } from '../../dist/esm/core/extension-header.js';

const plain = (list) => list.map((e) => ({ name: e.name, params: e.params.map((p) => [p.name, p.value]) }));

test('parses single and multiple extensions with parameters', () => {
  assert.deepEqual(plain(parseExtensionHeader('permessage-deflate')), [{ name: 'permessage-deflate', params: [] }]);
  assert.deepEqual(
    plain(parseExtensionHeader('permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo;a=1;b')),
    [
      { name: 'permessage-deflate', params: [['client_max_window_bits', true], ['server_max_window_bits', '10']] },
      { name: 'x-foo', params: [['a', '1'], ['b', true]] },
    ],
  );
});

test('accepts optional whitespace around every separator and empty list elements', () => {
  const expected = [{ name: 'a', params: [['b', 'c'], ['d', true]] }, { name: 'e', params: [] }];
  for (const header of [
    'a;b=c;d,e',
    '  a ; b = c ;\td , e  ',
    ', ,a;b=c;d,,, e,',
    'a;b="c";d, e',
    '\ta\t;\tb\t=\t"c"\t;\td\t,\te\t',
  ]) {
    assert.deepEqual(plain(parseExtensionHeader(header)), expected, JSON.stringify(header));
  }
});

test('unescapes quoted values, which must be tokens once unescaped', () => {
  assert.deepEqual(plain(parseExtensionHeader('a; b="1\\0"')), [{ name: 'a', params: [['b', '10']] }]);
  assert.deepEqual(plain(parseExtensionHeader('a; b="\\a\\b\\c"')), [{ name: 'a', params: [['b', 'abc']] }]);
  for (const bad of ['a; b=""', 'a; b="c d"', 'a; b="c,d"', 'a; b="c;d"', 'a; b="\\""', 'a; b="é"']) {
    assert.throws(() => parseExtensionHeader(bad), { code: 'WS_ERR_INVALID_EXTENSION_HEADER' }, bad);
  }
});

test('refuses malformed headers with a stable code', () => {
  for (const bad of [
    '', ' ', '\t', ',', ' , , ', 'a b', 'a;', 'a; ', 'a;;b', ';a', 'a=1', 'a;=1', 'a;b=', 'a;b= ,c', 'a;b="c',
    'a;b="c\\', 'a;b=c d', 'a;b=c=d', 'a,b c', 'a;b=@', 'a/b', '(a)', 'a;b="c"d', 'a\r\n', 'a;b=\u0000', 'é',
    'a;b="\u0001"', 'a;b="\\\u0001"', 'a\u00a0', '"a"',
  ]) {
    assert.throws(
      () => parseExtensionHeader(bad),
      (error) => error.code === 'WS_ERR_INVALID_EXTENSION_HEADER' && typeof error.message === 'string',
      JSON.stringify(bad),
    );
  }
});

test('names such as __proto__ and constructor are plain data', () => {
  const parsed = parseExtensionHeader('__proto__; constructor=toString; __proto__=1, hasOwnProperty');
  assert.deepEqual(plain(parsed), [
    { name: '__proto__', params: [['constructor', 'toString'], ['__proto__', '1']] },
    { name: 'hasOwnProperty', params: [] },
  ]);
  assert.equal({}.constructor, Object);
  assert.equal(Object.prototype.toString.call(parsed[0]), '[object Object]');
});

test('formats extensions and round-trips through the parser', () => {
  const list = [
    { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: true }, { name: 'server_max_window_bits', value: '9' }] },
    { name: 'x', params: [] },
  ];
  const text = formatExtensionHeader(list);
  assert.equal(text, 'permessage-deflate; client_max_window_bits; server_max_window_bits=9, x');
  assert.deepEqual(plain(parseExtensionHeader(text)), plain(list));
  for (const bad of [[], [{ name: 'a b', params: [] }], [{ name: 'a', params: [{ name: '', value: true }] }], [{ name: 'a', params: [{ name: 'b', value: 'c d' }] }]]) {
    assert.throws(() => formatExtensionHeader(bad), { code: 'WS_ERR_INVALID_EXTENSION_HEADER' });
  }
  assert.equal(isToken('abc-1'), true);
  assert.equal(isToken('a"b'), false);
});

test('100,000-character headers parse or are refused in linear time', () => {
  const n = 100_000;
  const cases = [
    [' '.repeat(n), false],
    [','.repeat(n), false],
    [', '.repeat(n / 2), false],
    ['a' + ' '.repeat(n) + 'b', false],
    ['a;' + ' '.repeat(n), false],
    ['a;b="' + '\\a'.repeat(n / 2), false],
    ['a;b="' + 'x'.repeat(n) + '"', true],
    ['a' + ';b'.repeat(n / 2), true],
    ['a,'.repeat(n / 2), true],
    ['a;b=1, '.repeat(n / 7), true],
    ['x'.repeat(n), true],
    ['a;b="' + '\\x'.repeat(n / 2) + '"', true],
  ];
  for (const [header, ok] of cases) {
    const start = process.hrtime.bigint();
    if (ok) parseExtensionHeader(header);
    else assert.throws(() => parseExtensionHeader(header), { code: 'WS_ERR_INVALID_EXTENSION_HEADER' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // A quadratic parser needs seconds here; a linear one a few milliseconds.
    assert.ok(ms < 500, `${JSON.stringify(header.slice(0, 12))}... took ${ms} ms`);
  }
});
