/**
 * Where the benchmark traces come from. They are public data sets, not part of the project, so a
 * clone without them gets told what is missing, where to fetch each one and how to point at it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchTrace } from './benchSetup.js';

/** The default folder, next to the project (`../shared/data/traces`). */
export const DEFAULT_TRACES_DIR = '../shared/data/traces';

/** Public origin of each family of traces, by the first folder of its path. */
const ORIGINS: Readonly<Record<string, string>> = {
  nab: 'https://github.com/numenta/NAB (data/<folder>/<file>, MIT)',
  datacenter_aggregates:
    'https://github.com/alejandrofdez-us/DataCenter-Traces-Datasets (<provider>/<file>, CC BY 4.0)',
  wikipedia_prophet: 'https://github.com/facebook/prophet (examples/<file>, MIT)',
};

export class MissingTracesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceError';
  }
}

/** Throws a MissingTracesError naming every missing file and its origin; returns when all exist. */
export function checkTracesPresent(tracesDir: string, traces: readonly BenchTrace[]): void {
  const missing = traces.filter((t) => !existsSync(join(tracesDir, t.file)));
  if (missing.length === 0) return;
  const lines = missing.map((t) => {
    const family = t.file.split('/')[0] ?? '';
    return `  ${t.file}  from ${ORIGINS[family] ?? 'its public source'}`;
  });
  throw new MissingTracesError(
    `${missing.length} of ${traces.length} benchmark traces are missing under ${tracesDir}:\n` +
      `${lines.join('\n')}\n` +
      'The traces are public data sets and are not part of the project. Put them in that layout ' +
      `(default ${DEFAULT_TRACES_DIR}, next to the project) or point at your copy with --traces DIR.`,
  );
}
