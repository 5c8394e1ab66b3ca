// The conformance suite's client side over HTTP/2 (RFC 8441): every case on
// its own extended CONNECT stream against socketeer's WebSocketServer on an
// http2 server (h2 over TLS and h2c); a server that resets the stream instead
// of closing is caught; the CLI's --http2. Reduced here (closing handshake,
// limits sampled up to 1 MiB, framing, deflate); `npm run conformance:full`
// runs every case over HTTP/2 too.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { test } from 'node:test';
import { runServerSuite, selectedCases } from '../../dist/esm/conformance/index.js';
import { startH2Server } from '../http2/lib.mjs';
import { runCli } from '../cli/cli-helpers.mjs';
import { assertStrict, STRICT_TIMEOUTS, verdictCounts } from './verdicts.mjs';

const H2_REDUCED = {
  cases: ['1.*', '7.*', '12.1.*', '9.1.1', '9.1.6', '9.2.1', '9.2.6', '9.4.7', '9.7.1', '9.9.6', '9.10.1'],
};

async function echoH2(secure) {
  const h2 = await startH2Server({ secure, wssOptions: { perMessageDeflate: true } });
  h2.wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return h2;
}

test('socketeer over h2 (TLS): closing handshake, limits, framing, deflate cases OK on HTTP/2 streams', { timeout: 120_000 }, async (t) => {
  const h2 = await echoH2(true);
  try {
    const url = `https://127.0.0.1:${h2.port}/`;
    const report = await runServerSuite({ url, http2: true, ...H2_REDUCED, timeouts: STRICT_TIMEOUTS });
    t.diagnostic(`${report.results.length} cases in ${report.durationMs} ms: ${verdictCounts(report)}`);
    assertStrict(report, selectedCases(H2_REDUCED).length);
    assert.match(report.target, /\(HTTP\/2\)$/);
    // Each case really was an extended CONNECT stream (plus the reachability probe).
    assert.equal(h2.seen.connectStreams, report.results.length + 1);
    assert.ok(h2.seen.connections.every(({ request }) => request.httpVersion === '2.0'));
  } finally {
    await h2.close();
  }
});

test('socketeer over h2c: the closing handshake cases OK', { timeout: 60_000 }, async () => {
  const h2 = await echoH2(false);
  try {
    const report = await runServerSuite({ url: `http://127.0.0.1:${h2.port}/`, http2: true, cases: '7.*', timeouts: STRICT_TIMEOUTS });
    assertStrict(report, selectedCases({ cases: '7.*' }).length);
  } finally {
    await h2.close();
  }
});

test('a server that resets the stream on a Close instead of answering it is not judged OK', { timeout: 60_000 }, async () => {
  // Raw node:http2: answers the CONNECT with 200, echoes nothing, and on the
  // first bytes from the tester sends RST_STREAM(CANCEL).
  const server = http2.createServer({ settings: { enableConnectProtocol: true } });
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    stream.on('error', () => {});
    stream.once('data', () => stream.close(http2.constants.NGHTTP2_CANCEL));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const sessions = new Set();
  server.on('session', (s) => sessions.add(s));
  try {
    const report = await runServerSuite({ url: `http://127.0.0.1:${server.address().port}/`, http2: true, cases: '7.1.1', timeouts: { caseMs: 2000, closeMs: 500 } });
    const [result] = report.results;
    assert.notEqual(result.behaviorClose, 'OK', JSON.stringify(result));
    assert.equal(result.teardown.reset, true, JSON.stringify(result.teardown));
    assert.ok(report.failing > 0);
  } finally {
    for (const s of sessions) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('socketeer conformance server https://... --http2 (CLI): exit 0; a server without HTTP/2 WebSockets is a clear error', { timeout: 60_000 }, async () => {
  const h2 = await echoH2(true);
  try {
    const ok = await runCli(['conformance', 'server', `https://127.0.0.1:${h2.port}/`, '--http2', '--cases', '7.1.*', '--out', `/tmp/socketeer-conf-h2-${process.pid}`], { timeout: 30000 });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /PASS/);
  } finally {
    await h2.close();
  }
  const plain = await startH2Server({ secure: false, attach: false });
  try {
    const refused = await runCli(['conformance', 'server', `http://127.0.0.1:${plain.port}/`, '--http2', '--cases', '7.1.1'], { timeout: 30000 });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ERR_CONFORMANCE_CONNECT|SETTINGS_ENABLE_CONNECT_PROTOCOL/);
  } finally {
    await plain.close();
  }
  const usage = await runCli(['conformance', 'server', 'ftp://127.0.0.1:1/', '--http2']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--http2 wants an https:\/\//);
});
