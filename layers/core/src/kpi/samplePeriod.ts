/**
 * The period a service's samples actually arrive at, read from the samples themselves: EC2 under
 * basic monitoring publishes CPUUtilization every 5 minutes, so a 1-minute query returns one
 * datapoint in five, and a sample is fresh for 3 of those periods, not 3 minutes.
 */
import type { KpiSample } from '../model/kpi.js';

/**
 * The smallest gap between consecutive samples (missing datapoints only widen some gaps), in whole
 * query periods; undefined with fewer than two samples, when the period cannot be told.
 */
export function observedPeriodSeconds(
  samples: readonly KpiSample[],
  queryPeriodSeconds: number,
): number | undefined {
  const times = [...new Set(samples.map((s) => s.at))].sort((a, b) => a - b);
  let smallest = Infinity;
  for (let i = 1; i < times.length; i++) smallest = Math.min(smallest, times[i]! - times[i - 1]!);
  if (!Number.isFinite(smallest)) return undefined;
  return Math.max(1, Math.round(smallest / 1000 / queryPeriodSeconds)) * queryPeriodSeconds;
}
