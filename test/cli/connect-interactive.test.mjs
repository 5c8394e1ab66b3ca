// `socketeer connect` on a real terminal: driven through tmux, checked on the screen.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, echoServer } from './cli-helpers.mjs';

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const missing = 'tmux is not installed: apt-get install tmux';
if (!hasTmux && process.env.CI === 'true') {
  test('tmux is available for the interactive CLI tests', () => assert.fail(missing));
}

/** One tmux server on its own socket, running one command in a 120x30 window. */
class Terminal {
  constructor(command, env) {
    this.socket = `socketeer-cli-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    // capture-pane drops trailing blanks, so an empty prompt reads ">".
    // The trailing echo marks the exit status on the screen; sleep keeps the pane readable.
    const script = `env ${envArgs} ${command}; echo "[exit $?]"; sleep 60`;
    this.tmux('new-session', '-d', '-x', '120', '-y', '30', script);
  }

  tmux(...args) {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 5000 });
  }

  keys(...keys) {
    this.tmux('send-keys', '-t', '0', ...keys);
  }

  /** Type text literally (no key-name lookup), then press Enter if asked. */
  type(text, enter = true) {
    this.tmux('send-keys', '-t', '0', '-l', text);
    if (enter) this.keys('Enter');
  }

  screen(escapes = false) {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', '0');
  }

  /** Poll the screen until `predicate(screen)` holds; fail with the screen after `ms`. */
  async waitFor(predicate, what, ms = 10000) {
    const deadline = Date.now() + ms;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (typeof predicate === 'function' ? predicate(screen) : predicate.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Timed out after ${ms} ms waiting for ${what}; the screen:\n${screen}`);
  }

  kill() {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore', timeout: 5000 });
  }
}

function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

const count = (text, re) => (text.match(new RegExp(re.source, 'gm')) ?? []).length;

describe('socketeer connect, interactive (tmux)', { skip: hasTmux ? false : missing }, () => {
  let server;
  let lastClient;
  let dir;
  before(async () => {
    server = await echoServer((ws) => {
      lastClient = ws;
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    dir = mkdtempSync(join(tmpdir(), 'socketeer-cli-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('typed lines, history, slash commands, messages arriving mid-line, /close', async () => {
    const history = join(dir, 'history');
    const term = new Terminal(`${shellQuote(process.execPath)} ${shellQuote(BIN)} connect ${server.url}`, { NO_COLOR: '1', SOCKETEER_HISTORY: history });
    try {
      await term.waitFor(/\* connected to ws:\/\/127\.0\.0\.1:\d+\/[^\n]*\n[^\n]*\n>\s*$/m, 'the banner and the prompt');

      term.type('hello world');
      await term.waitFor(/^\d\d:\d\d:\d\d\.\d{3} < hello world$/m, 'the echo');
      let screen = term.screen();
      assert.match(screen, /^\d\d:\d\d:\d\d\.\d{3} > hello world$/m, 'the typed line is replaced by its record');
      assert.doesNotMatch(screen, /^> hello world$/m);

      term.keys('Up', 'Enter'); // history: the same line again
      await term.waitFor((s) => count(s, /< hello world$/) === 2, 'the line sent again from history');

      term.type('/ping abc');
      await term.waitFor(/< pong abc \(round trip \d+\.\d\d ms\)$/m, 'the pong');
      term.type('/binary 01 02 ff');
      await term.waitFor(/< binary, 3 bytes: 01 02 ff$/m, 'the binary echo as hex');
      term.type('/nonsense');
      await term.waitFor(/! Unknown command \/nonsense/, 'the unknown command error');

      // A message arriving while a line is half typed goes above the prompt, which is redrawn.
      term.type('half typed', false);
      await term.waitFor(/^> half typed$/m, 'the half-typed line');
      lastClient.send('pushed by the server');
      screen = await term.waitFor(/< pushed by the server$/m, 'the pushed message');
      const lines = screen.trimEnd().split('\n');
      assert.equal(lines.at(-1), '> half typed', `the prompt and the typed text stay last:\n${screen}`);

      term.keys('C-u');
      term.type('/close 4001 done');
      screen = await term.waitFor(/\[exit \d+\]/, 'the exit');
      assert.match(screen, /\* closed by the client \(us\): 4001 [^,]*, reason "done", clean$/m);
      assert.match(screen, /^\[exit 0\]$/m);
      assert.deepEqual(readFileSync(history, 'utf8').trim().split('\n').slice(0, 2), ['hello world', '/ping abc']);
    } finally {
      term.kill();
    }
  });

  test('colours on a terminal; Ctrl-D closes cleanly and exits 0; a server close ends the session', async () => {
    const command = `${shellQuote(process.execPath)} ${shellQuote(BIN)} connect ${server.url}`;
    const term = new Terminal(command, { SOCKETEER_HISTORY: '' });
    try {
      await term.waitFor(/^>\s*$/m, 'the prompt');
      assert.match(term.screen(true), /\x1b\[[0-9;]*m/, 'colours on a terminal');
      term.keys('C-d');
      const screen = await term.waitFor(/\[exit \d+\]/, 'the exit');
      assert.match(screen, /closed by the client \(us\): 1000 Normal Closure, no reason, clean$/m);
      assert.match(screen, /^\[exit 0\]$/m);
    } finally {
      term.kill();
    }
    const plain = new Terminal(command, { SOCKETEER_HISTORY: '', NO_COLOR: '1' });
    try {
      await plain.waitFor(/^>\s*$/m, 'the prompt');
      assert.doesNotMatch(plain.screen(true), /\x1b\[(?!0?m)[0-9;]*m/, 'NO_COLOR: no colours');
      lastClient.close(1001, 'server going away');
      const screen = await plain.waitFor(/\[exit \d+\]/, 'the exit');
      assert.match(screen, /closed by the server: 1001 Going Away, reason "server going away", clean$/m);
      assert.match(screen, /^\[exit 0\]$/m);
    } finally {
      plain.kill();
    }
  });

  test('Ctrl-C closes with 1000; bench shows a live progress line, then the table', async () => {
    const term = new Terminal(`${shellQuote(process.execPath)} ${shellQuote(BIN)} connect ${server.url}`, { NO_COLOR: '1', SOCKETEER_HISTORY: '' });
    try {
      await term.waitFor(/^>\s*$/m, 'the prompt');
      term.keys('C-c');
      const screen = await term.waitFor(/\[exit \d+\]/, 'the exit');
      assert.match(screen, /closing \(press Ctrl-C again to drop the connection\)/);
      assert.match(screen, /closed by the client \(us\): 1000 Normal Closure, no reason, clean$/m);
      assert.match(screen, /^\[exit 0\]$/m);
    } finally {
      term.kill();
    }
    const bench = new Terminal(`${shellQuote(process.execPath)} ${shellQuote(BIN)} bench ${server.url} -c 2 -d 2s`, { NO_COLOR: '1' });
    try {
      await bench.waitFor(/^\d+\.\ds\/2s {2}2 open {2}sent \d+ {2}received \d+ {2}\d+ msg\/s {2}p50 \S+ ms {2}p99 \S+ ms/m, 'the progress line');
      const screen = await bench.waitFor(/\[exit \d+\]/, 'the exit');
      assert.match(screen, /^latency \(ms\)/m);
      assert.doesNotMatch(screen, /msg\/s {2}p50/, 'the progress line is erased before the table');
      assert.match(screen, /^\[exit 0\]$/m);
    } finally {
      bench.kill();
    }
  });
  test('conformance on a terminal: one progress line rewritten per case, then the coloured table', async () => {
    const out = join(dir, 'conformance');
    const term = new Terminal(`${shellQuote(process.execPath)} ${shellQuote(BIN)} conformance server ${server.url} --cases '1.1.*' --out ${shellQuote(out)}`, {});
    try {
      const screen = await term.waitFor(/\[exit \d+\]/, 'the exit', 20000);
      assert.match(screen, /^\[14\/14\] 1\.1\.14 OK \/ OK$/m, 'the last progress line');
      assert.doesNotMatch(screen, /\[ ?1\/14\]/, 'earlier progress lines were overwritten');
      assert.match(screen, /^1\.1 +14 +14 +0 +0 +0 +14 +0$/m, 'the summary table');
      assert.match(screen, /^\[exit 0\]$/m);
      assert.match(term.screen(true), /\x1b\[32mPASS/, 'PASS in green on a terminal');
    } finally {
      term.kill();
    }
  });
});
