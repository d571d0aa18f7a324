/**
 * `headroom backtest --trace FILE`: a team's own history (CSV or CloudWatch export) replayed
 * through every policy, with the same records the benchmark writes.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ManagedService } from '@headroom/core/model/service.js';
import { modelLines, readServiceModel, type ServiceModel } from '../../calibrate/model.js';
import { readServiceFile, serviceLine } from '../serviceFile.js';
import {
  TraceError,
  csvValueColumn,
  parseCloudWatchJson,
  parseCsvTrace,
} from '../../workloads/traceFormats.js';
import { exportWarnings } from '../../workloads/cloudWatchExport.js';
import { checkTrustworthy, describeTrace, readingLines } from '../../workloads/traceHealth.js';
import { readTraceFile, toTrace, type Trace, type TraceFileOptions } from '../../workloads/traceReader.js';
import { backtestTrace } from '../../bench/backtest.js';
import { BENCH_INTERPOLATION_NOTE, BENCH_PEAK_INSTANCES } from '../../bench/benchSetup.js';
import type { RunResult } from '@headroom/core/model/replay.js';
import { UsageError, oneOf, parseCommandArgs, text, wholeNumber } from '../args.js';
import { writeOutputs } from '../outputs.js';
import { backtestFrontier } from '../frontierOutputs.js';
import { FLEET_SIZES } from '../../bench/benchProfiles.js';
import { DEFAULT_PROFILE, SERVICE_PROFILES } from '../../world/profiles.js';
import { createProgress, type Progress } from '../progress.js';
import { MU_PER_INSTANCE, POLICY_NAMES, SERVICE } from '../scenario.js';
import { checkOutputFile, STDOUT } from '../outputPaths.js';
import type { Command } from './command.js';

const PROFILE_NAMES: readonly string[] = SERVICE_PROFILES.map((p) => p.name);

const FORMATS = ['auto', 'csv', 'datacenter', 'cloudwatch-json'] as const;
type TraceFormat = (typeof FORMATS)[number];

const HELP = `Usage: headroom backtest --trace FILE [options]

Replays a recorded load (requests or CPU per interval) through every policy on the simulated
account, prints the summary table, writes an HTML report and, with --json, the records the
benchmark writes (one per policy). It first says how the trace was read: step, column, rows
reordered, gaps and the share of minutes filled, outliers. Gaps are filled with the last value and
shown on the report. A row that cannot be read stops the run with its file and line; a trace whose
rows are more than a day apart, that is mostly filled gaps, or that has an implausible outlier is
refused with the numbers (see --allow-gaps, --allow-outliers).

Options:
  --trace FILE         the trace to replay (required)
  --format F           auto (default), csv (timestamp,value or other columns), datacenter
                       (CSV without wall-clock times: row i at i × step), cloudwatch-json
                       (aws cloudwatch get-metric-data output, one page or an array of pages,
                       or get-metric-statistics output)
  --column NAME        the value column of a CSV (default value, y, or the first *cpu* column);
                       for get-metric-data, the MetricDataResults Id or Label (needed when there
                       are several); for get-metric-statistics, the statistic (Sum, Average, p99…)
  --step-seconds N     seconds between rows of a CSV without a time column (default: from a
                       '_grouped_N_seconds' file name, else 300)
  --service FILE       your service's settings: a ServicesJson file (the template parameter's
                       array) or its headroom:* tags (a JSON object, or describe-tags output)
  --service-id ID      which service of a ServicesJson file with several
  --model FILE         a service model from 'headroom calibrate': the trace (request counts per
                       period) is replayed as recorded against the fitted per-instance capacity
                       and boot time, and the fit is printed
  --peak-instances N   scale the trace so its peak minute needs N instances at the SLO (default ${BENCH_PEAK_INSTANCES})
  --report FILE        HTML report path (default reports/backtest-<trace>.html, or
                       reports/backtest-<trace>-frontier.html with --frontier)
  --json OUT           write the records (one per policy; with --frontier, the records of
                       bench-results/frontier.json: one per fleet size × policy × setting); '-'
                       writes them to standard output (everything else goes to stderr)
  --frontier           the benchmark's frontier instead: the trace at both fleet sizes (peak 20
                       and 100 instances; only N with --peak-instances N), aws-target-tracking,
                       aws-combined and k8s-hpa at targets 40-80 %, Headroom at each setting, the
                       oracle, on worker threads; prints the verdict under the benchmark's rule
  --profile NAME       with --frontier: the service profile to run against (default: the trace's
                       own, ${DEFAULT_PROFILE.name} for a trace the benchmark does not know;
                       known: ${PROFILE_NAMES.join(', ')})
  --allow-gaps         replay a trace even when most of its intervals are filled gaps
  --allow-outliers     replay a trace even with a value over 100 × its 99th percentile
  --no-progress        no progress bar or progress lines
  -h, --help           this help

Examples:
  npx headroom backtest --trace ../shared/data/traces/nab/realKnownCause/nyc_taxi.csv --json out/taxi.json
  npx headroom backtest --trace my-requests.csv --frontier --json out/frontier.json
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
      frontier: { type: 'boolean' },
      profile: { type: 'string' },
      service: { type: 'string' },
      'service-id': { type: 'string' },
      model: { type: 'string' },
      'allow-gaps': { type: 'boolean' },
      'allow-outliers': { type: 'boolean' },
      'no-progress': { type: 'boolean' },
    });
    const file = text(values.trace);
    if (file === undefined) throw new UsageError('backtest needs --trace FILE', 'backtest');
    const format = oneOf('backtest', 'format', values.format, FORMATS, 'auto');
    const stepSeconds =
      values['step-seconds'] === undefined
        ? undefined
        : wholeNumber('backtest', 'step-seconds', values['step-seconds'], 1);
    const serviceFile = text(values.service);
    const modelFile = text(values.model);
    const model = modelFile === undefined ? undefined : readServiceModel(resolve(io.cwd, modelFile));
    if (model && values['peak-instances'] !== undefined)
      throw new UsageError(
        '--peak-instances rescales the trace; with --model the trace is replayed as recorded',
        'backtest',
      );
    const service = withModel(
      serviceFile === undefined
        ? SERVICE
        : readServiceFile(resolve(io.cwd, serviceFile), text(values['service-id'])),
      model,
    );
    const muPerInstance = model?.perInstanceRps ?? MU_PER_INSTANCE;
    const peakInstances = wholeNumber(
      'backtest',
      'peak-instances',
      values['peak-instances'],
      BENCH_PEAK_INSTANCES,
    );
    const frontier = values.frontier === true;
    const profile = text(values.profile);
    if (profile !== undefined && !frontier) throw new UsageError('--profile needs --frontier', 'backtest');
    if (profile !== undefined && !PROFILE_NAMES.includes(profile)) {
      throw new UsageError(
        `--profile must be one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`,
        'backtest',
      );
    }

    const report = text(values.report);
    checkOutputFile('backtest', 'report', io.cwd, report);
    checkOutputFile('backtest', 'json', io.cwd, text(values.json));
    const say = text(values.json) === STDOUT ? io.stderr : io.stdout;
    const trace = readTrace(file, format, {
      column: text(values.column),
      id: text(values.column),
      stepSeconds,
    });
    const reading = describeTrace(trace, file, valueColumn(file, format, text(values.column)));
    const warnings = isJsonExport(file, format)
      ? exportWarnings(readFileSync(file, 'utf8'), text(values.column))
      : [];
    say.write(`${[...readingLines(reading), ...warnings.map((w) => `Warning: ${w}`)].join('\n')}\n`);
    say.write(
      `${[serviceLine(service, serviceFile ?? 'the benchmark service; --service FILE for yours'), ...(model ? modelLines(model) : [])].join('\n')}\n`,
    );
    checkTrustworthy(reading, {
      allowGaps: values['allow-gaps'] === true,
      allowOutliers: values['allow-outliers'] === true,
    });
    // Named as the benchmark names its traces: the file name without its extension.
    const traceName = trace.name.replace(/\.[^.]+$/, '');
    if (frontier) {
      await backtestFrontier(io, {
        traceName,
        trace,
        sizes: values['peak-instances'] === undefined ? FLEET_SIZES : [peakInstances],
        ...(profile ? { profile } : {}),
        report: text(values.report) ?? `reports/backtest-${traceName}-frontier.html`,
        json: text(values.json),
        notes: [...readingLines(reading), ...warnings.map((w) => `Warning: ${w}`)],
        progress: values['no-progress'] !== true,
      });
      return 0;
    }
    const started = io.now();
    let progress: Progress | undefined;
    let runs: RunResult[];
    try {
      ({ runs } = await backtestTrace(trace, {
        traceName,
        peakInstances,
        ...(model ? { asRecorded: true } : {}),
        service,
        muPerInstance,
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
      subtitle: model
        ? `every policy, the trace as recorded, ${muPerInstance.toFixed(2)} requests/s per instance (calibrated)`
        : `every policy, peak scaled to ${peakInstances} instances at the SLO`,
      notes: [
        ...readingLines(reading),
        ...warnings,
        serviceLine(service, serviceFile ?? 'the benchmark service'),
        ...(model ? modelLines(model) : []),
        INTERPOLATION_NOTE,
      ],
      report: report ?? `reports/backtest-${traceName}.html`,
      json: text(values.json),
      recordExtras: { trace_reading: { ...reading, warnings } },
      slo: service.slo,
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

/** The calibrated boot + warm-up replaces the configured one (as one boot: the fit cannot tell them apart). */
function withModel(service: ManagedService, model: ServiceModel | undefined): ManagedService {
  if (model?.bootSeconds === undefined) return service;
  return { ...service, timing: { ...service.timing, bootSeconds: model.bootSeconds, warmupSeconds: 0 } };
}

/** The datacenter aggregates carry their step only in their names (`..._grouped_30_seconds.csv`). */
function stepFromName(file: string): number | undefined {
  const named = /grouped_(\d+)_seconds/.exec(basename(file));
  return named ? Number(named[1]) : undefined;
}

const INTERPOLATION_NOTE = `Minutes between rows are ${BENCH_INTERPOLATION_NOTE} (as the benchmark does); filled gaps are marked on the charts.`;

function isJsonExport(file: string, format: TraceFormat): boolean {
  return format === 'cloudwatch-json' || (format === 'auto' && /\.json$/i.test(file));
}

/** The CSV column that will be read (as the reader picks it), for saying how the trace was read. */
function valueColumn(file: string, format: TraceFormat, wanted: string | undefined): string | undefined {
  if (isJsonExport(file, format)) return wanted;
  const header = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
  return csvValueColumn(header.replace(/^\uFEFF/, '').split(','), wanted);
}
