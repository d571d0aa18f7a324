/**
 * The simulated account: one managed service's fleet and the tiers around it, driven by a load
 * per minute on a virtual clock. Each minute it is served by the instances in service at the
 * minute's start (an instance ready mid-minute serves from the next one), and it yields the
 * KpiSample CloudWatch would show at the minute's end.
 *
 * Request path: load → CDN (hits never reach the backend) → compute fleet (M/M/c) → cache →
 * database (misses). Tiers exist only where configured, so an unconfigured service is the pure
 * compute model the benchmark uses.
 */
import type { FleetCapacity } from '@headroom/core/model/fleet.js';
import type { KpiSample } from '@headroom/core/model/kpi.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { AlarmWatch, type AlarmRule, type SimAlarm } from './alarms.js';
import { SimFleet } from './fleet.js';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { type ServiceProfile, shapeOf } from './profiles.js';
import { DEFAULT_TIMEOUT_MS, mmc, queueAt, type ServiceShape } from './queueing.js';
import {
  Cdn,
  Replicas,
  cacheHitRatioPct,
  databaseState,
  type CacheSetup,
  type CdnSetup,
  type DatabaseSetup,
} from './tiers.js';

export interface SimServiceSetup {
  service: ManagedService;
  /** Requests per second one instance serves (mean service time = 1/μ), for the plain M/M/c world. */
  muPerInstance?: number;
  /**
   * The world's ground truth (profiles.ts): M/G/c with base latency, CPU with a background and
   * noise, launches that vary and fail, p99 measured from the minute's requests, metrics delivered
   * late. Without one the world is the plain M/M/c of `muPerInstance`, exact and instant.
   */
  profile?: ServiceProfile;
  /** Seed of the world's randomness when no `random` is given (default 1). */
  seed?: number;
  /** EC2 basic monitoring: CPU delivered as one 5-minute average, not every minute. */
  basicMonitoring?: boolean;
  startAt: number;
  /** Instances in service at the start (default: the service's min). */
  initialCapacity?: number;
  timeoutMs?: number;
  database?: DatabaseSetup;
  cache?: CacheSetup;
  cdn?: CdnSetup;
  alarms?: readonly AlarmRule[];
  /** One-minute samples kept for the metrics reader (default 14 days). */
  keepMinutes?: number;
  /** Seeded uniform [0, 1) source; when given, p99 readings get ±`latencyJitterPct` noise. */
  random?: () => number;
  latencyJitterPct?: number;
}

const MINUTE_MS = 60_000;
/** Offset of the launch stream's seed from the world's. */
const LAUNCH_STREAM = 0x5eed_1a;
const FOURTEEN_DAYS_MINUTES = 14 * 24 * 60;

export class SimulatedService {
  readonly service: ManagedService;
  readonly fleet: SimFleet;
  /** The datapoints delivered so far, as the metrics reader (CloudWatch) has them, in time order. */
  readonly samples: KpiSample[] = [];
  /** Measured datapoints not yet delivered, with when they will be. */
  private readonly pending: { deliverAt: number; sample: KpiSample }[] = [];
  private lastDeliverAt = Number.NEGATIVE_INFINITY;
  private readonly shape: ServiceShape | undefined;
  private readonly random: () => number;
  /** Launches draw from their own stream (see the constructor). */
  private readonly launchRandom: () => number;
  private cpuSum = 0;
  private cpuMinutes = 0;
  /** Alarms fired and not yet taken by `takeAlarms`. */
  private pendingAlarms: SimAlarm[] = [];
  private readonly watch: AlarmWatch | undefined;
  private readonly dbReplicas: Replicas | undefined;
  private readonly cacheReplicas: Replicas | undefined;
  private readonly cdn: Cdn | undefined;
  private readonly keepMinutes: number;
  private clock: number;

  constructor(private readonly setup: SimServiceSetup) {
    const { service, muPerInstance, profile } = setup;
    if (profile === undefined && !(muPerInstance !== undefined && muPerInstance > 0))
      throw new RangeError(`muPerInstance must be > 0, got ${muPerInstance}`);
    this.service = service;
    this.clock = setup.startAt;
    this.shape = profile && shapeOf(profile);
    const rng = xoroshiro128plus(setup.seed ?? 1);
    this.random = setup.random ?? (() => uniformFloat64(rng));
    // Launch times draw from a stream of their own: how many launches a policy makes then leaves
    // the minute-by-minute noise and the metrics' delays the same under every policy (common random
    // numbers: policies are compared on the same world, and the load history they read is the same).
    const launchRng = xoroshiro128plus((setup.seed ?? 1) + LAUNCH_STREAM);
    this.launchRandom = setup.random ?? (() => uniformFloat64(launchRng));
    const initial = setup.initialCapacity ?? service.capacity.min;
    this.fleet = new SimFleet({
      // Without a profile the world boots exactly as the service's timing says.
      bootSeconds: service.timing.bootSeconds,
      warmupSeconds: service.timing.warmupSeconds,
      initialInService: initial,
      startAt: setup.startAt,
      ...(profile ? { launchDelayMs: () => this.launchDelayMs(profile) } : {}),
    });
    this.keepMinutes = setup.keepMinutes ?? FOURTEEN_DAYS_MINUTES;
    this.watch = setup.alarms && setup.alarms.length > 0 ? new AlarmWatch(setup.alarms) : undefined;
    const db = setup.database;
    this.dbReplicas =
      db && new Replicas(db.replicaProvisionSeconds * 1000, db.initialReplicas ?? 0, setup.startAt);
    const cache = setup.cache;
    this.cacheReplicas =
      cache && new Replicas(cache.replicaProvisionSeconds * 1000, cache.initialReplicas ?? 0, setup.startAt);
    this.cdn = setup.cdn && new Cdn(setup.cdn);
  }

  /** Virtual now, epoch ms: the end of the last simulated minute. */
  get now(): number {
    return this.clock;
  }

  /** Serves one minute of `loadPerMinute` requests and returns the minute's KPIs. */
  advanceMinute(loadPerMinute: number): KpiSample {
    if (!(loadPerMinute >= 0) || !Number.isFinite(loadPerMinute)) {
      throw new RangeError(`load must be a number ≥ 0 requests per minute, got ${loadPerMinute}`);
    }
    const start = this.clock;
    this.fleet.advanceTo(start);
    const sample = this.serve(loadPerMinute, start);
    this.clock = start + MINUTE_MS;
    this.fleet.advanceTo(this.clock);
    this.keep(sample);
    if (this.watch) for (const alarm of this.watch.check(sample)) this.pendingAlarms.push(alarm);
    // The truth of the minute, for the benchmark's SLO count; policies read `samples`.
    return sample;
  }

  private launchDelayMs(profile: ServiceProfile): number {
    return launchSeconds(profile, this.launchRandom) * 1000;
  }

  /** A standard normal draw (Box–Muller). */
  private normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }

  /** CPU of the minute: background + the per-request cost of what each instance served + noise, in [0, 100]. */
  private cpuOf(profile: ServiceProfile, served: number, servers: number): number {
    if (servers <= 0) return 0;
    const utilisation = Math.min(
      1,
      served / (servers * (this.shape as ServiceShape).mu * profile.serversPerInstance),
    );
    const cpu =
      profile.backgroundCpuPct + profile.cpuAtCapacityPct * utilisation + profile.cpuNoisePct * this.normal();
    return Math.min(100, Math.max(0, cpu));
  }

  private serve(loadPerMinute: number, start: number): KpiSample {
    const { muPerInstance, profile } = this.setup;
    const cdnHit = this.cdn?.hitRatioPct(start);
    const backendPerMinute = cdnHit === undefined ? loadPerMinute : loadPerMinute * (1 - cdnHit / 100);
    const lambda = backendPerMinute / 60;
    const servers = this.fleet.inService;
    const timeoutMs = this.setup.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const queue = this.shape
      ? queueAt(this.shape, lambda, servers, timeoutMs)
      : mmc({ lambda, mu: muPerInstance as number, servers }, timeoutMs);
    let p99 = queue.p99Ms;
    let errorPct = queue.errorRatePct;
    const served = lambda * (1 - errorPct / 100);
    const sample: KpiSample = {
      at: start + MINUTE_MS,
      requestsPerMinute: backendPerMinute,
      cpuPct: profile
        ? this.cpuOf(profile, served, servers)
        : servers > 0
          ? 100 * Math.min(1, lambda / (servers * (muPerInstance as number)))
          : 0,
    };
    let missesPerSecond = served;
    if (this.setup.cache && this.cacheReplicas) {
      const hit = cacheHitRatioPct(this.setup.cache, served, this.cacheReplicas.readyCount(start));
      sample.cacheHitRatioPct = hit;
      missesPerSecond = served * (1 - hit / 100);
    }
    if (this.setup.database && this.dbReplicas) {
      const db = databaseState(this.setup.database, missesPerSecond, this.dbReplicas.readyCount(start));
      sample.dbConnectionsPct = db.connectionsPct;
      p99 = Math.min(timeoutMs, p99 + db.extraLatencyMs);
      errorPct += (100 - errorPct) * db.errorShare;
    }
    if (cdnHit !== undefined) sample.cdnHitRatioPct = cdnHit;
    if (this.setup.random && lambda > 0 && !profile) {
      const jitter = (this.setup.latencyJitterPct ?? 5) / 100;
      p99 *= 1 + jitter * (2 * this.setup.random() - 1);
    }
    sample.p99LatencyMs = p99;
    sample.errorRatePct = errorPct;
    return sample;
  }

  /**
   * What CloudWatch shows of the minute: the p99 of its requests (a sample of the true
   * distribution, the noisier the fewer there were), delivered 1–3 minutes late, in order; with
   * basic monitoring CPU only as a 5-minute average.
   */
  private measured(truth: KpiSample, profile: ServiceProfile): KpiSample {
    const out: KpiSample = { ...truth };
    const requests = truth.requestsPerMinute ?? 0;
    if (truth.p99LatencyMs !== undefined && requests > 0) {
      // The p99 rests on the slowest 1 % of the minute's requests: few of them, a rough reading.
      const spread = Math.min(0.5, 0.6 / Math.sqrt(Math.max(1, requests / 100)));
      out.p99LatencyMs = truth.p99LatencyMs * Math.exp(spread * this.normal());
    }
    if (this.setup.basicMonitoring && truth.cpuPct !== undefined) {
      this.cpuSum += truth.cpuPct;
      this.cpuMinutes += 1;
      delete out.cpuPct;
      if (Math.round(truth.at / MINUTE_MS) % 5 === 0) {
        out.cpuPct = this.cpuSum / this.cpuMinutes;
        this.cpuSum = 0;
        this.cpuMinutes = 0;
      }
    }
    const [min, max] = profile.metricDelayMinutes;
    const delay = min + Math.floor((max - min + 1) * this.random());
    this.lastDeliverAt = Math.max(this.lastDeliverAt, truth.at + delay * MINUTE_MS);
    this.pending.push({ deliverAt: this.lastDeliverAt, sample: out });
    return out;
  }

  private keep(truth: KpiSample): void {
    const profile = this.setup.profile;
    if (profile === undefined) {
      this.deliver(truth);
      return;
    }
    this.measured(truth, profile);
    let n = 0;
    while (n < this.pending.length && (this.pending[n] as { deliverAt: number }).deliverAt <= this.clock) n++;
    for (const { sample } of this.pending.splice(0, n)) this.deliver(sample);
  }

  private deliver(sample: KpiSample): void {
    this.samples.push(sample);
    // Trim in batches so the amortised cost per minute stays O(1).
    if (this.samples.length >= 2 * this.keepMinutes)
      this.samples.splice(0, this.samples.length - this.keepMinutes);
  }

  /** Launches or terminates now; AWS refuses a desired capacity outside [min, max], and so does this. */
  setDesired(desired: number): void {
    const { min, max } = this.service.capacity;
    if (!Number.isInteger(desired) || desired < min || desired > max) {
      throw new RangeError(
        `desired capacity ${desired} for ${this.service.autoScalingGroupName} must be an integer in [${min}, ${max}]`,
      );
    }
    this.fleet.setDesired(desired, this.clock);
  }

  capacity(): FleetCapacity {
    const { min, max } = this.service.capacity;
    const capacity: FleetCapacity = {
      groupName: this.service.autoScalingGroupName,
      desired: this.fleet.size,
      inService: this.fleet.inService,
      warmingUp: this.fleet.warmingUp,
      min,
      max,
    };
    if (this.fleet.lastActivityAt !== undefined) capacity.lastActivityAt = this.fleet.lastActivityAt;
    if (this.fleet.completedLaunches.length > 0) capacity.launches = [...this.fleet.completedLaunches];
    return capacity;
  }

  /** Alarms fired since the last call, oldest first. */
  takeAlarms(): SimAlarm[] {
    const alarms = this.pendingAlarms;
    this.pendingAlarms = [];
    return alarms;
  }

  addReadReplica(): void {
    this.requireTier(this.dbReplicas, 'database').add(this.clock);
  }

  removeReadReplica(): boolean {
    return this.requireTier(this.dbReplicas, 'database').remove();
  }

  addCacheReplica(): void {
    this.requireTier(this.cacheReplicas, 'cache').add(this.clock);
  }

  removeCacheReplica(): boolean {
    return this.requireTier(this.cacheReplicas, 'cache').remove();
  }

  /** Replicas provisioning or available, and how many of them serve now. */
  replicas(tier: 'database' | 'cache'): { total: number; ready: number } {
    const r = this.requireTier(tier === 'database' ? this.dbReplicas : this.cacheReplicas, tier);
    return { total: r.total, ready: r.readyCount(this.clock) };
  }

  invalidateCdn(share: number): void {
    this.requireTier(this.cdn, 'cdn').invalidate(share, this.clock);
  }

  private requireTier<T>(tier: T | undefined, name: string): T {
    if (tier === undefined) throw new Error(`service ${this.service.id} has no simulated ${name} tier`);
    return tier;
  }

  instanceHours(): number {
    return this.fleet.instanceSeconds(this.clock) / 3600;
  }

  costUsd(): number {
    return this.instanceHours() * this.service.pricePerInstanceHourUsd;
  }
}

/** Several simulated services sharing one virtual clock: what the sim adapters answer from. */
export class SimulatedAccount {
  readonly services = new Map<string, SimulatedService>();

  constructor(
    services: readonly SimulatedService[],
    readonly clock: { now(): number; advance(ms: number): void },
  ) {
    for (const s of services) {
      if (s.now !== clock.now())
        throw new Error(`service ${s.service.id} starts at ${s.now}, the clock at ${clock.now()}`);
      this.services.set(s.service.id, s);
    }
  }

  /** One minute for every service; `loadFor` gives each service's requests in that minute. */
  advanceMinute(loadFor: (serviceId: string, at: number) => number): void {
    const at = this.clock.now();
    for (const [id, s] of this.services) s.advanceMinute(loadFor(id, at));
    this.clock.advance(MINUTE_MS);
  }

  byGroupName(groupName: string): SimulatedService | undefined {
    for (const s of this.services.values()) if (s.service.autoScalingGroupName === groupName) return s;
    return undefined;
  }
}

/**
 * One launch's boot + warm-up, plus another boot for each failed attempt the group replaces: the
 * world's truth, which tests draw from to know the quantile Headroom should learn.
 */
export function launchSeconds(profile: ServiceProfile, random: () => number): number {
  const between = ([min, max]: readonly [number, number]) => min + (max - min) * random();
  let seconds = between(profile.bootSeconds) + between(profile.warmupSeconds);
  for (let tries = 0; tries < 3 && 100 * random() < profile.launchFailurePct; tries++)
    seconds += between(profile.bootSeconds);
  return seconds;
}
