// Command-line parsing of connect, serve and bench, in process: usage errors and help texts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BENCH_USAGE, parseBenchArgs } from '../../dist/esm/cli/bench-command.js';
import { CONNECT_USAGE, parseConnectArgs } from '../../dist/esm/cli/connect-command.js';
import { parseServeArgs, SERVE_USAGE } from '../../dist/esm/cli/serve-command.js';

const usage = { code: 'SOCKETEER_CLI_USAGE' };

describe('cli arguments', () => {
  test('connect: defaults, repeatable options, and usage errors', () => {
    const config = parseConnectArgs(['ws://h/p', '-H', 'X-A: 1', '-H', 'X-B:two', '-s', 'a', '-s', 'b', '-x', 'm1', '-x', 'm2', '--no-compress', '-w', '2s', '-n', '3']);
    assert.deepEqual(config.headers, { 'X-A': '1', 'X-B': 'two' });
    assert.deepEqual(config.subprotocols, ['a', 'b']);
    assert.deepEqual(config.execute, ['m1', 'm2']);
    assert.equal(config.compress, false);
    assert.equal(config.waitMs, 2000);
    assert.equal(config.count, 3);
    const plain = parseConnectArgs(['wss://h']);
    assert.deepEqual([plain.compress, plain.insecure, plain.json, plain.waitMs, plain.count], [true, false, false, 0, null]);
    assert.equal(parseConnectArgs(['--help']), null);
    for (const args of [[], ['ftp://x'], ['ws://x', '--bogus'], ['ws://x', '-H', 'no colon'], ['ws://x', '--wait', 'soon'], ['ws://x', 'extra'], ['ws://x', '--compress', '--no-compress'], ['ws://x', '--proxy', 'socks5://p'], ['ws://x', '-n', '0']]) {
      assert.throws(() => parseConnectArgs(args), usage, args.join(' '));
    }
  });

  test('serve: modes and usage errors', () => {
    assert.deepEqual(parseServeArgs([]).mode, { kind: 'echo' });
    assert.equal(parseServeArgs([]).port, 8080);
    assert.equal(parseServeArgs([]).host, '127.0.0.1');
    assert.deepEqual(parseServeArgs(['--broadcast', '-p', '0']).mode, { kind: 'broadcast' });
    assert.deepEqual(parseServeArgs(['--exec', 'cat']).mode, { kind: 'exec', command: 'cat' });
    for (const args of [['--echo', '--broadcast'], ['--port', '70000'], ['--exec', ' '], ['--path', 'nope'], ['positional']]) {
      assert.throws(() => parseServeArgs(args), usage, args.join(' '));
    }
  });

  test('bench: defaults and usage errors', () => {
    const config = parseBenchArgs(['ws://h']);
    assert.deepEqual([config.connections, config.size, config.window, config.rate, config.durationMs, config.binary, config.compress], [1, 32, 1, null, 10000, false, false]);
    assert.equal(parseBenchArgs(['ws://h', '--rate', '500', '--size', '4k', '-d', '1m']).rate, 500);
    assert.deepEqual(parseBenchArgs(['ws://h', '-H', 'X-A: 1', '-H', 'X-B:two']).headers, { 'X-A': '1', 'X-B': 'two' });
    for (const args of [[], ['ws://h', '--rate', '5', '--window', '2'], ['ws://h', '--size', 'huge'], ['ws://h', '--size', '200m'], ['ws://h', '-c', '0'], ['ws://h', '-d', '0'], ['ftp://h'], ['ws://h', '-H', 'no colon'], ['ws://h', '-H', 'bad name: v']]) {
      assert.throws(() => parseBenchArgs(args), usage, args.join(' '));
    }
  });

  test('every help text has options, examples and the exit statuses', () => {
    for (const [name, text] of [['connect', CONNECT_USAGE], ['serve', SERVE_USAGE], ['bench', BENCH_USAGE]]) {
      assert.match(text, new RegExp(`^Usage: socketeer ${name}`));
      assert.match(text, /\nOptions:\n/);
      assert.match(text, /\nExamples:\n {2}socketeer /);
      assert.match(text, /\nExit status: /);
      for (const line of text.split('\n')) assert.ok(line.length <= 100, `${name} help line too long: ${line}`);
    }
  });
});
