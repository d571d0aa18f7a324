/**
 * Service profiles: the world's ground truth about how a service answers load, which Headroom
 * never sees (it learns what it needs from the metrics it reads). Each states an M/G/c shape
 * (queueing.ts), a CPU made of a per-request cost, a background load and noise, boot and warm-up
 * times that vary per launch, a share of launches that fail, and how late its metrics arrive.
 *
 * Stable API for the benchmark: SERVICE_PROFILES, profileNamed, profileForTrace, shapeOf,
 * capacityPerInstance.
 */
import type { ServiceShape } from './queueing.js';

export type ProfileName = 'fast-api' | 'slow-api' | 'cpu-heavy';

export interface ServiceProfile {
  name: ProfileName;
  description: string;
  /** Workers per instance (threads or processes serving at once). */
  serversPerInstance: number;
  /** Mean service time of one request on one worker, ms. */
  serviceMs: number;
  /** Coefficient of variation of the service time. */
  cv: number;
  /** p99 of the service time alone, ms. */
  serviceP99Ms: number;
  /** Downstream calls every response waits for, ms. */
  baseMs: number;
  /** CPU, %, of an instance serving its full throughput (the per-request cost times that rate). */
  cpuAtCapacityPct: number;
  /** CPU, %, of an idle instance (agents, GC, health checks). */
  backgroundCpuPct: number;
  /** Standard deviation of the minute's CPU reading, percentage points. */
  cpuNoisePct: number;
  /** Seconds from launch to InService, uniform in [min, max] per launch. */
  bootSeconds: readonly [number, number];
  /** Seconds of warm-up after boot, uniform in [min, max] per launch. */
  warmupSeconds: readonly [number, number];
  /** Share of launches that never serve, %: the group replaces them with a new launch. */
  launchFailurePct: number;
  /** Minutes after its end that a minute's datapoint is delivered, uniform in [min, max]. */
  metricDelayMinutes: readonly [number, number];
}

export const SERVICE_PROFILES: readonly ServiceProfile[] = [
  {
    name: 'fast-api',
    description: 'a JSON API: short, fairly regular requests on many workers, I/O-bound',
    serversPerInstance: 8,
    serviceMs: 40,
    cv: 0.8,
    serviceP99Ms: 160,
    baseMs: 30,
    cpuAtCapacityPct: 80,
    backgroundCpuPct: 5,
    cpuNoisePct: 2,
    bootSeconds: [90, 150],
    warmupSeconds: [30, 90],
    launchFailurePct: 1,
    metricDelayMinutes: [1, 3],
  },
  {
    name: 'slow-api',
    description: 'a report service: long, highly variable requests on few workers, waits on a database',
    serversPerInstance: 4,
    serviceMs: 120,
    cv: 1.5,
    serviceP99Ms: 300,
    baseMs: 60,
    cpuAtCapacityPct: 70,
    backgroundCpuPct: 8,
    cpuNoisePct: 3,
    bootSeconds: [150, 240],
    warmupSeconds: [60, 180],
    launchFailurePct: 2,
    metricDelayMinutes: [1, 3],
  },
  {
    name: 'cpu-heavy',
    description: 'image rendering: CPU-bound requests, one per core, regular',
    serversPerInstance: 2,
    serviceMs: 150,
    cv: 0.5,
    serviceP99Ms: 260,
    baseMs: 10,
    cpuAtCapacityPct: 97,
    backgroundCpuPct: 3,
    cpuNoisePct: 2,
    bootSeconds: [120, 300],
    warmupSeconds: [60, 120],
    launchFailurePct: 2,
    metricDelayMinutes: [1, 3],
  },
];

/** The profile of traces the benchmark does not assign, and of `headroom simulate`. */
export const DEFAULT_PROFILE: ServiceProfile = SERVICE_PROFILES[0]!;

/** Each benchmark trace's profile: request-count traces are APIs, fleet CPU traces CPU-bound work. */
const TRACE_PROFILES: Readonly<Record<string, ProfileName>> = {
  elb_request_count_8c0756: 'fast-api',
  nyc_taxi: 'slow-api',
  Twitter_volume_AAPL: 'fast-api',
  Twitter_volume_GOOG: 'slow-api',
  azure_v2_cpu: 'cpu-heavy',
  google2019_cpu: 'cpu-heavy',
  alibaba2018_cpu: 'slow-api',
};

export function profileNamed(name: string): ServiceProfile {
  const profile = SERVICE_PROFILES.find((p) => p.name === name);
  if (profile === undefined) {
    throw new RangeError(
      `unknown service profile "${name}": one of ${SERVICE_PROFILES.map((p) => p.name).join(', ')}`,
    );
  }
  return profile;
}

/** The profile a trace is replayed with: its assignment, or DEFAULT_PROFILE for any other trace. */
export function profileForTrace(traceName: string): ServiceProfile {
  const name = TRACE_PROFILES[traceName];
  return name === undefined ? DEFAULT_PROFILE : profileNamed(name);
}

/** The profile's queueing shape. */
export function shapeOf(profile: ServiceProfile): ServiceShape {
  return {
    mu: 1000 / profile.serviceMs,
    serversPerInstance: profile.serversPerInstance,
    cv: profile.cv,
    baseMs: profile.baseMs,
    serviceP99Ms: profile.serviceP99Ms,
  };
}

/** Requests per second one instance serves at full throughput (not at the SLO). */
export function capacityPerInstance(profile: ServiceProfile): number {
  return (profile.serversPerInstance * 1000) / profile.serviceMs;
}
