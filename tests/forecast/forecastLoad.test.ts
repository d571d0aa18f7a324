import { describe, expect, it } from '@jest/globals';
import {
  forecastAt,
  forecastLoad,
  peakBetween,
  seasonalNaiveScale,
} from '@headroom/core/forecast/forecastLoad';
import type { ForecastModelName } from '@headroom/core/forecast/model';
import { SeriesError } from '@headroom/core/forecast/series';
import { DAY, seeded, START, STEP, syntheticSeries, trueLoad } from './synthetic.js';

const MODELS: ForecastModelName[] = ['seasonal-profile', 'holt-winters'];

/** MAPE of the point forecast against the noiseless truth over the first `hours`. */
function mapeAgainstTruth(forecast: ReturnType<typeof forecastLoad>, hours: number): number {
  const steps = (hours * 3_600_000) / STEP;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const t = forecast.start + i * STEP;
    sum += Math.abs((forecast.point[i] ?? 0) - trueLoad(t)) / trueLoad(t);
  }
  return (100 * sum) / steps;
}

describe('forecastLoad on a known daily + weekly series', () => {
  it.each(MODELS)('%s forecasts 48 h within 6 %% MAPE after two weeks of history', (model) => {
    const series = syntheticSeries(14);
    const forecast = forecastLoad(series, START + 14 * DAY, { model });
    expect(forecast.point).toHaveLength(576);
    expect(forecast.seasons).toEqual(['daily', 'weekly']);
    expect(mapeAgainstTruth(forecast, 48)).toBeLessThan(6);
  });

  it('the seasonal profile catches the weekend drop the daily cycle alone cannot', () => {
    // Ends on Friday 24:00: the next 48 h are a weekend at 60 %.
    const series = syntheticSeries(12, { start: START });
    const forecast = forecastLoad(series, START + 12 * DAY, { model: 'seasonal-profile' });
    const saturdayNoon = START + 12 * DAY + 12 * 3_600_000;
    expect(forecastAt(forecast, saturdayNoon)).toBeCloseTo(trueLoad(saturdayNoon), -2);
  });

  it('the 90 % interval holds about 90 % of fresh noisy load', () => {
    const history = syntheticSeries(14, { noise: 0.2, seed: 7 });
    const forecast = forecastLoad(history, START + 14 * DAY, { coverage: 0.9 });
    const random = seeded(99);
    let inside = 0;
    const steps = 288;
    for (let i = 0; i < steps; i++) {
      const actual = trueLoad(forecast.start + i * STEP) * (1 + 0.2 * (random() * 2 - 1));
      if (actual >= (forecast.lower[i] ?? Infinity) && actual <= (forecast.upper[i] ?? -Infinity)) inside++;
    }
    expect(inside / steps).toBeGreaterThan(0.8);
    expect(inside / steps).toBeLessThan(0.99);
    expect(forecast.upper.every((u, i) => u >= (forecast.point[i] ?? Infinity))).toBe(true);
  });

  it.each(MODELS)('%s tolerates 10 %% scattered gaps and a 6-hour outage', (model) => {
    const series = syntheticSeries(14, { seed: 3 });
    const random = seeded(5);
    const values = series.values.map((v, i) => (random() < 0.1 || (i > 2000 && i < 2072) ? Number.NaN : v));
    const forecast = forecastLoad({ ...series, values }, START + 14 * DAY, { model });
    expect(forecast.point.every(Number.isFinite)).toBe(true);
    expect(forecast.upper.every(Number.isFinite)).toBe(true);
    expect(mapeAgainstTruth(forecast, 24)).toBeLessThan(8);
  });

  it('uses only the daily cycle with less than a week of history', () => {
    const forecast = forecastLoad(syntheticSeries(3), START + 3 * DAY);
    expect(forecast.seasons).toEqual(['daily']);
    expect(mapeAgainstTruth(forecast, 24)).toBeLessThan(8);
  });

  it('refuses less than 24 h of history, saying how much there is', () => {
    const series = syntheticSeries(0.5);
    expect(() => forecastLoad(series, START + DAY / 2)).toThrow(SeriesError);
    expect(() => forecastLoad(series, START + DAY / 2)).toThrow(/12\.0 h of history, at least 24 h/);
  });
});

describe('forecast accessors and the seasonal-naive scale', () => {
  const forecast = forecastLoad(syntheticSeries(2), START + 2 * DAY);

  it('peakBetween is the highest upper bound in the window and forecastAt reads one interval', () => {
    const from = forecast.start;
    const to = forecast.start + 3 * STEP;
    expect(peakBetween(forecast, from, to)).toBe(Math.max(...forecast.upper.slice(0, 4)));
    expect(forecastAt(forecast, from + STEP + 1, 'lower')).toBe(forecast.lower[1]);
    expect(forecastAt(forecast, from - 1)).toBeUndefined();
    expect(peakBetween(forecast, from + 100 * DAY, from + 101 * DAY)).toBeUndefined();
  });

  it('seasonalNaiveScale is the mean absolute change from the same time a day before', () => {
    const values = [
      ...new Array<number>(288).fill(10),
      ...new Array<number>(144).fill(14),
      ...new Array<number>(144).fill(4),
    ];
    expect(seasonalNaiveScale({ start: START, stepMs: STEP, values })).toBeCloseTo(5, 10);
  });
});
