/**
 * Regularly spaced load samples, the input of every forecasting model. A missing interval is
 * NaN: a gap is a gap, never zero load.
 */
import type { KpiName, KpiSample } from '../model/kpi.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;
/** Models run on 5-minute buckets: fine enough for a boot-ahead floor, coarse enough to be quiet. */
export const DEFAULT_STEP_MS = 5 * MINUTE_MS;

export interface RegularSeries {
  /** Epoch ms of the start of the first interval; a multiple of stepMs. */
  start: number;
  stepMs: number;
  /** One value per interval, NaN where nothing was measured. */
  values: readonly number[];
}

export class SeriesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesError';
  }
}

/** Epoch ms of the start of the interval after the last one. */
export const seriesEnd = (series: RegularSeries): number =>
  series.start + series.values.length * series.stepMs;

export const measuredCount = (values: readonly number[]): number =>
  values.reduce((n, v) => (Number.isFinite(v) ? n + 1 : n), 0);

/**
 * Averages KPI samples into intervals of stepMs ending at `end` (exclusive), at most `spanMs`
 * long. A sample stamped at the end of its minute belongs to the interval that minute falls in.
 */
/** `samples` must be oldest first (as KPI series are). */
export function toRegularSeries(
  samples: readonly KpiSample[],
  options: { stepMs?: number; end: number; spanMs: number; kpi?: KpiName },
): RegularSeries {
  const stepMs = options.stepMs ?? DEFAULT_STEP_MS;
  const kpi = options.kpi ?? 'requestsPerMinute';
  if (!(stepMs > 0) || !(options.spanMs >= stepMs)) {
    throw new SeriesError(
      `toRegularSeries: stepMs ${stepMs} and spanMs ${options.spanMs} must be positive, span ≥ step`,
    );
  }
  const end = Math.floor(options.end / stepMs) * stepMs;
  const count = Math.floor(options.spanMs / stepMs);
  const start = end - count * stepMs;
  // Typed arrays and index loops: the forecast function converts 14 days of minutes every hour,
  // and so does every simulated hour of the benchmark.
  const sums = new Float64Array(count);
  const counts = new Uint32Array(count);
  // Samples are oldest first: skip what is older than the window without reading it.
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid]?.at ?? Infinity) <= start) lo = mid + 1;
    else hi = mid;
  }
  let first = count;
  // A named load for the usual KPI: a load keyed by a variable name is a slow, generic lookup.
  const requests = kpi === 'requestsPerMinute';
  for (let k = lo; k < samples.length; k++) {
    const sample = samples[k] as KpiSample;
    const value = requests ? sample.requestsPerMinute : sample[kpi];
    if (value === undefined || !Number.isFinite(value)) continue;
    // `at` is the end of the measured minute: attribute it to the interval holding at - 1.
    const index = Math.floor((sample.at - 1 - start) / stepMs);
    if (index < 0 || index >= count) continue;
    sums[index] = (sums[index] as number) + value;
    counts[index] = (counts[index] as number) + 1;
    if (index < first) first = index;
  }
  // History starts at the first measurement: leading NaNs are "before we knew the service".
  const values = new Array<number>(count - first);
  for (let i = first; i < count; i++) {
    const n = counts[i] as number;
    values[i - first] = n > 0 ? (sums[i] as number) / n : Number.NaN;
  }
  return { start: start + first * stepMs, stepMs, values };
}

/** Hours of history between the first and the last measured interval. */
export function historyHours(series: RegularSeries): number {
  let last = -1;
  for (let i = series.values.length - 1; i >= 0; i--) {
    if (Number.isFinite(series.values[i])) {
      last = i;
      break;
    }
  }
  return last < 0 ? 0 : ((last + 1) * series.stepMs) / HOUR_MS;
}

/** Index of `at` within a cycle of `periodMs`, in steps (epoch-aligned, so UTC weekdays). */
export const slotOf = (at: number, stepMs: number, periodMs: number): number =>
  Math.floor((((at % periodMs) + periodMs) % periodMs) / stepMs);

/**
 * The same series as toRegularSeries, kept up to date one sample at a time: a policy that sees
 * every minute need not re-read two weeks of samples every hour.
 */
export class RollingSeries {
  private base = 0;
  private sums: number[] = [];
  private counts: number[] = [];

  constructor(
    readonly stepMs: number,
    readonly spanMs: number,
    readonly kpi: KpiName = 'requestsPerMinute',
  ) {}

  add(sample: KpiSample): void {
    const value = sample[this.kpi];
    if (value === undefined || !Number.isFinite(value)) return;
    const interval = Math.floor((sample.at - 1) / this.stepMs);
    if (this.sums.length === 0) this.base = interval;
    const index = interval - this.base;
    if (index < 0) return;
    while (this.sums.length <= index) {
      this.sums.push(0);
      this.counts.push(0);
    }
    this.sums[index] = (this.sums[index] ?? 0) + value;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    // Drop what fell out of the span, in batches so that the arrays are not shifted every minute.
    const keep = Math.ceil(this.spanMs / this.stepMs);
    if (this.sums.length > 2 * keep) {
      const drop = this.sums.length - keep - 1;
      this.sums.splice(0, drop);
      this.counts.splice(0, drop);
      this.base += drop;
    }
  }

  /** As toRegularSeries(samples seen, { end, spanMs, stepMs }). */
  series(end: number): RegularSeries {
    const endInterval = Math.floor(end / this.stepMs);
    const count = Math.floor(this.spanMs / this.stepMs);
    const values: number[] = [];
    let first = -1;
    for (let interval = endInterval - count; interval < endInterval; interval++) {
      const i = interval - this.base;
      const n = i >= 0 ? (this.counts[i] ?? 0) : 0;
      if (n === 0 && first < 0) continue;
      if (first < 0) first = interval;
      values.push(n > 0 ? (this.sums[i] ?? 0) / n : Number.NaN);
    }
    return { start: (first < 0 ? endInterval : first) * this.stepMs, stepMs: this.stepMs, values };
  }
}
