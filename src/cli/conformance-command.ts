// `socketeer conformance server|client|list`: the frame-level conformance suite from the command line.
import {
  DEFAULT_OUT_DIR,
  DEFAULT_TIMEOUTS,
  isFailing,
  runServerSuite,
  selectedCases,
  startClientSuite,
  summaryTable,
  writeReportFiles,
  type CaseResult,
  type SuiteReport,
  type SuiteTimeouts,
  type VerdictPaint,
} from '../conformance/index.js';
import { colorsWanted, createStyle } from './style.js';
import { flag, integerOption, parseCommandLine, stringValue, UsageError, type OptionSpecs } from './usage-error.js';

export const CONFORMANCE_USAGE = `Usage:
  socketeer conformance server <ws://host:port/path> [options]
      Run the cases against a server that echoes every message back.
  socketeer conformance server <https://host:port/path> --http2 [options]
      The same, each case on an HTTP/2 stream (RFC 8441): https:// is h2 over
      TLS (any certificate), http:// is h2c.
  socketeer conformance client [--port 9001] [--host 127.0.0.1] [--once] [options]
      Listen; a client under test connects to /getCaseCount, then
      /runCase?case=N&agent=NAME for N = 1..count (echoing every message back),
      then /updateReports?agent=NAME, which writes the report.
  socketeer conformance list [--cases ...]
      Print the case ids and descriptions.

Options:
  --cases 1.*,7.3.*     only these cases (comma-separated, "*" matches the rest of an id)
  --exclude 9.*         leave these cases out
  --out DIR             where report.json and report.html go (default ./${DEFAULT_OUT_DIR})
  --quick               9.x cases up to 1 MiB instead of 16 MiB
  --http2               server mode: run the cases over HTTP/2 streams
  --case-timeout MS     time the peer has to answer a case (default ${DEFAULT_TIMEOUTS.caseMs})
  --close-timeout MS    time a server has to close TCP after the closing handshake (default ${DEFAULT_TIMEOUTS.closeMs})
  --fail-fast-window MS time a strict peer has to fail after the first invalid UTF-8 byte (default ${DEFAULT_TIMEOUTS.failFastMs})

Examples:
  socketeer conformance server ws://127.0.0.1:9001/echo
  socketeer conformance server ws://127.0.0.1:9001 --cases '1.*,7.*' --quick --out ./report
  socketeer conformance server https://127.0.0.1:8443/ --http2 --cases '7.*,9.*' --quick
  socketeer conformance client --port 9001 --once
  socketeer conformance list --cases '6.7.*'

Exit status: 0 when no case is FAILED, UNCLEAN or WRONG CODE; 1 otherwise; 2 on a usage error.`;

const OPTIONS: OptionSpecs = {
  cases: { type: 'string' },
  exclude: { type: 'string' },
  out: { type: 'string' },
  quick: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  once: { type: 'boolean' },
  http2: { type: 'boolean' },
  'case-timeout': { type: 'string' },
  'close-timeout': { type: 'string' },
  'fail-fast-window': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** A millisecond option, or undefined when absent (the suite's default applies). */
function msOption(parsed: ReturnType<typeof parseCommandLine>, name: string): number | undefined {
  const value = stringValue(parsed, name);
  return value === undefined ? undefined : integerOption(name, value, 0);
}

/** Colours on a terminal only (NO_COLOR and FORCE_COLOR respected, see style.ts). */
function painter(stream: NodeJS.WriteStream): VerdictPaint {
  const style = createStyle(colorsWanted(stream));
  return (kind, text) => (kind === 'good' ? style.green(text) : kind === 'bad' ? style.red(text) : style.yellow(text));
}

function verdictKind(result: CaseResult): 'good' | 'bad' | 'warn' {
  if (isFailing(result)) return 'bad';
  return result.behavior === 'OK' && result.behaviorClose === 'OK' ? 'good' : 'warn';
}

function progress(): (result: CaseResult, index: number, total: number) => void {
  const tty = process.stderr.isTTY;
  const paint = painter(process.stderr);
  return (result, index, total) => {
    const mark = isFailing(result) ? ' !' : '';
    if (tty) {
      const verdict = paint(verdictKind(result), `${result.behavior} / ${result.behaviorClose}${mark}`);
      const line = `[${String(index).padStart(String(total).length)}/${total}] ${result.id} ${verdict}`;
      process.stderr.write(`\r\x1b[K${line}${index === total ? '\n' : ''}`);
    } else if (isFailing(result)) {
      process.stderr.write(`${result.id}: ${result.behavior} / ${result.behaviorClose}: ${result.remarks[0] ?? ''}\n`);
    }
  };
}

function finish(report: SuiteReport, outDir: string): number {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const files = writeReportFiles(outDir, report);
  process.stdout.write(`${summaryTable(report, painter(process.stdout))}\nReport: ${files.html} and ${files.json}\n`);
  return report.failing === 0 ? 0 : 1;
}

/** Runs `socketeer conformance ...`; resolves with the exit status. */
export async function conformanceCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, OPTIONS, 2);
  const [mode, url] = parsed.positionals;
  const help = flag(parsed, 'help');
  if (help || !mode) {
    (help ? process.stdout : process.stderr).write(`${CONFORMANCE_USAGE}\n`);
    return help ? 0 : 2;
  }
  const timeouts: SuiteTimeouts = {};
  const caseMs = msOption(parsed, 'case-timeout');
  const closeMs = msOption(parsed, 'close-timeout');
  const failFastMs = msOption(parsed, 'fail-fast-window');
  if (caseMs !== undefined) timeouts.caseMs = caseMs;
  if (closeMs !== undefined) timeouts.closeMs = closeMs;
  if (failFastMs !== undefined) timeouts.failFastMs = failFastMs;
  const selection = {
    cases: stringValue(parsed, 'cases'),
    exclude: stringValue(parsed, 'exclude'),
    full: !flag(parsed, 'quick'),
    timeouts,
    onResult: progress(),
  };
  const outDir = stringValue(parsed, 'out') ?? DEFAULT_OUT_DIR;
  const once = flag(parsed, 'once');

  switch (mode) {
    case 'list': {
      const lines = selectedCases(selection).map((c) => `${c.id.padEnd(9)} ${c.description}\n`);
      process.stdout.write(lines.join(''));
      return 0;
    }
    case 'server': {
      if (!url) throw new UsageError('conformance server wants the URL of an echo server: ws://host:port/path');
      if (flag(parsed, 'http2')) {
        if (!/^(https?|wss?):\/\//i.test(url)) throw new UsageError(`--http2 wants an https:// (h2) or http:// (h2c) URL, got "${url}"`);
        return finish(await runServerSuite({ ...selection, url, http2: true }), outDir);
      }
      if (!/^ws:\/\//i.test(url)) {
        throw new UsageError(`"${url}" is not a ws:// URL; the suite judges raw TCP bytes, so test the server without TLS (or behind its TLS terminator)`);
      }
      return finish(await runServerSuite({ ...selection, url }), outDir);
    }
    case 'client': {
      if (url) throw new UsageError(`conformance client takes no URL (got "${url}"); use --port`);
      const port = integerOption('port', stringValue(parsed, 'port'), 9001, 0, 65535);
      let status = 0;
      let resolveDone: () => void = () => {};
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const suite = await startClientSuite({
        ...selection,
        port,
        host: stringValue(parsed, 'host'),
        onReport: (report) => {
          status = finish(report, outDir);
          if (once) resolveDone();
        },
      });
      process.stdout.write(
        `Conformance server for clients on ${suite.url} (${suite.cases.length} cases): ` +
          `${suite.url}/getCaseCount, ${suite.url}/runCase?case=N&agent=NAME, ${suite.url}/updateReports?agent=NAME\n` +
          (once ? 'Exits after the first /updateReports.\n' : 'Ctrl-C to stop.\n'),
      );
      const stop = () => resolveDone();
      process.once('SIGINT', stop);
      await done;
      process.off('SIGINT', stop);
      await suite.close();
      return status;
    }
    default:
      throw new UsageError(`unknown mode "${mode}"; use server, client or list (see --help)`);
  }
}
