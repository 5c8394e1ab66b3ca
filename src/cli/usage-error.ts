import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line: the dispatcher prints it and exits with 2. */
export class UsageError extends Error {
  readonly code = 'SOCKETEER_CLI_USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What parseCommandLine returns; read values with the typed accessors below. */
export interface ParsedCommandLine {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

/** node:util parseArgs, with its errors turned into UsageErrors. */
export function parseCommandLine(args: string[], options: OptionSpecs, maxPositionals: number): ParsedCommandLine {
  let parsed: ParsedCommandLine;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as ParsedCommandLine;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  return parsed;
}

/** A string option's value, or undefined when absent. */
export function stringValue(parsed: ParsedCommandLine, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option's values, in command-line order. */
export function stringList(parsed: ParsedCommandLine, name: string): string[] {
  const value = parsed.values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** A boolean flag: true only when given. */
export function flag(parsed: ParsedCommandLine, name: string): boolean {
  return parsed.values[name] === true;
}

/** A non-negative integer option ("--port 8080"), or the default when absent. */
export function integerOption(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} wants a whole number from ${min} to ${max}, got "${value}"`);
  }
  return number;
}

/**
 * A duration option in milliseconds: "500ms", "2s", "1.5m", or a bare number
 * in `bareUnit` ("10" is 10 s for --duration, 10 ms for --wait).
 */
export function durationOption(name: string, value: string | undefined, fallbackMs: number, bareUnit: 'ms' | 's'): number {
  if (value === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (match === null) throw new UsageError(`--${name} wants a duration such as 500ms, 2s or 1m, got "${value}"`);
  const unit = match[2] ?? bareUnit;
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000;
  return Math.round(Number(match[1]) * factor);
}

/** The command's one positional argument, a ws://, wss://, http:// or https:// URL. */
export function urlArgument(parsed: ParsedCommandLine, command: string): string {
  const url = parsed.positionals[0];
  if (url === undefined) throw new UsageError(`${command} wants a URL, such as ws://127.0.0.1:8080 (see socketeer ${command} --help)`);
  if (!/^(wss?|https?):\/\//i.test(url)) throw new UsageError(`"${url}" is not a WebSocket URL: start it with ws:// or wss://`);
  return url;
}

/** The repeatable `-H "Name: value"` option as a header object. */
export function headerOptions(parsed: ParsedCommandLine): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of stringList(parsed, 'header')) {
    const colon = header.indexOf(':');
    const name = colon === -1 ? '' : header.slice(0, colon).trim();
    if (name === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`-H wants "Name: value", got "${header}"`);
    }
    headers[name] = header.slice(colon + 1).trim();
  }
  return headers;
}
