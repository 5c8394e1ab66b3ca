// `socketeer conformance` from the shipped bin: --cases, report files, exit status.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runEchoClient, startBrokenServer, startEchoServer } from './peers.mjs';

const BIN = new URL('../../bin/socketeer.js', import.meta.url).pathname;

// No colour settings from the environment that runs the tests, unless a test asks.
const { NO_COLOR, FORCE_COLOR, ...BASE_ENV } = process.env;

function run(args, onStdout = () => {}, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'conformance', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...BASE_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      onStdout(stdout);
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('list honours --cases and --exclude', async () => {
  const { status, stdout } = await run(['list', '--cases', '2.*,7.3.1', '--exclude', '2.1*']);
  assert.equal(status, 0);
  const ids = stdout.trim().split('\n').map((l) => l.split(' ')[0]);
  assert.deepEqual(ids, ['2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '7.3.1']);
});

test('server mode against socketeer: exit 0, report.json and report.html with one entry per case', { timeout: 60_000 }, async () => {
  const server = await startEchoServer('socketeer');
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    const { status, stdout, stderr } = await run(['server', server.url, '--cases', '1.1.1,2.5,6.5.36,7.*', '--out', out]);
    assert.equal(status, 0, stdout + stderr);
    assert.match(stdout, /PASS/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.mode, 'server');
    assert.equal(report.failing, 0);
    assert.equal(report.results.length, 3 + 42);
    for (const r of report.results) {
      for (const field of ['id', 'behavior', 'behaviorClose', 'durationMs', 'trace', 'teardown']) assert.ok(field in r, `${r.id} has ${field}`);
      assert.ok(r.trace.sent.total > 0 && r.trace.events.length > 0, r.id);
      assert.equal(typeof r.durationMs, 'number');
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const r of report.results) {
      assert.ok(html.includes(`<summary>${r.id}</summary>`), `report.html has an expandable row for ${r.id}`);
      assert.ok(html.includes(`<b>Sent</b> (${r.trace.sent.total} bytes`), `report.html has the wire trace of ${r.id}`);
    }
    assert.equal(html.match(/<td class="ok">OK<\/td>/g)?.length, 2 * report.results.length - 1, 'colour-coded verdicts (7.1.6 is INFORMATIONAL)');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'self-contained');
  } finally {
    rmSync(out, { recursive: true, force: true });
    await server.close();
  }
});

test('server mode against a broken server: exit 1 and the failing cases on stdout', { timeout: 60_000 }, async () => {
  const server = await startBrokenServer('wrong-code');
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    const { status, stdout } = await run(['server', server.url, '--cases', '1.1.1,7.3.1', '--out', out, '--case-timeout', '300']);
    assert.equal(status, 1);
    assert.match(stdout, /1\.1\.1 +FAILED +WRONG CODE/);
    assert.match(stdout, /FAIL \(2 failing\)/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<td class="failed">FAILED<\/td>/);
    assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).failing, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await server.close();
  }
});

test('colours: none through a pipe, FORCE_COLOR turns them on, NO_COLOR wins', { timeout: 60_000 }, async () => {
  const server = await startBrokenServer('wrong-code');
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  const args = ['server', server.url, '--cases', '1.1.1', '--out', out, '--case-timeout', '300'];
  try {
    const plain = await run(args);
    assert.equal(plain.status, 1);
    assert.doesNotMatch(plain.stdout + plain.stderr, /\x1b\[/);
    const forced = await run(args, undefined, { FORCE_COLOR: '1' });
    assert.match(forced.stdout, /\x1b\[31m {2}1\.1\.1 +FAILED +WRONG CODE +\x1b\[39m/);
    assert.match(forced.stdout, /\x1b\[31mFAIL \(1 failing\)\x1b\[39m/);
    const noColor = await run(args, undefined, { FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.doesNotMatch(noColor.stdout, /\x1b\[/);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await server.close();
  }
});

test('client mode with --once: a client that does not echo makes the run exit 1', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    let clientRun;
    const done = run(['client', '--port', '0', '--once', '--cases', '1.1.2,7.3.1', '--out', out, '--case-timeout', '300'], (stdout) => {
      const url = /clients on (ws:\/\/\S+) /.exec(stdout)?.[1];
      if (url && !clientRun) clientRun = runEchoClient('socketeer', url, 'no-echo', {}, { echo: false });
    });
    const { status, stdout } = await done;
    assert.equal(await clientRun, 2);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /1\.1\.2 +FAILED/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.deepEqual(report.results.map((r) => [r.id, r.behavior]), [['1.1.2', 'FAILED'], ['7.3.1', 'OK']]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('client mode with --once: a client drives the cases, the report is written, exit 0', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    let clientRun;
    const done = run(['client', '--port', '0', '--once', '--cases', '1.1.1,2.10,7.3.*,13.2.1', '--out', out], (stdout) => {
      const url = /clients on (ws:\/\/\S+) /.exec(stdout)?.[1];
      if (url && !clientRun) clientRun = runEchoClient('socketeer', url, 'cli-test');
    });
    const { status, stdout, stderr } = await done;
    assert.equal(await clientRun, 19);
    assert.equal(status, 0, stdout + stderr);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.mode, 'client');
    assert.equal(report.agent, 'cli-test');
    assert.deepEqual(report.results.map((r) => r.behaviorClose), Array(19).fill('OK'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('usage errors exit 2 with a code; --help has examples', async () => {
  const bad = await run(['server']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /SOCKETEER_CLI_USAGE/);
  for (const args of [['client', '--port', '99999'], ['server', 'wss://127.0.0.1:1/'], ['server', 'ws://127.0.0.1:1/', '--case-timeout', 'soon'], ['list', '--bogus']]) {
    const r = await run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /\(SOCKETEER_CLI_USAGE\)/, args.join(' '));
  }
  const noMode = await run([]);
  assert.equal(noMode.status, 2);
  assert.equal(noMode.stdout, '', 'the usage goes to stderr on a usage error');
  assert.match(noMode.stderr, /^Usage:/);
  const help = await run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Examples:\n {2}socketeer conformance server ws:\/\//m);
  const noCase = await run(['list', '--cases', '99.*']);
  assert.equal(noCase.status, 1);
  assert.match(noCase.stderr, /ERR_CONFORMANCE_NO_CASES/);
});
