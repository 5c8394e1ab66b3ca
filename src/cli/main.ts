// Entry point of the `socketeer` command: a table of subcommands.
import { conformanceCommand } from './conformance-command.js';

interface Subcommand {
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  conformance: { summary: 'test a WebSocket server or client frame by frame', run: conformanceCommand },
};

function usage(): string {
  const rows = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `Usage: socketeer <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "socketeer <command> --help" for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!command) {
    const helpAsked = name === '--help' || name === '-h' || name === 'help';
    (helpAsked ? process.stdout : process.stderr).write(
      (name && !helpAsked ? `socketeer: unknown command "${name}"\n\n` : '') + usage(),
    );
    return helpAsked ? 0 : 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error & { code?: string }) => {
    const usageError = typeof error.code === 'string' && (error.code.endsWith('_USAGE') || error.code.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`socketeer: ${error.message}${error.code ? ` (${error.code})` : ''}\n`);
    process.exitCode = usageError ? 2 : 1;
  },
);
