import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { WebSocket } from '../index.js';

export interface ExecContext {
  remote: string;
  path: string;
  protocol: string;
}

export interface ExecHooks {
  sent(): void;
  received(data: Buffer, isBinary: boolean): void;
  /** The server starts the closing handshake (the process exited). */
  closing(): void;
  failed(message: string): void;
}

/** How long a process may linger after its connection closed before SIGTERM. */
const LINGER_MS = 2000;

/**
 * `serve --exec`: pipe one connection to a child process. Text messages go to
 * its stdin as lines, binary as raw bytes; each line of its stdout goes back as
 * a text message. Its exit closes the connection; the connection's close ends
 * its stdin.
 */
export function attachExec(ws: WebSocket, command: string, context: ExecContext, hooks: ExecHooks): void {
  const child = spawn(command, {
    shell: true,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, SOCKETEER_REMOTE: context.remote, SOCKETEER_PATH: context.path, SOCKETEER_PROTOCOL: context.protocol },
  });
  let exited = false;
  let lingerTimer: NodeJS.Timeout | null = null;

  // A child that stops reading must not make us buffer without limit: pause the socket.
  child.stdin.on('drain', () => ws.resume());
  child.stdin.on('error', () => undefined); // EPIPE once the child is gone; its exit reports that
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    hooks.received(data, isBinary);
    if (exited || child.stdin.destroyed) return;
    const more = isBinary ? child.stdin.write(data) : child.stdin.write(Buffer.concat([data, Buffer.from('\n')]));
    if (!more) ws.pause();
  });

  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(line);
    hooks.sent();
  });

  child.on('error', (error) => {
    hooks.failed(`cannot run "${command}": ${error.message}`);
  });
  // 'close' (not 'exit') so every line of stdout has been read and sent first.
  child.on('close', (code, signal) => {
    exited = true;
    if (lingerTimer !== null) clearTimeout(lingerTimer);
    if (ws.readyState !== WebSocket.OPEN) return;
    hooks.closing();
    if (code === 0) ws.close(1000, 'process exited');
    else ws.close(1011, signal === null ? `process exited with status ${code ?? '?'}` : `process killed by ${signal}`);
  });

  ws.on('close', () => {
    if (exited) return;
    child.stdin.end();
    lingerTimer = setTimeout(() => {
      if (!exited) child.kill('SIGTERM');
    }, LINGER_MS);
    lingerTimer.unref();
  });
}
