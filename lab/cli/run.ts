/**
 * The `headroom` command: picks the subcommand, runs it, and turns what went wrong into an exit
 * code a script can rely on: 2 for a usage error, 1 for bad input (a trace, a config) or a
 * failed run, 0 otherwise. Bad input is reported as one line, without a stack trace.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { paint, styleFor } from './colour.js';
import { backtestCommand } from './commands/backtest.js';
import { benchCommand } from './commands/bench.js';
import { calibrateCommand } from './commands/calibrate.js';
import { costCommand } from './commands/cost.js';
import { simulateCommand } from './commands/simulate.js';
import { validateCommand } from './commands/validate.js';
import { decisionsCommand, explainCommand, killSwitchCommand } from './commands/operate.js';
import { statusCommand } from './commands/status.js';
import { doctorCommand } from './commands/doctor.js';
import type { CliIo, Command } from './commands/command.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  simulateCommand,
  backtestCommand,
  calibrateCommand,
  benchCommand,
  costCommand,
  validateCommand,
  statusCommand(),
  killSwitchCommand(),
  decisionsCommand(),
  explainCommand(),
  doctorCommand(),
];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `headroom: replay traffic through scaling policies and compare SLO minutes and cost.

Usage: headroom <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'headroom <command> --help' for a command's options; 'headroom --version' for the version.
'npm start' runs 'headroom simulate' on a generated month; no AWS account is needed.
`;
}

/** The version in the project's package.json. */
export function projectVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout.write(`headroom ${projectVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) {
      throw new UsageError(
        `unknown command '${name}'; expected one of ${COMMANDS.map((c) => c.name).join(', ')}`,
        'headroom',
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** Errors that describe bad input carry a readable message; anything else is a bug worth its stack. */
const INPUT_ERRORS = new Set(['TraceError', 'ConfigError', 'SeriesError']);

function reportFailure(error: unknown, io: CliIo): number {
  const headroom = paint(styleFor(io.stderr), 'red', 'headroom:');
  if (error instanceof UsageError) {
    const help = error.command === 'headroom' ? 'headroom --help' : `headroom ${error.command} --help`;
    io.stderr.write(`${headroom} ${error.message}\nSee '${help}'.\n`);
    return 2;
  }
  if (error instanceof Error && (INPUT_ERRORS.has(error.name) || INPUT_ERRORS.has(error.constructor.name))) {
    io.stderr.write(`${headroom} ${error.message}\n`);
    return 1;
  }
  io.stderr.write(
    `headroom: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
