/**
 * Headroom's one risk knob is what users already state about a service: the business cost of a
 * minute over the SLO (`slow-minute-cost-usd`) against the price of an instance-hour
 * (`price-per-hour-usd`). Their ratio, the instance-hours one slow minute is worth, sets how much
 * of the load's rise within the lead time the capacity covers: as in the newsvendor problem, the
 * quantile covered is the critical ratio r / (r + K). K is set so that the deployment defaults
 * ($10 a slow minute, $0.0416 an instance-hour: r ≈ 240) cover the 90th percentile, the quantile
 * the benchmark measured the floor with; a dearer slow minute covers more, a cheaper one less.
 */
import {
  DEFAULT_PRICE_PER_INSTANCE_HOUR_USD,
  DEFAULT_SLOW_MINUTE_COST_USD,
} from '../config/serviceConfig.js';
import type { ManagedService } from '../model/service.js';

/** Quantile of the rise covered at the default knob. */
export const DEFAULT_RISE_QUANTILE = 0.9;
const DEFAULT_RATIO = DEFAULT_SLOW_MINUTE_COST_USD / DEFAULT_PRICE_PER_INSTANCE_HOUR_USD;
const K = (DEFAULT_RATIO * (1 - DEFAULT_RISE_QUANTILE)) / DEFAULT_RISE_QUANTILE;
/** Never below the median rise, never the very largest one seen (one outlier would set the fleet). */
const QUANTILE_RANGE = [0.5, 0.995] as const;

/** The quantile of the load's rise within the lead time that the service's capacity covers. */
export function riseQuantileFor(
  service: Pick<ManagedService, 'slowMinuteCostUsd' | 'pricePerInstanceHourUsd'>,
): number {
  const ratio = service.slowMinuteCostUsd / service.pricePerInstanceHourUsd;
  if (!(ratio >= 0) || !Number.isFinite(ratio)) return DEFAULT_RISE_QUANTILE;
  const q = ratio / (ratio + K);
  return Math.min(QUANTILE_RANGE[1], Math.max(QUANTILE_RANGE[0], q));
}
