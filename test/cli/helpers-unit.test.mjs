// The CLI's pure helpers: line parsing, hex, sizes, durations, terminal-safe text, colours.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LatencyRecorder, parseSize, table } from '../../dist/esm/cli/bench-stats.js';
import { describeBinary, parseHex, printableText } from '../../dist/esm/cli/format.js';
import { parseLine } from '../../dist/esm/cli/slash-commands.js';
import { colorsWanted } from '../../dist/esm/cli/style.js';
import { durationOption, integerOption } from '../../dist/esm/cli/usage-error.js';

describe('cli helpers', () => {
  test('parseLine: text, escapes and slash commands', () => {
    assert.deepEqual(parseLine('hello'), { kind: 'text', data: 'hello' });
    assert.deepEqual(parseLine('//etc'), { kind: 'text', data: '/etc' });
    assert.deepEqual(parseLine('/close'), { kind: 'close' });
    assert.deepEqual(parseLine('/close 4000 see you later'), { kind: 'close', code: 4000, reason: 'see you later' });
    assert.equal(parseLine('/close soon').kind, 'invalid');
    assert.deepEqual([...parseLine('/binary 01 ff').data], [1, 255]);
    assert.deepEqual([...parseLine('/binary @data.bin', () => Buffer.from('xyz')).data], [120, 121, 122]);
    assert.equal(parseLine('/binary zz').kind, 'invalid');
    assert.equal(parseLine('/binary').kind, 'invalid');
    assert.equal(parseLine('/ping ' + 'x'.repeat(126)).kind, 'invalid');
    assert.equal(parseLine('/quit').kind, 'quit');
    assert.equal(parseLine('/what').kind, 'invalid');
  });

  test('hex: parsing forms and the dump', () => {
    assert.deepEqual([...parseHex('0x01,0x02')], [1, 2]);
    assert.deepEqual([...parseHex('0a0B')], [10, 11]);
    assert.equal(parseHex('abc'), null);
    assert.equal(describeBinary(Buffer.alloc(0)), 'binary, 0 bytes');
    assert.equal(describeBinary(Buffer.from([0xab])), 'binary, 1 byte: ab');
    assert.match(describeBinary(Buffer.alloc(40)), /^binary, 40 bytes: (00 ){31}00 …$/);
  });

  test('printableText escapes terminal controls, keeps tabs and newlines', () => {
    assert.equal(printableText('a\x1b[2Jb\rc\x7f'), 'a\\x1b[2Jb\\rc\\x7f');
    assert.equal(printableText('one\ntwo', '  '), 'one\n  two');
    assert.equal(printableText('tab\there'), 'tab\there');
  });

  test('options: durations, integers, sizes', () => {
    assert.equal(durationOption('wait', '500ms', 0, 'ms'), 500);
    assert.equal(durationOption('wait', '2s', 0, 'ms'), 2000);
    assert.equal(durationOption('duration', '1.5m', 0, 's'), 90000);
    assert.equal(durationOption('duration', '3', 0, 's'), 3000);
    assert.equal(durationOption('wait', '3', 0, 'ms'), 3);
    assert.throws(() => durationOption('wait', 'soon', 0, 'ms'), { code: 'SOCKETEER_CLI_USAGE' });
    assert.throws(() => integerOption('port', '65536', 0, 0, 65535), { code: 'SOCKETEER_CLI_USAGE', message: /--port wants a whole number from 0 to 65535/ });
    assert.equal(parseSize('64KiB'), 65536);
    assert.equal(parseSize('1m'), 1048576);
    assert.equal(parseSize('12'), 12);
    assert.equal(parseSize('lots'), null);
  });

  test('colours: terminal only, NO_COLOR wins, FORCE_COLOR forces', () => {
    assert.equal(colorsWanted({ isTTY: true }, {}), true);
    assert.equal(colorsWanted({ isTTY: false }, {}), false);
    assert.equal(colorsWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorsWanted({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(colorsWanted({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(colorsWanted({ isTTY: false }, { FORCE_COLOR: '0' }), false);
  });

  test('latency percentiles and the table layout', () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) recorder.record(i);
    const s = recorder.summary();
    assert.deepEqual([s.min, s.p50, s.p90, s.p99, s.p999, s.max, s.mean], [1, 500, 900, 990, 999, 1000, 500.5]);
    const small = new LatencyRecorder(10);
    for (let i = 0; i < 100; i++) small.record(i);
    assert.equal(small.summary().count, 100, 'counts every sample even past the reservoir');
    assert.equal(small.summary().max, 99);
    assert.equal(new LatencyRecorder().summary(), null);
    assert.equal(table([['a', 'bb'], ['ccc', 'd']]), 'a    bb\nccc   d');
  });
});
