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
import { DEFAULT_TIMEOUT_MS, mmc } from './queueing.js';
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
  /** Requests per second one instance serves (mean service time = 1/μ). */
  muPerInstance: number;
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
const FOURTEEN_DAYS_MINUTES = 14 * 24 * 60;

export class SimulatedService {
  readonly service: ManagedService;
  readonly fleet: SimFleet;
  readonly samples: KpiSample[] = [];
  /** Alarms fired and not yet taken by `takeAlarms`. */
  private pendingAlarms: SimAlarm[] = [];
  private readonly watch: AlarmWatch | undefined;
  private readonly dbReplicas: Replicas | undefined;
  private readonly cacheReplicas: Replicas | undefined;
  private readonly cdn: Cdn | undefined;
  private readonly keepMinutes: number;
  private clock: number;

  constructor(private readonly setup: SimServiceSetup) {
    const { service, muPerInstance } = setup;
    if (!(muPerInstance > 0)) throw new RangeError(`muPerInstance must be > 0, got ${muPerInstance}`);
    this.service = service;
    this.clock = setup.startAt;
    const initial = setup.initialCapacity ?? service.capacity.min;
    this.fleet = new SimFleet({
      bootSeconds: service.timing.bootSeconds,
      warmupSeconds: service.timing.warmupSeconds,
      initialInService: initial,
      startAt: setup.startAt,
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
    return sample;
  }

  private serve(loadPerMinute: number, start: number): KpiSample {
    const { muPerInstance } = this.setup;
    const cdnHit = this.cdn?.hitRatioPct(start);
    const backendPerMinute = cdnHit === undefined ? loadPerMinute : loadPerMinute * (1 - cdnHit / 100);
    const lambda = backendPerMinute / 60;
    const servers = this.fleet.inService;
    const timeoutMs = this.setup.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const queue = mmc({ lambda, mu: muPerInstance, servers }, timeoutMs);
    let p99 = queue.p99Ms;
    let errorPct = queue.errorRatePct;
    const served = lambda * (1 - errorPct / 100);
    const sample: KpiSample = {
      at: start + MINUTE_MS,
      requestsPerMinute: backendPerMinute,
      cpuPct: servers > 0 ? 100 * Math.min(1, lambda / (servers * muPerInstance)) : 0,
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
    if (this.setup.random && lambda > 0) {
      const jitter = (this.setup.latencyJitterPct ?? 5) / 100;
      p99 *= 1 + jitter * (2 * this.setup.random() - 1);
    }
    sample.p99LatencyMs = p99;
    sample.errorRatePct = errorPct;
    return sample;
  }

  private keep(sample: KpiSample): void {
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
