/**
 * The world's service profiles the frontier runs against, and the two fleet sizes.
 *
 * PROVISIONAL (issue 11): today the world has one service, the M/M/c one of benchSetup.ts, so
 * every trace gets the profile named `mmc-10rps`. When lab/world/profiles.ts lands (i11-world),
 * `profileFor` returns `profileForTrace(traceName)` (or the profile `--profile` names) and
 * BenchProfile becomes that module's profile type; the jobs read only `name`, `service` and
 * `muPerInstance` from it.
 */
import type { ManagedService } from '@headroom/core/model/service.js';
import { BENCH_MU_PER_INSTANCE, BENCH_SERVICE } from './benchSetup.js';
import { FRONTIER_MIN_CAPACITY } from './frontierPoints.js';

/** Every trace runs at both: its peak minute needs 20 instances, and 100. */
export const FLEET_SIZES = [20, 100] as const;

export interface BenchProfile {
  name: string;
  /** Requests per second one instance serves. */
  muPerInstance: number;
  service: ManagedService;
}

const PROFILES: readonly BenchProfile[] = [
  { name: 'mmc-10rps', muPerInstance: BENCH_MU_PER_INSTANCE, service: BENCH_SERVICE },
];

export const DEFAULT_PROFILE = 'mmc-10rps';
export const PROFILE_NAMES: readonly string[] = PROFILES.map((p) => p.name);

/** The profile a trace runs against: the one named, else the trace's own (today: the one profile). */
export function profileFor(_traceName: string, named?: string): BenchProfile {
  const name = named ?? DEFAULT_PROFILE;
  const profile = PROFILES.find((p) => p.name === name);
  if (!profile)
    throw new RangeError(`no service profile named '${name}' (known: ${PROFILE_NAMES.join(', ')})`);
  return profile;
}

/**
 * The profile's service at one fleet size: minimum 2 for every point, a maximum well above the peak
 * (3 ×) so that no policy is capped by it, and step limits that never bind.
 */
export function serviceAtSize(profile: BenchProfile, peakInstances: number): ManagedService {
  const max = 3 * peakInstances;
  return {
    ...profile.service,
    capacity: { min: FRONTIER_MIN_CAPACITY, max, maxStepPct: 1000, maxStepInstances: max },
  };
}
