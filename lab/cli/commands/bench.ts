/** `headroom bench` (`npm run bench`): the frontier of every benchmark trace, via the bench runner. */
import { resolve } from 'node:path';
import { frontierVerdicts, VERDICT_RULE } from '../../bench/frontierVerdict.js';
import { speedLines, VERDICT_HEADER, verdictRow } from '../../bench/frontierMarkdown.js';
import { runBench } from '../../bench/runner.js';
import { BENCH_TRACES } from '../../bench/benchSetup.js';
import { checkTracesPresent, DEFAULT_TRACES_DIR } from '../../bench/traceSources.js';
import { parseCommandArgs, text, wholeNumber } from '../args.js';
import type { Command } from './command.js';

const HELP = `Usage: headroom bench [options]

Runs the frontier on the benchmark traces (NAB ELB requests, NYC taxi, Twitter AAPL and GOOG,
Azure, Google and Alibaba fleet CPU): each trace at two fleet sizes (peak 20 and 100 instances),
aws-target-tracking, aws-combined and k8s-hpa at targets 40-80 %, Headroom at each of its
settings, and the oracle. Writes frontier.json (one record per trace × size × policy × setting),
results.md (the verdict: baseline points beaten, default × oracle) and report.html. The runs go to
one worker thread per core; the run's wall time is checked against ${VERDICT_RULE.benchSeconds} s.

Options:
  --traces DIR    folder of the traces (default ../shared/data/traces); the traces are public
                  data sets (NAB, DataCenter-Traces-Datasets), not part of the project
  --out DIR       folder for the results (default bench-results)
  --workers N     worker threads (default: one per core; 1 runs in the main thread)
  --no-progress   no line per finished trace
  -h, --help      this help
`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the frontier on the benchmark traces (npm run bench)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('bench', argv, {
      traces: { type: 'string' },
      out: { type: 'string' },
      workers: { type: 'string' },
      'no-progress': { type: 'boolean' },
    });
    const progress = values['no-progress'] !== true;
    const tracesDir = resolve(io.cwd, text(values.traces) ?? DEFAULT_TRACES_DIR);
    checkTracesPresent(tracesDir, BENCH_TRACES);
    const outcome = await runBench({
      tracesDir,
      outDir: resolve(io.cwd, text(values.out) ?? 'bench-results'),
      now: io.now,
      ...(values.workers === undefined
        ? {}
        : { workers: wholeNumber('bench', 'workers', values.workers, 1) }),
      cpuSeconds: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1e6;
      },
      ...(progress ? { onProgress: (message: string) => io.stderr.write(`${message}\n`) } : {}),
    });
    const verdicts = frontierVerdicts(outcome.records);
    io.stdout.write(`\n${[...VERDICT_HEADER, ...verdicts.map(verdictRow)].join('\n')}\n\n`);
    io.stdout.write(`${speedLines(outcome.speeds).join('\n')}\n\n`);
    io.stdout.write(
      `Benchmark: ${outcome.records.length} runs, ${outcome.simulatedMinutes.toLocaleString('en-US')} simulated minutes ` +
        `in ${outcome.wallSeconds.toFixed(1)} s wall, ${outcome.cpuSeconds.toFixed(1)} s CPU, ${outcome.workers} worker threads ` +
        `(target < ${VERDICT_RULE.benchSeconds} s).\n` +
        `JSON: ${outcome.files.json}\nMarkdown: ${outcome.files.markdown}\nReport: ${outcome.files.html}\n`,
    );
    return 0;
  },
};
