/**
 * Every policy on one trace, the same simulated service for all: what `headroom backtest` runs
 * on a user's own history and what the benchmark runs on each of its traces (one loop for both).
 */
import type { RunResult, TimelineEvent } from '@headroom/core/model/replay.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { demandSeries } from '../world/queueing.js';
import { type ServiceProfile, shapeOf } from '../world/profiles.js';
import { replay } from '../world/replay.js';
import {
  readTraceFile,
  type Trace,
  type TraceFileOptions,
  type TraceGap,
  recordedMinuteLoad,
  toMinuteLoad,
} from '../workloads/traceReader.js';
import {
  BENCH_INTERPOLATION,
  BENCH_MU_PER_INSTANCE,
  BENCH_PEAK_INSTANCES,
  BENCH_SERVICE,
} from './benchSetup.js';
import type { DeployedHeadroomOptions } from '../world/deployedHeadroom.js';
import { buildPolicy, POLICY_NAMES, type PolicyName } from './benchPolicies.js';
import { type BenchRecord, toBenchRecord } from './records.js';

export interface BacktestOptions {
  /** Name in the records (default: the trace's name without folder and extension). */
  traceName?: string;
  service?: ManagedService;
  muPerInstance?: number;
  /**
   * The world's profile (lab/world/profiles.ts): the world then varies launches, delays metrics,
   * adds CPU noise and measures p99 from requests. Without one, the plain M/M/c of muPerInstance.
   */
  profile?: ServiceProfile;
  /** Seed of the world's randomness (default 1). */
  seed?: number;
  peakInstances?: number;
  /** Replay the values as recorded (requests per interval), not scaled to peakInstances. */
  asRecorded?: boolean;
  interpolation?: 'hold' | 'linear';
  policies?: readonly PolicyName[];
  headroom?: DeployedHeadroomOptions;
  /** How to read the file, when given a file rather than a trace. */
  trace?: TraceFileOptions;
  /** Wall clock in ms, only to report simulated minutes per second. */
  stopwatch?: () => number;
  /** Minutes done of `total` (the trace's minutes) for the policy being replayed. */
  onProgress?: (policy: PolicyName, done: number, total: number) => void;
}

export interface Backtest {
  records: BenchRecord[];
  /** One per policy; each run's events include the trace's gaps (kind 'gap'), in time order. */
  runs: RunResult[];
  gaps: TraceGap[];
  minutes: number;
}

/** A load already per minute, with the events every run shares (the trace's gaps). */
export interface MinuteLoad {
  traceName: string;
  /** Requests per minute, one per minute from startAt. */
  load: readonly number[];
  startAt: number;
  events?: readonly TimelineEvent[];
}

/**
 * The one replay loop of `simulate`, `backtest` and the benchmark: every policy over the same load
 * and d(t), computed once; each run's events include the shared ones, in time order.
 */
export async function replayEveryPolicy(
  { traceName, load, startAt, events = [] }: MinuteLoad,
  options: Omit<BacktestOptions, 'traceName' | 'peakInstances' | 'interpolation' | 'trace'> = {},
): Promise<RunResult[]> {
  const service = options.service ?? BENCH_SERVICE;
  const mu = options.muPerInstance ?? BENCH_MU_PER_INSTANCE;
  const demand = demandSeries(
    load,
    options.profile ? shapeOf(options.profile) : mu,
    service.slo.p99LatencyMs,
  );
  const runs: RunResult[] = [];
  for (const name of options.policies ?? POLICY_NAMES) {
    const run = await replay({
      traceName,
      load,
      startAt,
      service,
      policy: buildPolicy(name, {
        service,
        demand,
        startAt,
        ...(options.headroom ? { headroom: options.headroom } : {}),
      }),
      muPerInstance: mu,
      ...(options.profile ? { profile: options.profile, seed: options.seed ?? 1 } : {}),
      demand,
      ...(options.stopwatch ? { stopwatch: options.stopwatch } : {}),
      ...(options.onProgress
        ? { onProgress: (done: number, total: number) => options.onProgress?.(name, done, total) }
        : {}),
    });
    runs.push(
      events.length === 0 ? run : { ...run, events: [...events, ...run.events].sort((a, b) => a.at - b.at) },
    );
  }
  return runs;
}

/** Replays every policy over a trace file, or over a trace already read (any format). */
export async function backtestTrace(
  source: string | Trace,
  options: BacktestOptions = {},
): Promise<Backtest> {
  const service = options.service ?? BENCH_SERVICE;
  const trace = typeof source === 'string' ? readTraceFile(source, options.trace) : source;
  const traceName = options.traceName ?? trace.name.replace(/\.[^.]+$/, '');
  const minuteOptions = {
    peakInstances: options.peakInstances ?? BENCH_PEAK_INSTANCES,
    muPerInstance: options.profile
      ? shapeOf(options.profile)
      : (options.muPerInstance ?? BENCH_MU_PER_INSTANCE),
    sloP99Ms: service.slo.p99LatencyMs,
    interpolation: options.interpolation ?? BENCH_INTERPOLATION,
  };
  const { load, startAt, gaps, gapEvents } = options.asRecorded
    ? recordedMinuteLoad(trace, minuteOptions.interpolation)
    : toMinuteLoad(trace, minuteOptions);
  const runs = await replayEveryPolicy({ traceName, load, startAt, events: gapEvents }, options);
  return { records: runs.map((r) => toBenchRecord(r.summary)), runs, gaps, minutes: load.length };
}
