/**
 * Static fleets, the two ends every policy sits between: sized for the trace's peak demand
 * (no SLO minutes, the cost ceiling) and for its mean demand (the cost floor, with the SLO
 * missed whenever demand is above the mean). Both know the whole trace, which no real team does.
 */
import type { ScalingPolicy } from '@headroom/core/model/replay.js';

export function fixedPolicy(name: string, capacity: number): ScalingPolicy {
  if (!Number.isInteger(capacity) || capacity < 0)
    throw new RangeError(`${name}: capacity must be an integer ≥ 0, got ${capacity}`);
  return { name, decide: () => capacity };
}

/** demand: d(t) per minute over the trace. */
export function staticPeakPolicy(demand: readonly number[]): ScalingPolicy {
  return fixedPolicy(
    'static-peak',
    demand.reduce((peak, d) => Math.max(peak, d), 0),
  );
}

export function staticMeanPolicy(demand: readonly number[]): ScalingPolicy {
  const mean = demand.length === 0 ? 0 : demand.reduce((sum, d) => sum + d, 0) / demand.length;
  return fixedPolicy('static-mean', Math.ceil(mean));
}
