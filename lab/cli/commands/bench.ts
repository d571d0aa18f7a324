/** `headroom bench` (`npm run bench`): every policy on the benchmark traces, via the bench runner. */
import { resolve } from 'node:path';
import { runBench } from '../../bench/runner.js';
import { TARGETS, type TraceVerdict } from '../../bench/targets.js';
import { parseCommandArgs, text } from '../args.js';
import { formatSummaryTable } from '../table.js';
import type { Command } from './command.js';

const HELP = `Usage: headroom bench [options]

Runs every policy on the benchmark traces (NAB ELB requests, NYC taxi, Twitter AAPL and GOOG,
Azure, Google and Alibaba fleet CPU) and writes results.json, results.md and report.html.
The targets (headroom at most half of aws-combined's SLO minutes at no more instance-hours,
within ${TARGETS.costRatioToOracle} × the oracle's instance-hours, the whole run under ${TARGETS.benchSeconds} s) are checked in results.md.

Options:
  --traces DIR    folder of the traces (default ../shared/data/traces)
  --out DIR       folder for the results (default bench-results)
  --no-progress   no line per finished trace
  -h, --help      this help
`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run every policy on the benchmark traces (npm run bench)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('bench', argv, {
      traces: { type: 'string' },
      out: { type: 'string' },
      'no-progress': { type: 'boolean' },
    });
    const progress = values['no-progress'] !== true;
    const outcome = await runBench({
      tracesDir: resolve(io.cwd, text(values.traces) ?? '../shared/data/traces'),
      outDir: resolve(io.cwd, text(values.out) ?? 'bench-results'),
      now: io.now,
      cpuSeconds: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1e6;
      },
      ...(progress ? { onProgress: (message: string) => io.stderr.write(`${message}\n`) } : {}),
    });
    io.stdout.write(`\n${formatSummaryTable(outcome.runs.map((r) => r.summary))}\n\n`);
    io.stdout.write(`${outcome.verdicts.map(verdictLine).join('\n')}\n\n`);
    io.stdout.write(
      `Benchmark: ${outcome.wallSeconds.toFixed(1)} s wall, ${outcome.cpuSeconds.toFixed(1)} s CPU ` +
        `(target < ${TARGETS.benchSeconds} s).\n` +
        `JSON: ${outcome.files.json}\nMarkdown: ${outcome.files.markdown}\nReport: ${outcome.files.html}\n`,
    );
    return 0;
  },
};

/** One line per trace: headroom against aws-combined and the oracle, as the targets read. */
function verdictLine(v: TraceVerdict): string {
  const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
  return (
    `${v.trace}: headroom ${v.headroom.sloViolationMinutes} SLO min vs aws-combined ${v.combined.sloViolationMinutes} ` +
    `(≤ half: ${ok(v.sloHalved)}), ${v.headroom.instanceHours.toFixed(1)} vs ${v.combined.instanceHours.toFixed(1)} inst-h ` +
    `(no more: ${ok(v.noMoreInstanceHours)}), ${(v.headroom.instanceHours / v.oracle.instanceHours).toFixed(2)} × oracle ` +
    `(≤ ${TARGETS.costRatioToOracle}: ${ok(v.withinOracleCost)}), elastic speedup ${v.speedup.toFixed(2)}`
  );
}
