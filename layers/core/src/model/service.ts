/** What the user tells Headroom about a service: its SLOs, its limits and its prices. */

/** `advise` recommends only (the default), `apply` acts within guardrails, `off` does nothing. */
export type Mode = 'advise' | 'apply' | 'off';
export const MODES: readonly Mode[] = ['advise', 'apply', 'off'];

/** Service-level objectives. Optional tiers are evaluated only where configured. */
export interface ServiceSlo {
  /** p99 latency objective, milliseconds (e.g. 500). */
  p99LatencyMs: number;
  /** Highest acceptable error rate, percent of requests (e.g. 1). */
  errorRatePct: number;
  /** CPU utilisation target for target tracking, percent (e.g. 70). */
  cpuTargetPct: number;
  /** Highest acceptable database connections, percent of max_connections. */
  dbConnectionsMaxPct?: number;
  /** Lowest acceptable cache hit ratio, percent. */
  cacheHitRatioMinPct?: number;
  /** Lowest acceptable CDN hit ratio, percent. */
  cdnHitRatioMinPct?: number;
}

/** Hard limits on capacity and on how far one action may move it. */
export interface CapacityLimits {
  min: number;
  max: number;
  /** Largest change of one action, percent of current capacity. */
  maxStepPct: number;
  /** Largest change of one action, instances. The smaller of the two limits applies. */
  maxStepInstances: number;
}

/** Timing of the fleet, as measured or configured. */
export interface FleetTiming {
  /** Seconds from launch until the instance is InService. */
  bootSeconds: number;
  /** Seconds after InService during which the instance's metrics are left out. */
  warmupSeconds: number;
  /** Seconds after an action before the next one on the same group. */
  cooldownSeconds: number;
  /** Scale-in acts on the highest recommendation over this window (as the HPA does). */
  scaleInStabilizationSeconds: number;
}

/** Optional tiers in front of and behind the compute fleet. */
export interface ServiceTiers {
  /** ALB `LoadBalancer` dimension (`app/<name>/<id>`): source of p99 latency, errors and requests. */
  loadBalancer?: string;
  /** ALB `TargetGroup` dimension (`targetgroup/<name>/<id>`), narrowing the ALB metrics to this service. */
  targetGroup?: string;
  dbInstanceId?: string;
  /** The database's max_connections, to turn DatabaseConnections into a percentage. */
  dbMaxConnections?: number;
  /**
   * The operator's word that the application reads from replicas (or an Aurora reader endpoint).
   * A new non-Aurora read replica takes no load otherwise, so none is added without it.
   */
  dbReadsOnReplicas?: boolean;
  cacheReplicationGroupId?: string;
  cdnDistributionId?: string;
}

export interface ManagedService {
  /** Stable id, the Auto Scaling group name unless tagged otherwise. */
  id: string;
  autoScalingGroupName: string;
  mode: Mode;
  slo: ServiceSlo;
  capacity: CapacityLimits;
  timing: FleetTiming;
  /** On-demand price of one instance-hour, USD. */
  pricePerInstanceHourUsd: number;
  /** Business cost of one minute over the SLO, USD. */
  slowMinuteCostUsd: number;
  tiers: ServiceTiers;
}

/** Defaults for everything a tag or config entry may leave out. */
export const DEFAULT_SLO: ServiceSlo = { p99LatencyMs: 500, errorRatePct: 1, cpuTargetPct: 70 };
export const DEFAULT_TIMING: FleetTiming = {
  bootSeconds: 180,
  warmupSeconds: 120,
  cooldownSeconds: 300,
  scaleInStabilizationSeconds: 900,
};
