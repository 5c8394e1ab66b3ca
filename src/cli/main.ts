// Entry point of the `socketeer` command: a table of subcommands.
import { benchCommand } from './bench-command.js';
import { conformanceCommand } from './conformance-command.js';
import { connectCommand } from './connect-command.js';
import { ExitCode } from './exit-codes.js';
import { serveCommand } from './serve-command.js';

interface Subcommand {
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  connect: { summary: 'open a WebSocket and talk to it (interactive, piped or --execute)', run: (argv) => connectCommand(argv) },
  serve: { summary: 'run a test server: echo, broadcast, or a process per connection', run: (argv) => serveCommand(argv) },
  bench: { summary: 'load-test a server: messages/s and latency percentiles', run: (argv) => benchCommand(argv) },
  conformance: { summary: 'test a WebSocket server or client frame by frame', run: conformanceCommand },
};

function usage(): string {
  const rows = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `Usage: socketeer <command> [options]

Commands:
${rows.join('\n')}

Examples:
  socketeer serve --port 8080 --echo
  socketeer connect ws://127.0.0.1:8080
  socketeer connect ws://127.0.0.1:8080 -x hello --json
  socketeer bench ws://127.0.0.1:8080 -c 10 --duration 5s

Run "socketeer <command> --help" for a command's options and examples.
Exit status: 0 ok / clean close, 1 run-time error, 2 usage error,
3 handshake failed, 4 connection closed uncleanly.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!command) {
    const helpAsked = name === '--help' || name === '-h' || name === 'help';
    (helpAsked ? process.stdout : process.stderr).write(
      (name && !helpAsked ? `socketeer: unknown command "${name}"\n\n` : '') + usage(),
    );
    return helpAsked ? ExitCode.Ok : ExitCode.Usage;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error & { code?: string }) => {
    const usageError = typeof error.code === 'string' && (error.code.endsWith('_USAGE') || error.code.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`socketeer: ${error.message}${typeof error.code === 'string' ? ` (${error.code})` : ''}\n`);
    if (usageError) process.stderr.write('Run "socketeer --help" or "socketeer <command> --help" for the options.\n');
    process.exitCode = usageError ? ExitCode.Usage : ExitCode.Failure;
  },
);
