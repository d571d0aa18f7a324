/**
 * One frontier job: one trace at one fleet size, one policy at one setting, replayed on the
 * simulated account. Jobs are plain data so they can go to a worker thread; a worker keeps the
 * minute load and d(t) of the traces it has just used, since consecutive jobs share them.
 */
import type { ReplayPolicy, RunResult, TimelineEvent } from '@headroom/core/model/replay.js';
import { HOUR_MS } from '@headroom/core/forecast/series.js';
import { demandSeries } from '../world/queueing.js';
import { replay } from '../world/replay.js';
import { toMinuteLoad, type Trace } from '../workloads/traceReader.js';
import { traceChart, type PolicyChart } from '../cli/report/chartData.js';
import { BENCH_INTERPOLATION, BENCH_MU_PER_INSTANCE, BENCH_SERVICE } from './benchSetup.js';
import { shapeOf } from '../world/profiles.js';
import { profileFor, serviceAtSize } from './benchProfiles.js';
import { buildPointPolicy, type FrontierPoint, inTimeline } from './frontierPoints.js';
import { HourlyGate, SharedRefits } from './sharedRefits.js';
import { type FrontierRecord, toFrontierRecord } from './frontierRecords.js';

export interface FrontierJob {
  id: number;
  traceName: string;
  trace: Trace;
  peakInstances: number;
  /** A profile name, or undefined for the trace's own profile. */
  profile?: string;
  /** Seed of the world's randomness (default 1). */
  seed?: number;
  /**
   * The points replayed, side by side when more than one (Headroom's settings: they share the
   * forecast function's refit, sharedRefits.ts).
   */
  points: FrontierPoint[];
  /** Slots of the timeline returned for the report, for the points drawn there (0: none). */
  chartPoints: number;
}

/** The reduced timeline of one run, for the report. */
export interface JobChart {
  /** Epoch seconds, shared by every run of the trace and size. */
  x: number[];
  load: (number | null)[];
  demand: (number | null)[];
  run: PolicyChart;
}

export interface FrontierJobResult {
  id: number;
  record: FrontierRecord;
  minutes: number;
  /** Wall time of the replay itself, ms (0 without a stopwatch). */
  wallMs: number;
  /** CPU time of the thread that ran the replay, ms (0 without a CPU clock). */
  cpuMs: number;
  chart?: JobChart;
}

interface Prepared {
  load: number[];
  demand: readonly number[];
  startAt: number;
  gapEvents: TimelineEvent[];
}

/** The minute loads and d(t) of the last few trace × size × profile a worker has used. */
export class PreparedTraces {
  private readonly entries = new Map<string, Prepared>();
  constructor(private readonly keep = 3) {}

  get(job: FrontierJob): Prepared {
    const profile = profileFor(job.traceName, job.profile);
    const key = `${job.traceName}|${job.peakInstances}|${profile.name}`;
    const found = this.entries.get(key);
    if (found) return found;
    const slo = BENCH_SERVICE.slo.p99LatencyMs;
    const shape = shapeOf(profile);
    // toMinuteLoad scales the trace so that its peak minute is peakLoadFor(peakInstances, shape, slo).
    const minute = toMinuteLoad(job.trace, {
      peakInstances: job.peakInstances,
      muPerInstance: shape,
      sloP99Ms: slo,
      interpolation: BENCH_INTERPOLATION,
    });
    const prepared = {
      load: minute.load,
      demand: demandSeries(minute.load, shape, slo),
      startAt: minute.startAt,
      gapEvents: minute.gapEvents,
    };
    this.entries.set(key, prepared);
    if (this.entries.size > this.keep) this.entries.delete(this.entries.keys().next().value as string);
    return prepared;
  }
}

/**
 * This thread's CPU time, ms (process.threadCpuUsage, Node ≥ 22.19): what a replay cost, whatever
 * else shares the machine. Undefined where Node does not have it.
 */
export const threadCpuMs: (() => number) | undefined = (() => {
  const read = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (typeof read !== 'function') return undefined;
  return () => {
    const { user, system } = read.call(process);
    return (user + system) / 1000;
  };
})();

/** Wall clock and this thread's CPU clock, both in ms, to time a replay. */
export interface JobClocks {
  wall: () => number;
  cpu?: () => number;
}

export async function runFrontierJob(
  job: FrontierJob,
  prepared: PreparedTraces,
  clocks?: JobClocks,
): Promise<FrontierJobResult[]> {
  const profile = profileFor(job.traceName, job.profile);
  const service = serviceAtSize(job.peakInstances);
  const { load, demand, startAt, gapEvents } = prepared.get(job);
  const began = clocks?.wall() ?? 0;
  const cpuBegan = clocks?.cpu?.() ?? 0;
  const side =
    job.points.length > 1
      ? { refits: new SharedRefits(), gate: new HourlyGate(job.points.length) }
      : undefined;
  const runs = await Promise.all(
    job.points.map(async (point) => {
      const built = buildPointPolicy(
        point,
        { service, demand, startAt },
        side && { refit: side.refits.refit },
      );
      const policy = side ? inStep(built, side.gate) : built;
      try {
        return await replay({
          traceName: job.traceName,
          load,
          startAt,
          service,
          policy,
          muPerInstance: BENCH_MU_PER_INSTANCE,
          profile,
          seed: job.seed ?? 1,
          demand,
        });
      } finally {
        side?.gate.leave();
      }
    }),
  );
  // Runs side by side share one clock: each is charged its share of the job.
  const wallMs = clocks ? (clocks.wall() - began) / job.points.length : 0;
  const cpuMs = clocks?.cpu ? (clocks.cpu() - cpuBegan) / job.points.length : 0;
  return job.points.map((point, i) => {
    const run = runs[i] as RunResult;
    const record = toFrontierRecord(
      { ...run, summary: { ...run.summary, policy: point.policy } },
      {
        peakInstances: job.peakInstances,
        profile: profile.name,
        setting: point.setting,
        default: point.default,
      },
    );
    const result: FrontierJobResult = { id: job.id, record, minutes: load.length, wallMs, cpuMs };
    if (job.chartPoints > 0 && inTimeline(point)) {
      const events = [...gapEvents, ...run.events].sort((a, b) => a.at - b.at);
      const chart = traceChart(job.traceName, [{ ...run, events }], job.chartPoints);
      result.chart = {
        x: chart.x,
        load: chart.load,
        demand: chart.demand,
        run: chart.policies[0] as PolicyChart,
      };
    }
    return result;
  });
}

/** The policy, held at each hour until the replays beside it have reached that hour too. */
function inStep(policy: ReplayPolicy, gate: HourlyGate): ReplayPolicy {
  return {
    name: policy.name,
    async decide(observation) {
      if (observation.at % HOUR_MS === 0) await gate.arrive(observation.at);
      return policy.decide(observation);
    },
  };
}
