/**
 * Argument parsing shared by the subcommands: node:util parseArgs in strict mode, with its
 * errors turned into a UsageError that names the command, so `main` can exit 2 with one line.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Wrong use of the command line: exit code 2, the message and a pointer to --help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedOptions {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `argv` against `options` (plus --help); unknown options and stray words are usage errors. */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
  allowPositionals = false,
): ParsedOptions {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    });
    return { values: values as ParsedOptions['values'], positionals };
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), command);
  }
}

function parseErrorMessage(error: unknown): string {
  // Read `message` structurally: under a test runner's VM the error may come from another realm.
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : String(error);
  // parseArgs appends advice about '--' that does not apply to these commands.
  return message
    .replace(/\s*To specify an option argument starting with a dash.*$/s, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
}

/** A whole number of at least `min`, from an option's text. */
export function wholeNumber(
  command: string,
  option: string,
  raw: string | boolean | undefined,
  fallback: number,
  min = 1,
): number {
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      `--${option} must be a whole number of at least ${min}, got '${String(raw)}'`,
      command,
    );
  }
  return value;
}

/** One of a fixed set of names, from an option's text. */
export function oneOf<T extends string>(
  command: string,
  option: string,
  raw: string | boolean | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  const found = allowed.find((a) => a === raw);
  if (found === undefined) {
    throw new UsageError(`--${option} must be one of ${allowed.join(', ')}, got '${String(raw)}'`, command);
  }
  return found;
}

/** An option's text, or undefined when absent. */
export function text(raw: string | boolean | undefined): string | undefined {
  return typeof raw === 'string' ? raw : undefined;
}
