// Spawning benchmark processes: pinned to a CPU when taskset is available,
// with the open-files limit raised when needed, always killed on exit.
import { spawn, spawnSync } from 'node:child_process';

const children = new Set();
let pinning = false;
let nofile = 0;

export function configureChildren({ pin, raiseNofileTo }) {
  pinning = pin;
  nofile = raiseNofileTo;
}

export function hasTaskset() {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

export function spawnNode(script, cfg, { cpu = null, gc = false, nodeArgs = [], env = process.env } = {}) {
  let cmd = process.execPath;
  let argv = [...nodeArgs, ...(gc ? ['--expose-gc'] : []), script, JSON.stringify(cfg)];
  if (pinning && cpu !== null) {
    argv = ['-c', String(cpu), cmd, ...argv];
    cmd = 'taskset';
  }
  if (nofile > 0) {
    argv = ['-c', `ulimit -n ${nofile} && exec "$@"`, 'sh', cmd, ...argv];
    cmd = 'sh';
  }
  const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  child.on('error', () => {}); // a send() racing the child's exit: the exit handlers report it
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Resolves with the next IPC message of `type`; rejects on exit or timeout. */
export function waitFor(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for '${type}'`)), timeoutMs);
    const onMessage = (m) => { if (m && m.type === type) done(null, m); };
    const onExit = (code, signal) => done(new Error(`child exited (${code ?? signal}) before '${type}'`));
    function done(err, value) {
      clearTimeout(timer);
      child.removeListener('message', onMessage);
      child.removeListener('exit', onExit);
      if (err) reject(err); else resolve(value);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a child to stop, and kills it if it has not exited shortly after. */
export async function stop(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try { child.send({ type: 'stop' }); } catch { /* already gone */ }
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function killAll() {
  for (const child of children) child.kill('SIGKILL');
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); process.exit(130); });
}
process.on('exit', killAll);
