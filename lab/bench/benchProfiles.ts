/**
 * What the frontier runs each trace against: the world's service profile (lab/world/profiles.ts:
 * the trace's own, or the one `--profile` names) and the two fleet sizes.
 */
import type { ManagedService } from '@headroom/core/model/service.js';
import { profileForTrace, profileNamed, type ServiceProfile } from '../world/profiles.js';
import { BENCH_SERVICE } from './benchSetup.js';
import { FRONTIER_MIN_CAPACITY } from './frontierPoints.js';

/** Every trace runs at both: its peak minute needs 20 instances, and 100. */
export const FLEET_SIZES = [20, 100] as const;

/** The profile a trace runs against: the one named, else the trace's own. */
export function profileFor(traceName: string, named?: string): ServiceProfile {
  return named === undefined ? profileForTrace(traceName) : profileNamed(named);
}

/**
 * The benchmark's service at one fleet size: minimum 2 for every point, a maximum well above the
 * peak (3 ×) so that no policy is capped by it, and step limits that never bind.
 */
export function serviceAtSize(peakInstances: number): ManagedService {
  const max = 3 * peakInstances;
  return {
    ...BENCH_SERVICE,
    capacity: { min: FRONTIER_MIN_CAPACITY, max, maxStepPct: 1000, maxStepInstances: max },
  };
}
