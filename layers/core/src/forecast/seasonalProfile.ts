/**
 * Robust decomposition: load = trend(t) × profile(slot of the cycle) × recent adjustment.
 * The profile is the median of detrended load per (weekday, time-of-day) bucket when a full
 * week is known, else per time-of-day; the trend is a Theil–Sen line through daily means.
 * Medians make one holiday or one burst move the forecast very little.
 */
import type { ModelFit, Season } from './model.js';
import { mean, median, theilSenSlope } from './robust.js';
import { DAY_MS, HOUR_MS, type RegularSeries, slotOf, WEEK_MS } from './series.js';

export interface ProfileOptions {
  /** Neighbouring slots on each side pooled into a bucket's median (smooths a 2-week profile). */
  neighbourSlots: number;
  /** The recent level is the median ratio of load to the profile over this window. */
  recentWindowMs: number;
  /** The recent level fades back to the trend with this time constant. */
  recentDecayMs: number;
}

export const DEFAULT_PROFILE_OPTIONS: ProfileOptions = {
  neighbourSlots: 2,
  recentWindowMs: HOUR_MS,
  recentDecayMs: 6 * HOUR_MS,
};

/** Recent/profile ratios outside this band are clamped: a burst is for the reactive part. */
const RECENT_RATIO_BAND = [0.33, 3] as const;

/** fittedSteps: how many of the newest intervals get an in-sample forecast (the rest stay NaN). */
export function fitSeasonalProfile(
  series: RegularSeries,
  horizonSteps: number,
  options: ProfileOptions = DEFAULT_PROFILE_OPTIONS,
  fittedSteps: number = series.values.length,
): ModelFit {
  const { start, stepMs, values } = series;
  const spanMs = values.length * stepMs;
  const weekly = spanMs >= WEEK_MS;
  const periodMs = weekly ? WEEK_MS : DAY_MS;
  const trend = fitTrend(series, weekly);
  const at = (i: number) => start + i * stepMs;

  const ratios = values.map((v, i) => {
    const level = trend(at(i));
    return Number.isFinite(v) && level > 0 ? v / level : Number.NaN;
  });
  const profile = bucketMedians(ratios, start, stepMs, periodMs, options.neighbourSlots);
  const seasonal = (t: number) => profile[slotOf(t, stepMs, periodMs)] ?? Number.NaN;
  const base = (t: number) => Math.max(trend(t), 0) * seasonal(t);

  // Ratio of what happened to what the profile expected, smoothed over the recent window.
  const windowSteps = Math.max(1, Math.round(options.recentWindowMs / stepMs));
  const fittedFrom = Math.max(windowSteps, values.length - fittedSteps);
  const surprise = values.map((v, i) => {
    if (i < fittedFrom - windowSteps) return Number.NaN;
    const expected = base(at(i));
    return Number.isFinite(v) && expected > 0 ? v / expected : Number.NaN;
  });
  const recentRatio = (end: number) => {
    const r = median(surprise.slice(Math.max(0, end - windowSteps), end));
    return Number.isFinite(r) ? Math.min(Math.max(r, RECENT_RATIO_BAND[0]), RECENT_RATIO_BAND[1]) : 1;
  };
  const adjusted = (t: number, ratio: number, aheadMs: number) =>
    base(t) * (1 + (ratio - 1) * Math.exp(-aheadMs / options.recentDecayMs));

  const fitted = values.map((_, i) =>
    i < windowSteps ? Number.NaN : adjusted(at(i), recentRatio(i), stepMs),
  );
  const lastRatio = recentRatio(values.length);
  const point = Array.from({ length: horizonSteps }, (_, h) =>
    Math.max(0, adjusted(at(values.length + h), lastRatio, (h + 1) * stepMs)),
  );
  const seasons: Season[] = weekly ? ['daily', 'weekly'] : ['daily'];
  return { model: 'seasonal-profile', seasons, fitted, point };
}

/** Theil–Sen line through daily means; pairs a whole number of weeks apart when the cycle is weekly. */
function fitTrend(series: RegularSeries, weekly: boolean): (t: number) => number {
  const perDay = Math.round(DAY_MS / series.stepMs);
  const days: { x: number; y: number }[] = [];
  for (let d = 0; d * perDay < series.values.length; d++) {
    const chunk = series.values.slice(d * perDay, (d + 1) * perDay);
    // A day counts only when most of it was measured: a half day has half a cycle in its mean.
    if (chunk.length < perDay || chunk.filter(Number.isFinite).length < perDay * 0.8) continue;
    days.push({ x: d, y: mean(chunk) });
  }
  const all = mean(series.values as number[]);
  if (days.length < 2) return () => all;
  const slopePerDay = weekly && days.length > 7 ? theilSenSlope(days, 7) : theilSenSlope(days);
  const intercept = median(days.map((p) => p.y - slopePerDay * p.x));
  // Days are indexed from the series start; the mean of day d sits at its middle.
  return (t: number) => intercept + slopePerDay * ((t - series.start) / DAY_MS - 0.5);
}

/** Median of the values in each slot of the cycle, pooling `neighbours` slots on each side. */
function bucketMedians(
  values: readonly number[],
  start: number,
  stepMs: number,
  periodMs: number,
  neighbours: number,
): number[] {
  const slots = Math.round(periodMs / stepMs);
  const buckets: number[][] = Array.from({ length: slots }, () => []);
  values.forEach((v, i) => {
    if (Number.isFinite(v)) buckets[slotOf(start + i * stepMs, stepMs, periodMs)]?.push(v);
  });
  const overall = median(values);
  return buckets.map((_, s) => {
    const pooled: number[] = [];
    for (let k = -neighbours; k <= neighbours; k++) pooled.push(...(buckets[(s + k + slots) % slots] ?? []));
    // A slot never measured (a gap in the only week) borrows the overall median, not zero.
    return pooled.length > 0 ? median(pooled) : overall;
  });
}
