/**
 * Double-seasonal Holt-Winters (Taylor 2003, "Short-term electricity demand forecasting using
 * double seasonal exponential smoothing"): a level, a within-day and a within-week seasonal
 * component, plus an AR(1) adjustment of the last error. It runs on ln(load + offset), so the
 * seasonal terms act multiplicatively, as load cycles do. Missing intervals update nothing:
 * the states carry over and the next measurement corrects them.
 */
import type { ModelFit, Season } from './model.js';
import { mean } from './robust.js';
import { DAY_MS, type RegularSeries, slotOf, WEEK_MS } from './series.js';

export interface HoltWintersOptions {
  alpha: number;
  /** Smoothing of the daily seasonal component. */
  delta: number;
  /** Smoothing of the weekly seasonal component. */
  omega: number;
  /** AR(1) coefficient of the one-step error. */
  phi: number;
}

/**
 * Values in the range Taylor (2003) reports for intraday load. Not tuned further: the seasonal
 * profile was more accurate on every benchmark trace (docs/benchmark-results.md).
 */
export const DEFAULT_HOLT_WINTERS_OPTIONS: HoltWintersOptions = {
  alpha: 0.05,
  delta: 0.2,
  omega: 0.15,
  phi: 0.8,
};

export function fitHoltWinters(
  series: RegularSeries,
  horizonSteps: number,
  options: HoltWintersOptions = DEFAULT_HOLT_WINTERS_OPTIONS,
): ModelFit {
  const { start, stepMs, values } = series;
  const weekly = values.length * stepMs >= WEEK_MS;
  const offset = Math.max(1e-6, 0.01 * (mean(values as number[]) || 1));
  const z = values.map((v) => (Number.isFinite(v) ? Math.log(Math.max(v, 0) + offset) : Number.NaN));
  const at = (i: number) => start + i * stepMs;
  const daySlot = (t: number) => slotOf(t, stepMs, DAY_MS);
  const weekSlot = (t: number) => slotOf(t, stepMs, WEEK_MS);

  // Initial states from the first cycle: level = its mean, daily = mean deviation per time of day.
  const initSteps = Math.min(values.length, Math.round((weekly ? WEEK_MS : DAY_MS) / stepMs));
  let level = mean(z.slice(0, initSteps));
  const daily = initialDaily(z.slice(0, initSteps), start, stepMs, level);
  // A weekly slot missing from the first week starts unknown (NaN) and takes its first measurement
  // as is: starting it at 0 would push a wrong seasonal error into the level.
  const week = new Array<number>(Math.round(WEEK_MS / stepMs)).fill(weekly ? Number.NaN : 0);
  if (weekly) {
    for (let i = 0; i < initSteps; i++) {
      const v = z[i];
      if (v !== undefined && Number.isFinite(v))
        week[weekSlot(at(i))] = v - level - (daily[daySlot(at(i))] ?? 0);
    }
  }

  const { alpha, delta, omega, phi } = options;
  let error = 0;
  const fitted = new Array<number>(values.length).fill(Number.NaN);
  for (let i = 0; i < values.length; i++) {
    const t = at(i);
    const d = daily[daySlot(t)] ?? 0;
    const w = week[weekSlot(t)] ?? Number.NaN;
    const y = z[i];
    if (!Number.isFinite(w)) {
      if (y !== undefined && Number.isFinite(y)) week[weekSlot(t)] = y - level - d;
      continue;
    }
    const predicted = level + d + w + phi * error;
    fitted[i] = Math.max(0, Math.exp(predicted) - offset);
    if (y === undefined || !Number.isFinite(y)) {
      error *= phi;
      continue;
    }
    error = y - predicted;
    const newLevel = alpha * (y - d - w) + (1 - alpha) * level;
    daily[daySlot(t)] = delta * (y - newLevel - w) + (1 - delta) * d;
    if (weekly) week[weekSlot(t)] = omega * (y - newLevel - d) + (1 - omega) * w;
    level = newLevel;
  }

  const point = Array.from({ length: horizonSteps }, (_, h) => {
    const t = at(values.length + h);
    const w = week[weekSlot(t)] ?? Number.NaN;
    const forecast = level + (daily[daySlot(t)] ?? 0) + (Number.isFinite(w) ? w : 0) + phi ** (h + 1) * error;
    return Math.max(0, Math.exp(forecast) - offset);
  });
  const seasons: Season[] = weekly ? ['daily', 'weekly'] : ['daily'];
  return { model: 'holt-winters', seasons, fitted, point };
}

function initialDaily(z: readonly number[], start: number, stepMs: number, level: number): number[] {
  const slots = Math.round(DAY_MS / stepMs);
  const sums = new Array<number>(slots).fill(0);
  const counts = new Array<number>(slots).fill(0);
  z.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const s = slotOf(start + i * stepMs, stepMs, DAY_MS);
    sums[s] = (sums[s] ?? 0) + v - level;
    counts[s] = (counts[s] ?? 0) + 1;
  });
  return sums.map((sum, s) => ((counts[s] ?? 0) > 0 ? sum / (counts[s] ?? 1) : 0));
}
