/**
 * A replay scenario as the CLI runs it: a per-minute load, the benchmark's simulated service,
 * and the benchmark's policies, so a simulation or a backtest reads like a line of the benchmark.
 */
import { BENCH_MU_PER_INSTANCE, BENCH_SERVICE } from '../bench/benchSetup.js';
import { POLICY_NAMES, buildPolicy, type PolicyName } from '../bench/benchPolicies.js';
import { toBenchRecord, type BenchRecord } from '../bench/records.js';
import type { RunResult, TimelineEvent } from '../model/replay.js';
import { demandSeries } from '../sim/queueing.js';
import { replay } from '../sim/replay.js';
import { scaleToPeak } from '../workload/traceReader.js';
import type { CliIo } from './commands/command.js';
import { createProgress } from './progress.js';

export { POLICY_NAMES, type PolicyName };

/** Generated workloads start on a Monday at 00:00 UTC, so the weekly cycle reads naturally. */
export const SIMULATION_START = Date.UTC(2026, 0, 5);
export const SERVICE = BENCH_SERVICE;
export const MU_PER_INSTANCE = BENCH_MU_PER_INSTANCE;

export interface ScenarioOptions {
  traceName: string;
  /** Requests per minute, one per minute from startAt. */
  load: readonly number[];
  startAt: number;
  /** Rescale the load so its peak minute needs this many instances at the SLO. */
  peakInstances?: number;
  policies: readonly PolicyName[];
  progress: boolean;
  /** Events every run shares (gaps in a trace), added to each run's timeline. */
  traceEvents?: readonly TimelineEvent[];
}

/** The records of results.json for these runs, exactly as the benchmark writes them. */
export const benchRecords = (runs: readonly RunResult[]): BenchRecord[] =>
  runs.map((r) => toBenchRecord(r.summary));

/**
 * Replays every requested policy over the same load and d(t) (the benchmark's backtestTrace
 * loop, over a load rather than a file); progress goes to stderr.
 */
export function replayPolicies(options: ScenarioOptions, io: Pick<CliIo, 'stderr' | 'now'>): RunResult[] {
  const slo = SERVICE.slo.p99LatencyMs;
  const load =
    options.peakInstances === undefined
      ? options.load
      : scaleToPeak(
          options.load,
          { peakInstances: options.peakInstances, muPerInstance: MU_PER_INSTANCE, sloP99Ms: slo },
          options.traceName,
        ).load;
  const demand = demandSeries(load, MU_PER_INSTANCE, slo);
  const minutes = load.length;
  const progress = createProgress({
    total: minutes * options.policies.length,
    unit: 'simulated minutes',
    enabled: options.progress,
    stream: io.stderr,
  });
  try {
    return options.policies.map((name, i) => {
      const run = replay({
        traceName: options.traceName,
        load,
        demand,
        startAt: options.startAt,
        service: SERVICE,
        policy: buildPolicy(name, { service: SERVICE, demand, startAt: options.startAt }),
        muPerInstance: MU_PER_INSTANCE,
        onProgress: (done) => progress.update(i * minutes + done, name),
        stopwatch: io.now,
      });
      return options.traceEvents?.length
        ? { ...run, events: [...options.traceEvents, ...run.events].sort((a, b) => a.at - b.at) }
        : run;
    });
  } finally {
    progress.stop();
  }
}
