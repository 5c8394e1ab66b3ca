import type { Writable } from 'node:stream';

export interface Style {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/**
 * Colours only on a terminal, and never when NO_COLOR is set to anything
 * non-empty (https://no-color.org). FORCE_COLOR (not "0") turns them on even
 * when the output is not a terminal.
 */
export function colorsWanted(stream: Writable, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) =>
    enabled ? (text: string) => `\x1b[${open}m${text}\x1b[${close}m` : (text: string) => text;
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}
