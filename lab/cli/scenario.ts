/**
 * A replay scenario as the CLI runs it: a per-minute load, the benchmark's simulated service,
 * and the benchmark's policies, so a simulation or a backtest reads like a line of the benchmark.
 */
import { BENCH_MU_PER_INSTANCE, BENCH_SERVICE } from '../bench/benchSetup.js';
import { replayEveryPolicy } from '../bench/backtest.js';
import { POLICY_NAMES, type PolicyName } from '../bench/benchPolicies.js';
import { toBenchRecord, type BenchRecord } from '../bench/records.js';
import type { RunResult } from '@headroom/core/model/replay.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { scaleToPeak } from '../workloads/traceReader.js';
import { type ServiceProfile, shapeOf } from '../world/profiles.js';
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
  /** The world's service profile (default DEFAULT_PROFILE); without one, the plain M/M/c world. */
  profile?: ServiceProfile;
  policies: readonly PolicyName[];
  progress: boolean;
  /** The service replayed (default: the benchmark's). */
  service?: ManagedService;
}

/** The records of these runs, one per policy, as `--json` writes them. */
export const benchRecords = (runs: readonly RunResult[]): BenchRecord[] =>
  runs.map((r) => toBenchRecord(r.summary));

/** Replays every requested policy over the same load with the benchmark's loop; progress goes to stderr. */
export async function replayPolicies(
  options: ScenarioOptions,
  io: Pick<CliIo, 'stderr' | 'now'>,
): Promise<RunResult[]> {
  const load =
    options.peakInstances === undefined
      ? options.load
      : scaleToPeak(
          options.load,
          {
            peakInstances: options.peakInstances,
            muPerInstance: options.profile ? shapeOf(options.profile) : MU_PER_INSTANCE,
            sloP99Ms: (options.service ?? SERVICE).slo.p99LatencyMs,
          },
          options.traceName,
        ).load;
  const minutes = load.length;
  const progress = createProgress({
    total: minutes * options.policies.length,
    unit: 'simulated minutes',
    enabled: options.progress,
    stream: io.stderr,
  });
  const index = new Map(options.policies.map((name, i) => [name, i]));
  try {
    return await replayEveryPolicy(
      { traceName: options.traceName, load, startAt: options.startAt },
      {
        service: options.service ?? SERVICE,
        muPerInstance: MU_PER_INSTANCE,
        ...(options.profile ? { profile: options.profile } : {}),
        policies: options.policies,
        stopwatch: io.now,
        onProgress: (name, done) => progress.update((index.get(name) ?? 0) * minutes + done, name),
      },
    );
  } finally {
    progress.stop();
  }
}
