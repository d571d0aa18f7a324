/**
 * Output paths are checked before a run starts, so a typo costs a second, not a whole replay:
 * a report or JSON path that is a folder, or whose folder cannot be made, is a usage error.
 * `-` as the JSON path means standard output.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.js';

/** The JSON path that means standard output. */
export const STDOUT = '-';

/** Throws a UsageError naming the option when `path` cannot be written as a file. */
export function checkOutputFile(
  command: string,
  option: string,
  cwd: string,
  path: string | undefined,
): void {
  if (path === undefined || (option === 'json' && path === STDOUT)) return;
  const full = resolve(cwd, path);
  if (existsSync(full) && statSync(full).isDirectory()) {
    throw new UsageError(
      `--${option} ${path} is a folder; give a file name, e.g. ${path.replace(/\/$/, '')}/${command}.${option === 'json' ? 'json' : 'html'}`,
      command,
    );
  }
  // The nearest folder that exists must be writable (the rest is created).
  let folder = dirname(full);
  while (!existsSync(folder)) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) {
    throw new UsageError(`--${option} ${path}: ${folder} is a file, not a folder`, command);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`--${option} ${path}: cannot write in ${folder}`, command);
  }
}
