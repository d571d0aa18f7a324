/** `headroom bench` (`npm run bench`): every policy on the traces of ../shared/data/traces. */
import type { Command } from './command.js';

const HELP = `Usage: headroom bench [options]

Runs every policy on the benchmark traces and writes bench-results/results.json,
bench-results/results.md and an HTML report (see docs/benchmark.md).
`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run every policy on the benchmark traces (npm run bench)',
  help: HELP,
  async run(_argv, io) {
    // The runner (bench/runner.ts) is being written under issue 3; this command forwards to it once it exists.
    io.stderr.write('headroom: the benchmark runner (bench/runner.ts) is not available yet\n');
    return 1;
  },
};
