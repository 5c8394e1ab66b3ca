import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface LineHandlers {
  onLine(line: string): void;
  /** The input ended (Ctrl-D on a terminal, end of a pipe). */
  onEnd(): void;
  /** Ctrl-C on a terminal. */
  onInterrupt?(): void;
}

/** Where typed lines come from, and how output lines get past the prompt. */
export interface LineInput {
  /** Print one line of output without mangling what the user is typing. */
  print(line: string): void;
  close(): void;
}

const HISTORY_LIMIT = 1000;

/** The history file: $SOCKETEER_HISTORY ("" turns it off) or ~/.socketeer_history. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.SOCKETEER_HISTORY !== undefined) return env.SOCKETEER_HISTORY === '' ? null : env.SOCKETEER_HISTORY;
  return join(homedir(), '.socketeer_history');
}

/**
 * A shell-like prompt: line editing and history from node:readline, history
 * kept across sessions in a file. Output printed while the user types goes
 * above the prompt, and the half-typed line is redrawn below it.
 */
export function interactiveInput(input: Readable, output: Writable, prompt: string, file: string | null, handlers: LineHandlers): LineInput {
  const rl = readline.createInterface({
    input,
    output,
    prompt,
    terminal: true,
    history: loadHistory(file),
    historySize: HISTORY_LIMIT,
    removeHistoryDuplicates: true,
  });
  let closed = false;
  let history: string[] | null = null;
  rl.on('history', (lines: string[]) => {
    history = lines;
  });
  rl.on('line', (line) => {
    // Replace the echoed "prompt + line" with the formatted record of it.
    const columns = (output as { columns?: number }).columns ?? 80;
    const rows = Math.max(1, Math.ceil((prompt.length + line.length) / columns));
    readline.moveCursor(output, 0, -rows);
    readline.cursorTo(output, 0);
    readline.clearScreenDown(output);
    handlers.onLine(line);
    if (!closed) rl.prompt();
  });
  rl.on('SIGINT', () => handlers.onInterrupt?.());
  // Leave no dangling prompt behind: what prints after the session starts at column 0.
  const clearPrompt = (): void => {
    readline.cursorTo(output, 0);
    readline.clearScreenDown(output);
  };
  rl.on('close', () => {
    if (closed) return;
    closed = true;
    clearPrompt();
    saveHistory(file, history);
    handlers.onEnd();
  });
  rl.prompt();
  return {
    print(line) {
      if (closed) {
        output.write(line + '\n');
        return;
      }
      const { rows } = rl.getCursorPos();
      readline.cursorTo(output, 0);
      if (rows > 0) readline.moveCursor(output, 0, -rows);
      readline.clearScreenDown(output);
      output.write(line + '\n');
      rl.prompt(true);
    },
    close() {
      if (closed) return;
      closed = true;
      clearPrompt();
      saveHistory(file, history);
      rl.close();
    },
  };
}

/** Lines from a pipe or file, no prompt, output printed as is. */
export function pipedInput(input: Readable, output: Writable, handlers: LineHandlers): LineInput {
  const rl = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
  let closed = false;
  rl.on('line', (line) => {
    if (!closed) handlers.onLine(line);
  });
  rl.on('close', () => {
    if (closed) return;
    closed = true;
    handlers.onEnd();
  });
  return {
    print(line) {
      output.write(line + '\n');
    },
    close() {
      if (closed) return;
      closed = true;
      rl.close();
      input.destroy();
    },
  };
}

function loadHistory(file: string | null): string[] {
  if (file === null) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').slice(-HISTORY_LIMIT).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string | null, newestFirst: string[] | null): void {
  if (file === null || newestFirst === null) return;
  try {
    writeFileSync(file, newestFirst.slice(0, HISTORY_LIMIT).reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // A history file we cannot write is not worth failing the session for.
  }
}
