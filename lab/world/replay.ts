/**
 * Replays a load series through the simulated account under one scaling policy, minute by
 * minute, and measures the run as benchmark.md says.
 *
 * Each minute i (starting at startAt + i min): the instances in service at the minute's start
 * serve its load; the KPI sample for the minute is published at its end; the policy sees the
 * fleet and the KPI history then and names a desired capacity; the change (clamped to
 * [min, max]) is applied at once. An instance launched after minute i serves from minute
 * i + 1 + ⌈(boot + warm-up)/60 s⌉ (i + 6 with the defaults); a terminated one is gone from i + 1.
 * The TimelinePoint of minute i is stamped with the minute's start and shows what served it:
 * `inService` is s(t), `desired` the desired capacity during the minute.
 *
 * The policy's `history` is the simulated service's own sample buffer (14 to 28 days, trimmed in
 * batches), handed over without copying: read it during `decide`, do not keep it.
 */
import type { ReplayPolicy, RunResult, TimelineEvent, TimelinePoint } from '@headroom/core/model/replay.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { elasticity } from '../bench/elasticity.js';
import { SimulatedService } from './account.js';
import { type ServiceProfile, shapeOf } from './profiles.js';
import { demandSeries } from './queueing.js';

export interface ReplayOptions {
  traceName: string;
  /** Requests per minute, one per minute. */
  load: readonly number[];
  /** Epoch ms of the first minute. */
  startAt: number;
  service: ManagedService;
  policy: ReplayPolicy;
  /** Requests per second one instance serves, for the plain M/M/c world (when no profile is given). */
  muPerInstance: number;
  /** The world's ground truth (profiles.ts); policies then see metrics as CloudWatch delivers them. */
  profile?: ServiceProfile;
  /** Seed of the world's randomness (launch times, CPU noise, p99 readings, delays); default 1. */
  seed?: number;
  /** Instances in service at the start (default: the first minute's demand, within [min, max]). */
  initialCapacity?: number;
  /** d(t) when the caller has it already (the benchmark computes it once per trace for all policies). */
  demand?: readonly number[];
  onProgress?: (done: number, total: number) => void;
  /** Wall-clock milliseconds (e.g. performance.now), only to report simulated minutes per second. */
  stopwatch?: () => number;
}

const MINUTE_MS = 60_000;
const PROGRESS_EVERY = 1440;

function clamp(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x;
}

export async function replay(options: ReplayOptions): Promise<RunResult> {
  const { load, service, policy, startAt } = options;
  const minutes = load.length;
  if (minutes === 0) throw new RangeError(`trace ${options.traceName} has no minutes to replay`);
  const { min, max } = service.capacity;
  const slo = service.slo.p99LatencyMs;
  const began = options.stopwatch?.();
  const demand =
    options.demand ??
    demandSeries(load, options.profile ? shapeOf(options.profile) : options.muPerInstance, slo);
  if (demand.length !== minutes) {
    throw new RangeError(`demand has ${demand.length} minutes but the load has ${minutes}`);
  }
  const sim = new SimulatedService({
    service,
    muPerInstance: options.muPerInstance,
    ...(options.profile ? { profile: options.profile, seed: options.seed ?? 1 } : {}),
    startAt,
    initialCapacity: options.initialCapacity ?? clamp(demand[0] as number, min, max),
  });
  const supply = new Int32Array(minutes);
  const timeline = new Array<TimelinePoint>(minutes);
  const events: TimelineEvent[] = [];
  let violations = 0;

  for (let i = 0; i < minutes; i++) {
    const inService = sim.fleet.inService;
    const desiredDuring = sim.fleet.size;
    const minuteLoad = load[i] as number;
    const sample = sim.advanceMinute(minuteLoad);
    const p99 = sample.p99LatencyMs as number;
    const errors = sample.errorRatePct as number;
    const violated = p99 > slo || errors > 0;
    if (violated) violations++;
    supply[i] = inService;
    timeline[i] = {
      at: startAt + i * MINUTE_MS,
      load: minuteLoad,
      demand: demand[i] as number,
      desired: desiredDuring,
      inService,
      p99LatencyMs: p99,
      errorRatePct: errors,
      cpuPct: sample.cpuPct as number,
      sloViolated: violated,
    };

    const fleet = sim.capacity();
    // Policies see what has been delivered: with a profile, the minute's datapoint comes 1–3 minutes late.
    const latest = sim.samples.at(-1);
    if (latest === undefined) continue;
    const wanted = await policy.decide({ at: sample.at, fleet, latest, history: sim.samples });
    if (!Number.isFinite(wanted)) {
      throw new RangeError(
        `policy ${policy.name} returned ${wanted} at ${new Date(sample.at).toISOString()}`,
      );
    }
    const desired = clamp(Math.round(wanted), min, max);
    if (desired !== fleet.desired) {
      sim.setDesired(desired);
      events.push({
        at: sample.at,
        kind: 'scaling',
        label: `${desired > fleet.desired ? 'scale-out' : 'scale-in'} ${fleet.desired} → ${desired}`,
      });
    }
    if (options.onProgress && (i + 1) % PROGRESS_EVERY === 0) options.onProgress(i + 1, minutes);
  }
  options.onProgress?.(minutes, minutes);

  const m = elasticity(demand, supply);
  const instanceHours = sim.instanceHours();
  const elapsedMs = began === undefined || !options.stopwatch ? 0 : options.stopwatch() - began;
  return {
    summary: {
      trace: options.traceName,
      policy: policy.name,
      minutes,
      sloViolationMinutes: violations,
      instanceHours,
      costUsd: instanceHours * service.pricePerInstanceHourUsd,
      thetaU: m.thetaU,
      thetaO: m.thetaO,
      thetaUPct: m.thetaUPct,
      thetaOPct: m.thetaOPct,
      tauU: m.tauU,
      tauO: m.tauO,
      instability: m.instability,
      scalingActions: events.length,
      // 0 when no stopwatch was given, or the run was too quick to time.
      simulatedMinutesPerSecond: elapsedMs > 0 ? (1000 * minutes) / elapsedMs : 0,
    },
    timeline,
    events,
  };
}
