// `socketeer serve --http2 [--cert --key]` and `socketeer connect --http2 / --http2-auto`:
// both ends as child processes, HTTP/2 and HTTP/1.1 on one TLS port, h2c,
// refusals and usage errors.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { WebSocket } from '../../dist/esm/index.js';
import { echoServer, jsonLines, runCli, startCli } from './cli-helpers.mjs';

const TLS = (name) => fileURLToPath(new URL(`../helpers/tls/${name}`, import.meta.url));
const CERT = TLS('localhost-cert.pem');
const KEY = TLS('localhost-key.pem');

async function startServe(args) {
  const cli = startCli(['serve', '--port', '0', '--json', ...args]);
  const match = await cli.waitFor(/"url":"(wss?):\/\/127\.0\.0\.1:(\d+)\/"/);
  return { cli, scheme: match[1], port: match[2] };
}

async function stopServe(cli) {
  cli.child.kill('SIGTERM');
  const { code } = await cli.exited;
  return code;
}

const connects = (stdout) => jsonLines(stdout).filter((event) => event.event === 'connect');

describe('socketeer serve --http2 / connect --http2', () => {
  test('serve --http2 --cert --key: HTTP/2 and HTTP/1.1 on one TLS port, as the logs of both ends show', async () => {
    const { cli, scheme, port } = await startServe(['--http2', '--cert', CERT, '--key', KEY]);
    try {
      assert.equal(scheme, 'wss');
      assert.match(jsonLines(cli.state.stdout)[0].mode, /HTTP\/2 and HTTP\/1\.1/);
      const url = `wss://127.0.0.1:${port}/`;
      const h2 = await runCli(['connect', url, '--http2', '--insecure', '--json', '-x', 'over h2', '-n', '1']);
      assert.equal(h2.code, 0, h2.stderr);
      const h2Events = jsonLines(h2.stdout);
      assert.deepEqual(
        { status: h2Events[0].status, httpVersion: h2Events[0].httpVersion },
        { status: 200, httpVersion: '2.0' },
      );
      assert.equal(h2Events.find((e) => e.event === 'message').data, 'over h2');
      assert.equal(h2Events.at(-1).wasClean, true);

      const h1 = await runCli(['connect', url, '--insecure', '--json', '-x', 'over h1', '-n', '1']);
      assert.equal(h1.code, 0, h1.stderr);
      assert.deepEqual({ status: jsonLines(h1.stdout)[0].status, httpVersion: jsonLines(h1.stdout)[0].httpVersion }, { status: 101, httpVersion: '1.1' });

      const auto = await runCli(['connect', url, '--http2-auto', '--insecure', '-x', 'auto', '-n', '1']);
      assert.equal(auto.code, 0, auto.stderr);
      assert.match(auto.stdout, /over HTTP\/2/);

      await cli.waitFor(/"event":"close","id":3/);
      assert.deepEqual(connects(cli.state.stdout).map((e) => e.httpVersion), ['2.0', '1.1', '2.0']);
      const closes = jsonLines(cli.state.stdout).filter((e) => e.event === 'close');
      assert.ok(closes.every((e) => e.wasClean && e.code === 1000), JSON.stringify(closes));
      assert.equal(await stopServe(cli), 0);
    } finally {
      await cli.kill();
    }
  });

  test('serve --http2 without a certificate is h2c; SIGTERM closes open HTTP/2 sockets with 1001 and exits 0', async () => {
    const { cli, scheme, port } = await startServe(['--http2']);
    try {
      assert.equal(scheme, 'ws');
      const h2c = await runCli(['connect', `ws://127.0.0.1:${port}/`, '--http2', '--json', '-x', 'h2c', '-n', '1']);
      assert.equal(h2c.code, 0, h2c.stderr);
      assert.equal(jsonLines(h2c.stdout)[0].httpVersion, '2.0');

      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { http2: true });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const closed = ws.closed;
      assert.equal(await stopServe(cli), 0);
      const info = await closed;
      assert.deepEqual({ code: info.code, wasClean: info.wasClean }, { code: 1001, wasClean: true });
    } finally {
      await cli.kill();
    }
  });

  test('serve --cert --key without --http2 serves wss:// over HTTP/1.1 only: connect --http2 fails with exit 3, --http2-auto falls back', async () => {
    const { cli, scheme, port } = await startServe(['--cert', CERT, '--key', KEY]);
    try {
      assert.equal(scheme, 'wss');
      const url = `wss://127.0.0.1:${port}/`;
      const refused = await runCli(['connect', url, '--http2', '--insecure', '--json', '-x', 'x']);
      assert.equal(refused.code, 3, refused.stdout + refused.stderr);
      const failure = jsonLines(refused.stdout).find((e) => e.event === 'handshake-failed' || e.code !== undefined);
      assert.equal(failure.code, 'WS_ERR_HTTP2_UNAVAILABLE', refused.stdout);

      const auto = await runCli(['connect', url, '--http2-auto', '--insecure', '--json', '-x', 'fallback', '-n', '1']);
      assert.equal(auto.code, 0, auto.stderr);
      assert.equal(jsonLines(auto.stdout)[0].httpVersion, '1.1');
      assert.equal(await stopServe(cli), 0);
    } finally {
      await cli.kill();
    }
  });

  test('connect --http2 to a plain HTTP/1.1 ws:// server: a coded handshake failure, not a hang', async () => {
    const server = await echoServer();
    try {
      const result = await runCli(['connect', server.url, '--http2', '-x', 'x', '--connect-timeout', '5s']);
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.match(result.stderr, /WS_ERR_HTTP2_UNAVAILABLE/);
    } finally {
      await server.close();
    }
  });

  test('usage errors: --cert without --key, an unreadable --cert, --http2 with --proxy, --http2 with --http2-auto', async () => {
    const cases = [
      [['serve', '--cert', CERT], /--cert and --key go together/],
      [['serve', '--http2', '--cert', '/nonexistent/cert.pem', '--key', KEY], /--cert \/nonexistent\/cert\.pem: cannot read it \(ENOENT\)/],
      [['connect', 'wss://127.0.0.1:1/', '--http2', '--proxy', 'http://127.0.0.1:3128'], /--http2 cannot go through --proxy/],
      [['connect', 'wss://127.0.0.1:1/', '--http2', '--http2-auto'], /contradict/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
