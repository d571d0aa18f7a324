/**
 * How much the load can rise before new instances serve. An instance asked for now serves only
 * after boot + warm-up, and one given back now takes as long to return, so a decision must carry
 * the load of the next lead time. The margin is learned from the service's own history: a high
 * quantile of the rise from one interval's load to the highest load of the intervals after it.
 * Bursty services get a wide margin, smooth ones a narrow one, with one setting. The forecast
 * function and the benchmarked policy learn it the same way (riseMarginFromMinutes) from the last
 * days of one-minute request counts: a 5-minute average hides the minute-scale bursts that a lead
 * time of a few minutes has to carry (on the generated month, learning it from 5-minute averages
 * let five times as many SLO minutes through).
 */
import { configuredLeadSeconds } from '../capacity/launchTiming.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import { kthSmallest } from '../forecast/robust.js';
import { DAY_MS, MINUTE_MS, type RegularSeries, toRegularSeries } from '../forecast/series.js';

/** Minutes of history the margin is learned from, when no more is given. */
export const MIN_MARGIN_HISTORY_MINUTES = 60;

export interface MarginOptions {
  /** Quantile of the rise over the lead time that the capacity covers. */
  quantile: number;
  /** How much of the series the rise is learned from. */
  historyMs: number;
}

export const DEFAULT_MARGIN_OPTIONS: MarginOptions = { quantile: 0.9, historyMs: 3 * DAY_MS };

/**
 * Boot + warm-up + one evaluation period (the decision itself waits up to one), ms. Boot + warm-up
 * is the learned one when given (capacity/launchTiming.ts leadTimeOf), else the configured one.
 */
export function leadTimeMs(
  service: ManagedService,
  evaluationPeriodSeconds: number,
  launchSeconds: number = configuredLeadSeconds(service),
): number {
  return (launchSeconds + evaluationPeriodSeconds) * 1000;
}

/**
 * The `quantile` of max(load[i+1..i+horizon]) − load[i] over the history, in requests per minute,
 * never below 0; undefined with fewer than an hour of rises (MIN_MARGIN_HISTORY_MINUTES, counted
 * in intervals of `stepMs`) to learn from. A gap (NaN) is skipped: it is no rise and no fall.
 * Counted in requests rather than relative to the load: a relative rise from a near-idle minute
 * (1 → 10 requests) would set the margin of the busy hours, and measured on the benchmark the
 * requests form covered as many minutes for less capacity (docs/benchmark-results.md).
 */
export function loadRiseMargin(
  loads: readonly number[],
  horizon: number,
  quantile: number,
  stepMs: number = MINUTE_MS,
): number | undefined {
  if (!(horizon >= 1) || !(quantile >= 0 && quantile <= 1) || !(stepMs > 0)) {
    throw new RangeError(
      `loadRiseMargin: horizon ${horizon} must be ≥ 1, quantile ${quantile} in [0, 1] and stepMs ${stepMs} > 0`,
    );
  }
  const rises = new Float64Array(Math.max(0, loads.length - horizon));
  let n = 0;
  for (let i = 0; i + horizon < loads.length; i++) {
    const from = loads[i] as number;
    if (!Number.isFinite(from)) continue;
    let ahead = Number.NEGATIVE_INFINITY;
    for (let k = 1; k <= horizon; k++) {
      const next = loads[i + k] as number;
      if (Number.isFinite(next) && next > ahead) ahead = next;
    }
    if (ahead > Number.NEGATIVE_INFINITY) rises[n++] = ahead - from;
  }
  if (n < Math.ceil((MIN_MARGIN_HISTORY_MINUTES * MINUTE_MS) / stepMs)) return undefined;
  return Math.max(0, kthSmallest(rises, n, Math.min(n - 1, Math.floor(quantile * n))));
}

/**
 * The margin on a bucketed series (the forecast's 5-minute one): the rise over the lead time,
 * rounded up to whole intervals, learned from the last `historyMs` of it.
 */
export function riseMarginOf(
  series: RegularSeries,
  leadMs: number,
  options: MarginOptions = DEFAULT_MARGIN_OPTIONS,
): number | undefined {
  const keep = Math.floor(options.historyMs / series.stepMs);
  const horizon = Math.max(1, Math.ceil(leadMs / series.stepMs));
  const loads = series.values.slice(Math.max(0, series.values.length - keep));
  return loadRiseMargin(loads, horizon, options.quantile, series.stepMs);
}

/** riseMarginOf the one-minute request counts of the last `historyMs` before `end`. */
export function riseMarginFromMinutes(
  samples: readonly KpiSample[],
  end: number,
  leadMs: number,
  options: MarginOptions = DEFAULT_MARGIN_OPTIONS,
): number | undefined {
  const minutes = toRegularSeries(samples, { end, spanMs: options.historyMs, stepMs: MINUTE_MS });
  return riseMarginOf(minutes, leadMs, options);
}

/**
 * Scale-in only once the lower capacity has been wanted for `minutes` minutes in a row: the
 * highest of the latest wants. A pure step over the remembered wants, newest last.
 */
export function heldCapacity(recentWants: readonly number[], minutes: number): number {
  let held = 0;
  for (let i = Math.max(0, recentWants.length - minutes); i < recentWants.length; i++) {
    held = Math.max(held, recentWants[i] as number);
  }
  return held;
}
