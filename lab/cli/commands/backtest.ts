/**
 * `headroom backtest --trace FILE`: a team's own history (CSV or CloudWatch export) replayed
 * through every policy, with the same records the benchmark writes.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TraceError, parseCloudWatchJson, parseCsvTrace } from '../../workloads/traceFormats.js';
import { readTraceFile, toTrace, type Trace, type TraceFileOptions } from '../../workloads/traceReader.js';
import { backtestTrace } from '../../bench/backtest.js';
import { BENCH_INTERPOLATION_NOTE, BENCH_PEAK_INSTANCES } from '../../bench/benchSetup.js';
import type { RunResult } from '@headroom/core/model/replay.js';
import { UsageError, oneOf, parseCommandArgs, text, wholeNumber } from '../args.js';
import { writeOutputs } from '../outputs.js';
import { createProgress, type Progress } from '../progress.js';
import { MU_PER_INSTANCE, POLICY_NAMES, SERVICE } from '../scenario.js';
import type { Command } from './command.js';

const FORMATS = ['auto', 'csv', 'datacenter', 'cloudwatch-json'] as const;
type TraceFormat = (typeof FORMATS)[number];

const HELP = `Usage: headroom backtest --trace FILE [options]

Replays a recorded load (requests or CPU per interval) through every policy on the simulated
account, prints the summary table, writes an HTML report and, with --json, the records the
benchmark writes (one per policy). Gaps in the trace are filled with the last value and shown
on the report; a row that cannot be read stops the run with its file and line.

Options:
  --trace FILE         the trace to replay (required)
  --format F           auto (default), csv (timestamp,value or other columns), datacenter
                       (CSV without wall-clock times: row i at i × step), cloudwatch-json
                       (a GetMetricData response, or an array of pages)
  --column NAME        the value column of a CSV (default value, y, or the first *cpu* column);
                       for cloudwatch-json, the MetricDataResults Id or Label
  --step-seconds N     seconds between rows of a CSV without a time column (default: from a
                       '_grouped_N_seconds' file name, else 300)
  --peak-instances N   scale the trace so its peak minute needs N instances at the SLO (default ${BENCH_PEAK_INSTANCES})
  --report FILE        HTML report path (default reports/backtest-<trace>.html)
  --json OUT           write the records (as in bench-results/results.json)
  --no-progress        no progress bar or progress lines
  -h, --help           this help

Example:
  npx headroom backtest --trace ../shared/data/traces/nab/realKnownCause/nyc_taxi.csv --json out/taxi.json
`;

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'replay your own trace (CSV or CloudWatch export) through every policy',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('backtest', argv, {
      trace: { type: 'string' },
      format: { type: 'string' },
      column: { type: 'string' },
      'step-seconds': { type: 'string' },
      'peak-instances': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'string' },
      'no-progress': { type: 'boolean' },
    });
    const file = text(values.trace);
    if (file === undefined) throw new UsageError('backtest needs --trace FILE', 'backtest');
    const format = oneOf('backtest', 'format', values.format, FORMATS, 'auto');
    const stepSeconds =
      values['step-seconds'] === undefined
        ? undefined
        : wholeNumber('backtest', 'step-seconds', values['step-seconds'], 1);
    const peakInstances = wholeNumber(
      'backtest',
      'peak-instances',
      values['peak-instances'],
      BENCH_PEAK_INSTANCES,
    );

    const trace = readTrace(file, format, {
      column: text(values.column),
      id: text(values.column),
      stepSeconds,
    });
    // Named as the benchmark names its traces: the file name without its extension.
    const traceName = trace.name.replace(/\.[^.]+$/, '');
    const started = io.now();
    let progress: Progress | undefined;
    let runs: RunResult[];
    try {
      ({ runs } = await backtestTrace(trace, {
        traceName,
        peakInstances,
        service: SERVICE,
        muPerInstance: MU_PER_INSTANCE,
        policies: POLICY_NAMES,
        stopwatch: io.now,
        onProgress: (policy, done, total) => {
          progress ??= createProgress({
            total: total * POLICY_NAMES.length,
            unit: 'simulated minutes',
            enabled: values['no-progress'] !== true,
            stream: io.stderr,
          });
          progress.update(POLICY_NAMES.indexOf(policy) * total + done, policy);
        },
      }));
    } finally {
      progress?.stop();
    }
    writeOutputs(io, {
      runs,
      title: `Headroom backtest: ${traceName}`,
      subtitle: `every policy, peak scaled to ${peakInstances} instances at the SLO`,
      notes: traceNotes(trace, file),
      report: text(values.report) ?? `reports/backtest-${traceName}.html`,
      json: text(values.json),
      wallMs: io.now() - started,
    });
    return 0;
  },
};

function readTrace(file: string, format: TraceFormat, options: TraceFileOptions): Trace {
  if (format === 'auto') return readTraceFile(file, options);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TraceError(
      file,
      undefined,
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const points =
    format === 'cloudwatch-json'
      ? parseCloudWatchJson(content, file, { id: options.id })
      : parseCsvTrace(content, file, {
          column: options.column,
          stepSeconds: options.stepSeconds ?? stepFromName(file),
        });
  return toTrace(points, basename(file));
}

/** The datacenter aggregates carry their step only in their names (`..._grouped_30_seconds.csv`). */
function stepFromName(file: string): number | undefined {
  const named = /grouped_(\d+)_seconds/.exec(basename(file));
  return named ? Number(named[1]) : undefined;
}

function traceNotes(trace: Trace, file: string): string[] {
  const missing = trace.gaps.reduce((sum, g) => sum + g.missing, 0);
  return [
    `Trace ${file}: ${trace.values.length.toLocaleString('en-US')} intervals of ${trace.intervalMs / 1000} s, ${BENCH_INTERPOLATION_NOTE} (as the benchmark does).`,
    trace.gaps.length === 0
      ? 'No gaps.'
      : `${trace.gaps.length} gap(s), ${missing} missing interval(s), filled with the last value (marked on the charts).`,
    ...(trace.duplicates.length
      ? [`${trace.duplicates.length} interval(s) had several rows; the last row was kept.`]
      : []),
    ...(trace.wasUnsorted ? ['Rows were out of time order and were sorted.'] : []),
  ];
}
