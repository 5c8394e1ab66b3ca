// Helpers for driving bin/socketeer.js as a child process. Every wait is bounded.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from '../../dist/esm/index.js';

export const BIN = fileURLToPath(new URL('../../bin/socketeer.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Env for a child: no colours unless asked, no history file, no CI/TTY surprises. */
export function childEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', SOCKETEER_HISTORY: '' };
  delete env.FORCE_COLOR;
  Object.assign(env, extra);
  for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key];
  return env;
}

/**
 * Run the CLI to completion. `input` is written to stdin (then stdin ends),
 * unless `keepStdin` leaves it open. Kills the child after `timeout` ms.
 */
export async function runCli(args, { input, env, timeout = 15000, keepStdin = false } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  if (input !== undefined) child.stdin.write(input);
  if (!keepStdin) child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw new Error(`socketeer ${args.join(' ')} did not finish within ${timeout} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return { code, stdout, stderr };
}

/** Start the CLI and leave it running; `waitFor(re)` resolves when stdout matches. */
export function startCli(args, { env } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const state = { stdout: '', stderr: '' };
  const waiters = new Set();
  const check = () => {
    for (const waiter of waiters) {
      const match = waiter.re.exec(state.stdout);
      if (match) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(match);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    state.stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => (state.stderr += chunk));
  const exited = once(child, 'close').then(([code, signal]) => ({ code, signal }));
  return {
    child,
    state,
    exited,
    waitFor(re, ms = 10000) {
      return new Promise((resolve, reject) => {
        const waiter = {
          re,
          resolve,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`Timed out after ${ms} ms waiting for ${re} in stdout:\n${state.stdout}\nstderr:\n${state.stderr}`));
          }, ms),
        };
        waiters.add(waiter);
        check();
      });
    },
    /** Stop it (SIGKILL) if a test failed before it exited. */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** An echo server on 127.0.0.1, port 0; `setup(ws, req)` may replace the echo. */
export async function echoServer(setup) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    if (setup) setup(ws, req);
    else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const url = `ws://127.0.0.1:${wss.address().port}`;
  return { wss, url, close: () => wss.close() };
}

/** Parse JSON lines, failing with the text when one is not JSON. */
export function jsonLines(text) {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`Not a JSON line: ${line}\nin:\n${text}`);
      }
    });
}
