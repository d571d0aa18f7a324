/**
 * The 48-hour load forecast: a point forecast from the chosen model and a prediction interval
 * from the quantiles of its recent in-sample errors (as ratios, since load errors scale with load).
 */
import { fitHoltWinters } from './holtWinters.js';
import type { ForecastModelName, ModelFit, Season } from './model.js';
import { mean, quantileOfSorted } from './robust.js';
import { DAY_MS, HOUR_MS, historyHours, type RegularSeries, SeriesError, seriesEnd } from './series.js';
import { fitSeasonalProfile } from './seasonalProfile.js';

export interface LoadForecast {
  /** Epoch ms when it was made. */
  madeAt: number;
  model: ForecastModelName;
  seasons: Season[];
  /** Epoch ms of the start of the first forecast interval. */
  start: number;
  stepMs: number;
  /** Central probability of the interval [lower, upper], e.g. 0.9. */
  coverage: number;
  point: number[];
  lower: number[];
  upper: number[];
  /** How lower and upper were drawn around the point (boundsOf); absent on a forecast made otherwise. */
  band?: ErrorBand;
  /** In-sample mean absolute error of the seasonal-naive forecast (lag one day): the MASE denominator. */
  naiveScale: number;
  historyHours: number;
}

export interface ForecastOptions {
  model: ForecastModelName;
  horizonMs: number;
  coverage: number;
  /** Errors of the last this-long of history set the interval. */
  intervalWindowMs: number;
}

/**
 * seasonal-profile won the rolling-origin comparison; a 95 % interval (upper bound = 97.5th
 * percentile) balanced SLO minutes against instance-hours best on the benchmark traces
 * (docs/benchmark-results.md).
 */
export const DEFAULT_FORECAST_OPTIONS: ForecastOptions = {
  model: 'seasonal-profile',
  horizonMs: 48 * HOUR_MS,
  coverage: 0.95,
  intervalWindowMs: 3 * DAY_MS,
};

export const MIN_HISTORY_HOURS = 24;

const FITTERS: Record<
  ForecastModelName,
  (series: RegularSeries, horizonSteps: number, fittedSteps: number) => ModelFit
> = {
  'seasonal-profile': (s, h, f) => fitSeasonalProfile(s, h, undefined, f),
  'holt-winters': (s, h) => fitHoltWinters(s, h),
};

export function forecastLoad(
  series: RegularSeries,
  madeAt: number,
  options: Partial<ForecastOptions> = {},
): LoadForecast {
  const opts = { ...DEFAULT_FORECAST_OPTIONS, ...options };
  const hours = historyHours(series);
  if (hours < MIN_HISTORY_HOURS) {
    throw new SeriesError(
      `forecastLoad: ${hours.toFixed(1)} h of history, at least ${MIN_HISTORY_HOURS} h needed`,
    );
  }
  const horizonSteps = Math.ceil(opts.horizonMs / series.stepMs);
  // Only the interval window's in-sample errors are used: fitting the rest would be wasted work.
  const fit = FITTERS[opts.model](series, horizonSteps, Math.ceil(opts.intervalWindowMs / series.stepMs));
  const band = errorBand(series, fit.fitted, opts);
  return {
    madeAt,
    model: fit.model,
    seasons: fit.seasons,
    start: seriesEnd(series),
    stepMs: series.stepMs,
    coverage: opts.coverage,
    point: fit.point,
    ...boundsOf(fit.point, band),
    band,
    naiveScale: seasonalNaiveScale(series),
    historyHours: hours,
  };
}

/**
 * The interval as a band around the point forecast: each bound is (point + offset) · e^(low or
 * high) − offset, the lower one at least 0. Three numbers stand for two 576-point series, which is
 * how the stored forecast keeps them (aws/forecastItem.ts).
 */
export interface ErrorBand {
  low: number;
  high: number;
  offset: number;
}

export function boundsOf(point: readonly number[], band: ErrorBand): { lower: number[]; upper: number[] } {
  const { low, high, offset } = band;
  return {
    lower: point.map((p) => Math.max(0, (p + offset) * Math.exp(low) - offset)),
    upper: point.map((p) => (p + offset) * Math.exp(high) - offset),
  };
}

/** Quantiles of ln((actual + c) / (fitted + c)) over the recent window; c keeps zero load finite. */
function errorBand(series: RegularSeries, fitted: readonly number[], opts: ForecastOptions): ErrorBand {
  const offset = Math.max(1e-6, 0.01 * (mean(series.values) || 1));
  const from = Math.max(0, series.values.length - Math.round(opts.intervalWindowMs / series.stepMs));
  const errors: number[] = [];
  for (let i = from; i < series.values.length; i++) {
    const actual = series.values[i];
    const predicted = fitted[i];
    if (
      actual === undefined ||
      predicted === undefined ||
      !Number.isFinite(actual) ||
      !Number.isFinite(predicted)
    ) {
      continue;
    }
    errors.push(Math.log((actual + offset) / (predicted + offset)));
  }
  const tail = (1 - opts.coverage) / 2;
  const sorted = Float64Array.from(errors).sort();
  const low = errors.length > 0 ? Math.min(0, quantileOfSorted(sorted, tail)) : Math.log(0.5);
  const high = errors.length > 0 ? Math.max(0, quantileOfSorted(sorted, 1 - tail)) : Math.log(2);
  return { low, high, offset };
}

/** Mean |y(t) − y(t − 1 day)| over the history: what a seasonal-naive forecast gets wrong. */
export function seasonalNaiveScale(series: RegularSeries, periodMs: number = DAY_MS): number {
  const lag = Math.round(periodMs / series.stepMs);
  const diffs: number[] = [];
  for (let i = lag; i < series.values.length; i++) {
    const now = series.values[i];
    const before = series.values[i - lag];
    if (now !== undefined && before !== undefined && Number.isFinite(now) && Number.isFinite(before)) {
      diffs.push(Math.abs(now - before));
    }
  }
  return mean(diffs);
}

export type Bound = 'point' | 'lower' | 'upper';

/** The forecast for the interval holding `at`, or undefined outside the forecast. */
export function forecastAt(forecast: LoadForecast, at: number, bound: Bound = 'point'): number | undefined {
  const index = Math.floor((at - forecast.start) / forecast.stepMs);
  return index >= 0 ? forecast[bound][index] : undefined;
}

/** Highest forecast over [from, to]; undefined when the window is not covered at all. */
export function peakBetween(
  forecast: LoadForecast,
  from: number,
  to: number,
  bound: Bound = 'upper',
): number | undefined {
  const first = Math.max(0, Math.floor((from - forecast.start) / forecast.stepMs));
  const last = Math.min(forecast.point.length - 1, Math.floor((to - forecast.start) / forecast.stepMs));
  if (last < first) return undefined;
  let peak = -Infinity;
  for (let i = first; i <= last; i++) peak = Math.max(peak, forecast[bound][i] ?? -Infinity);
  return Number.isFinite(peak) ? peak : undefined;
}
