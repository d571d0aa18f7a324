import { describe, expect, it } from '@jest/globals';
import type { KpiSample } from '@headroom/core';
import {
  type AccuracyEvaluation,
  DEFAULT_FALLBACK_RULES,
  evaluateForecast,
  type FallbackReason,
  type ForecastAccuracy,
  forecastVerdict,
  recordEvaluation,
} from '@headroom/core/forecast/accuracy';
import type { LoadForecast } from '@headroom/core/forecast/forecastLoad';
import { refitForecast, type ServiceForecast } from '@headroom/core/forecast/serviceForecast';
import { toRegularSeries } from '@headroom/core/forecast/series';
import { DAY, seeded, START, STEP, trueLoad } from './synthetic.js';

const aForecast = (point: number[], upper: number[], naiveScale: number): LoadForecast => ({
  madeAt: START,
  model: 'seasonal-profile',
  seasons: ['daily'],
  start: START,
  stepMs: STEP,
  coverage: 0.9,
  point,
  lower: point.map(() => 0),
  upper,
  naiveScale,
  historyHours: 48,
});

const anEvaluation = (mase: number, mae = mase * 10): AccuracyEvaluation => ({
  madeAt: START,
  mape: mase * 20,
  mase,
  mae,
  upperCoverage: 90,
  points: 12,
});

describe('evaluateForecast, by hand', () => {
  it('scores MAPE, MAE, MASE and upper coverage over the used stretch, skipping gaps and zero-load MAPE', () => {
    const forecast = aForecast([100, 100, 100, 100, 100], [110, 110, 110, 110, 110], 20);
    // actuals: 90 (|10|, 11.1 %), NaN (gap), 120 (|20|, 16.7 %, above upper), 0 (|100|, no MAPE), 100 (past `until`)
    const actual = { start: START, stepMs: STEP, values: [90, Number.NaN, 120, 0, 100] };
    const score = evaluateForecast(forecast, actual, START + 4 * STEP);
    expect(score?.points).toBe(3);
    expect(score?.mae).toBeCloseTo(130 / 3, 10);
    expect(score?.mase).toBeCloseTo(130 / 3 / 20, 10);
    expect(score?.mape).toBeCloseTo((100 * (10 / 90 + 20 / 120)) / 2, 10);
    expect(score?.upperCoverage).toBeCloseTo(200 / 3, 10);
  });

  it('gives nothing to score when no actual falls in the stretch', () => {
    const forecast = aForecast([1], [2], 1);
    expect(
      evaluateForecast(forecast, { start: START - DAY, stepMs: STEP, values: [5] }, START + STEP),
    ).toBeUndefined();
  });

  it('keeps a bounded number of evaluations, newest last', () => {
    let accuracy = { evaluations: [] as AccuracyEvaluation[] };
    for (let i = 0; i < 400; i++) accuracy = recordEvaluation(accuracy, { ...anEvaluation(0.5), madeAt: i });
    expect(accuracy.evaluations).toHaveLength(DEFAULT_FALLBACK_RULES.keepEvaluations);
    expect(accuracy.evaluations.at(-1)?.madeAt).toBe(399);
  });
});

describe('forecastVerdict: when to fall back to reactive scaling', () => {
  const many = (mase: number, n = 24) => ({
    evaluations: Array.from({ length: n }, () => anEvaluation(mase)),
  });

  type Row = [string, number, ForecastAccuracy, 'forecast' | 'reactive', FallbackReason | undefined];
  it.each<Row>([
    ['history shorter than 24 h', 23.9, many(0.3), 'reactive', 'history-short'],
    ['good accuracy', 200, many(0.4), 'forecast', undefined],
    ['not yet scored', 30, many(0.4, 2), 'forecast', undefined],
    [
      'worse than seasonal naive (MASE > 1) and off by more than 10 %',
      200,
      many(1.3),
      'reactive',
      'forecast-poor',
    ],
    [
      'MASE > 1 but within 10 % (a clean seasonal series)',
      200,
      { evaluations: many(0.4).evaluations.map((e) => ({ ...e, mase: 1.2, mape: 3 })) },
      'forecast',
      undefined,
    ],
    [
      'recent errors far above the usual',
      200,
      {
        evaluations: [
          ...many(0.4).evaluations,
          anEvaluation(0.9, 40),
          anEvaluation(0.9, 40),
          anEvaluation(0.9, 40),
        ],
      },
      'reactive',
      'pattern-changed',
    ],
  ])('%s', (_, hours, accuracy, use, fallback) => {
    const verdict = forecastVerdict(hours, accuracy);
    expect(verdict.use).toBe(use);
    if (verdict.use === 'reactive') expect(verdict.fallback).toBe(fallback);
    expect(verdict.reason.length).toBeGreaterThan(10);
  });

  it('is more confident the better the forecast', () => {
    const good = forecastVerdict(200, many(0.2));
    const fair = forecastVerdict(200, many(0.8));
    expect(good.use === 'forecast' && fair.use === 'forecast' && good.confidence > fair.confidence).toBe(
      true,
    );
  });
});

describe('refitForecast over minute samples, as the forecast function runs it', () => {
  const samples = (from: number, to: number, scale: (t: number) => number): KpiSample[] => {
    // Noise, so that the seasonal-naive error (the MASE denominator) is not zero.
    const random = seeded(11);
    const out: KpiSample[] = [];
    for (let t = from + 60_000; t <= to; t += 60_000) {
      out.push({ at: t, requestsPerMinute: trueLoad(t) * scale(t) * (0.9 + 0.2 * random()) });
    }
    return out;
  };

  it('falls back while history is short, then forecasts and scores itself every hour', () => {
    const first = refitForecast(
      'web',
      samples(START, START + 12 * 3_600_000, () => 1),
      START + 12 * 3_600_000,
      undefined,
    );
    expect(first.verdict.use).toBe('reactive');
    expect(first.forecast).toBeUndefined();

    let state: ServiceForecast | undefined;
    const history = samples(START, START + 4 * DAY, () => 1);
    for (let hour = 72; hour <= 96; hour++) {
      const now = START + hour * 3_600_000;
      state = refitForecast(
        'web',
        history.filter((s) => s.at <= now),
        now,
        state,
      );
    }
    expect(state?.verdict.use).toBe('forecast');
    expect(state?.accuracy.evaluations.length).toBe(24);
    const evaluations = state?.accuracy.evaluations ?? [];
    expect(evaluations.reduce((sum, e) => sum + e.mase, 0) / evaluations.length).toBeLessThan(1.2);
    expect(evaluations.every((e) => e.mape < 5)).toBe(true);
  });

  it('notices a pattern change within a few hours and falls back', () => {
    const changeAt = START + 5 * DAY;
    // Load suddenly drops to a fifth and stops following the daily cycle.
    const history = samples(START, START + 6 * DAY, (t) =>
      t < changeAt ? 1 : 0.2 + 0.1 * Math.sin(t / 3e6),
    );
    let state: ServiceForecast | undefined;
    const verdicts: string[] = [];
    for (let hour = 96; hour <= 126; hour++) {
      const now = START + hour * 3_600_000;
      state = refitForecast(
        'web',
        history.filter((s) => s.at <= now),
        now,
        state,
      );
      verdicts.push(state.verdict.use === 'reactive' ? state.verdict.fallback : 'forecast');
    }
    expect(verdicts.slice(0, 24).every((v) => v === 'forecast')).toBe(true);
    expect(verdicts.slice(24, 30)).toContain('pattern-changed');
  });

  it('averages minute samples into 5-minute intervals and leaves gaps as NaN, never zero', () => {
    const minute = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v, i) => ({
      at: START + (i + 1) * 60_000,
      requestsPerMinute: v,
    }));
    const withGap = minute.filter((s) => s.requestsPerMinute < 6 || s.requestsPerMinute > 10);
    const series = toRegularSeries([...withGap, { at: START + 15 * 60_000, requestsPerMinute: 30 }], {
      end: START + 15 * 60_000,
      spanMs: DAY,
    });
    expect(series.start).toBe(START);
    expect(series.values[0]).toBe(3);
    expect(series.values[1]).toBeNaN();
    expect(series.values[2]).toBe(30);
  });
});
