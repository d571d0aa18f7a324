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
  const n = values.length;
  const weekly = n * stepMs >= WEEK_MS;
  const periodMs = weekly ? WEEK_MS : DAY_MS;
  const slots = Math.round(periodMs / stepMs);
  const firstSlot = slotOf(start, stepMs, periodMs);
  // Index-based loops over typed arrays: this runs every hour for every service, and in every
  // simulated hour of the benchmark.
  const trend = fitTrend(series, weekly);
  const trendAt = (i: number) => Math.max(trend.intercept + trend.slopePerStep * i, 0);

  const ratios = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? Number.NaN;
    const level = trendAt(i);
    ratios[i] = Number.isFinite(v) && level > 0 ? v / level : Number.NaN;
  }
  const profile = bucketMedians(ratios, firstSlot, slots, options.neighbourSlots);
  const base = (i: number) => trendAt(i) * (profile[(firstSlot + i) % slots] ?? Number.NaN);

  // Ratio of what happened to what the profile expected, smoothed over the recent window.
  const windowSteps = Math.max(1, Math.round(options.recentWindowMs / stepMs));
  const fittedFrom = Math.max(windowSteps, n - fittedSteps);
  const surprise = new Float64Array(n).fill(Number.NaN);
  for (let i = Math.max(0, fittedFrom - windowSteps); i < n; i++) {
    const v = values[i] ?? Number.NaN;
    const expected = base(i);
    if (Number.isFinite(v) && expected > 0) surprise[i] = v / expected;
  }
  const window = new Float64Array(windowSteps);
  const recentRatio = (end: number) => {
    let count = 0;
    for (let i = Math.max(0, end - windowSteps); i < end; i++) {
      const v = surprise[i] ?? Number.NaN;
      if (Number.isFinite(v)) window[count++] = v;
    }
    const r = medianOfSorted(insertionSort(window, count));
    return Number.isFinite(r) ? Math.min(Math.max(r, RECENT_RATIO_BAND[0]), RECENT_RATIO_BAND[1]) : 1;
  };
  const adjusted = (i: number, ratio: number, aheadMs: number) =>
    base(i) * (1 + (ratio - 1) * Math.exp(-aheadMs / options.recentDecayMs));

  const fitted = new Array<number>(n).fill(Number.NaN);
  for (let i = fittedFrom; i < n; i++) fitted[i] = adjusted(i, recentRatio(i), stepMs);
  const lastRatio = recentRatio(n);
  const point = Array.from({ length: horizonSteps }, (_, h) =>
    Math.max(0, adjusted(n + h, lastRatio, (h + 1) * stepMs)),
  );
  const seasons: Season[] = weekly ? ['daily', 'weekly'] : ['daily'];
  return { model: 'seasonal-profile', seasons, fitted, point };
}

/** Sorts the first `count` values in place and returns them: quicker than sort() on a dozen values. */
function insertionSort(values: Float64Array, count: number): Float64Array {
  for (let i = 1; i < count; i++) {
    const v = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) > v) {
      values[j + 1] = values[j] ?? 0;
      j--;
    }
    values[j + 1] = v;
  }
  return values.subarray(0, count);
}

const medianOfSorted = (sorted: Float64Array): number => {
  const count = sorted.length;
  if (count === 0) return Number.NaN;
  return ((sorted[Math.floor((count - 1) / 2)] ?? 0) + (sorted[Math.ceil((count - 1) / 2)] ?? 0)) / 2;
};

/** Theil–Sen line through daily means; pairs a whole number of weeks apart when the cycle is weekly. */
function fitTrend(series: RegularSeries, weekly: boolean): { intercept: number; slopePerStep: number } {
  const perDay = Math.round(DAY_MS / series.stepMs);
  const days: { x: number; y: number }[] = [];
  for (let d = 0; (d + 1) * perDay <= series.values.length; d++) {
    let sum = 0;
    let measured = 0;
    for (let i = d * perDay; i < (d + 1) * perDay; i++) {
      const v = series.values[i] ?? Number.NaN;
      if (Number.isFinite(v)) {
        sum += v;
        measured++;
      }
    }
    // A day counts only when most of it was measured: a half day has half a cycle in its mean.
    if (measured >= perDay * 0.8) days.push({ x: d, y: sum / measured });
  }
  if (days.length < 2) return { intercept: mean(series.values), slopePerStep: 0 };
  const slopePerDay = weekly && days.length > 7 ? theilSenSlope(days, 7) : theilSenSlope(days);
  // The mean of day d sits at its middle, d + 0.5 days from the start.
  const intercept = median(days.map((p) => p.y - slopePerDay * (p.x + 0.5)));
  return { intercept, slopePerStep: slopePerDay / perDay };
}

/** Median of the values in each slot of the cycle, pooling `neighbours` slots on each side. */
function bucketMedians(
  values: Float64Array,
  firstSlot: number,
  slots: number,
  neighbours: number,
): Float64Array {
  // The fallback for a never-measured slot: the mean ratio (a sort of every ratio each hour costs too much).
  let sum = 0;
  let measured = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      measured++;
    }
  }
  const overall = measured > 0 ? sum / measured : Number.NaN;
  const cycles = Math.ceil(values.length / slots) + 1;
  const pooled = new Float64Array(cycles * (2 * neighbours + 1));
  const profile = new Float64Array(slots);
  for (let s = 0; s < slots; s++) {
    let count = 0;
    for (let k = -neighbours; k <= neighbours; k++) {
      // Interval i sits in slot (firstSlot + i) mod slots.
      for (let i = (((s + k - firstSlot) % slots) + slots) % slots; i < values.length; i += slots) {
        const v = values[i] ?? Number.NaN;
        if (Number.isFinite(v)) pooled[count++] = v;
      }
    }
    // A slot never measured (a gap in the only week) borrows the overall median, not zero.
    profile[s] = count === 0 ? overall : medianOfSorted(insertionSort(pooled, count));
  }
  return profile;
}
