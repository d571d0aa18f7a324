/**
 * How a ServiceForecast is kept in one DynamoDB item. As plain attributes it is ~75 KB (three
 * 48-hour series at 5-minute steps and two weeks of hourly scores, every number at full double
 * precision), and DynamoDB bills reads per 4 KB and writes per 1 KB. So the body is gzipped JSON
 * with non-integers cut: the 48-hour series to 4 significant digits (0.05 %, far finer than any
 * forecast's error: its MAPE is whole percent), the hourly scores to 3 (a MASE of 1.00 moves by at
 * most 0.005, and the verdict averages 24 of them), everything else to 6 (the learned curve moves by
 * a 240th of a reading at a time, which 4 digits would round away). The bounds are stored as the
 * band that draws them from the point (three numbers for two 576-point series); the scores by
 * column, each run's time as its step from the one before (an hour, mostly), which gzip packs far
 * tighter than 336 objects repeating their keys, and so the learned curve's bins: ~6 KB on noisy load
 * (tests/lab/bill/forecastItemSize.test.ts measures it; a smooth load compresses further). Items written as version 1 (scores as objects)
 * are still read, so an upgrade does not fail the hour before the next forecast run.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { AccuracyEvaluation } from '../forecast/accuracy.js';
import { boundsOf, type LoadForecast } from '../forecast/forecastLoad.js';
import { binEdge, binIndexOf, EMPTY_CURVE, type LearnedCurve } from '../capacity/learning.js';
import type { ServiceForecast } from '../forecast/serviceForecast.js';

/** DynamoDB's item size limit, bytes (names and values of every attribute, key included). */
export const DYNAMO_ITEM_LIMIT_BYTES = 400 * 1024;
export const FORECAST_ENCODING = 'json-gzip/2';
/** Scores as one object each: written before version 2, still read. */
export const FORECAST_ENCODING_V1 = 'json-gzip/1';
export const SIGNIFICANT_DIGITS = 6;
export const SERIES_SIGNIFICANT_DIGITS = 4;
export const SCORE_SIGNIFICANT_DIGITS = 3;

/** JSON has no Infinity or NaN, and a MASE over a flat history is Infinity. */
const NON_FINITE_KEY = '$number';

export function encodeForecast(forecast: ServiceForecast): Uint8Array {
  const series = forecast.forecast && storedSeries(forecast.forecast);
  const scores = forecast.accuracy.evaluations;
  const score = (pick: (e: AccuracyEvaluation) => number) =>
    scores.map((e) => cut(pick(e), SCORE_SIGNIFICANT_DIGITS));
  const stored = {
    ...forecast,
    ...(series ? { forecast: series } : {}),
    ...(forecast.learned ? { learned: storedCurve(forecast.learned) } : {}),
    accuracy: {
      columns: {
        madeAtSteps: scores.map((e, i) => e.madeAt - (i === 0 ? 0 : (scores[i - 1]?.madeAt ?? 0))),
        mape: score((e) => e.mape),
        mase: score((e) => e.mase),
        mae: score((e) => e.mae),
        upperCoverage: score((e) => e.upperCoverage),
        points: scores.map((e) => e.points),
      },
    },
  };
  const json = JSON.stringify(stored, (_key, value: unknown) => {
    if (typeof value !== 'number' || Number.isInteger(value)) return value;
    if (!Number.isFinite(value)) return { [NON_FINITE_KEY]: String(value) };
    return Number(value.toPrecision(SIGNIFICANT_DIGITS));
  });
  return gzipSync(json, { level: 9 });
}

/**
 * The point at SERIES_SIGNIFICANT_DIGITS, and the bounds as the band that draws them from it (three
 * numbers for two series: decoding draws them again from the stored point) or, for a forecast
 * whose bounds are not the band's, as series of their own.
 */
function storedSeries(forecast: LoadForecast) {
  const { lower, upper, ...rest } = forecast;
  const point = forecast.point.map((v) => cut(v, SERIES_SIGNIFICANT_DIGITS));
  if (forecast.band !== undefined && drawnBy(forecast.band, forecast)) return { ...rest, point };
  return {
    ...rest,
    point,
    lower: lower.map((v) => cut(v, SERIES_SIGNIFICANT_DIGITS)),
    upper: upper.map((v) => cut(v, SERIES_SIGNIFICANT_DIGITS)),
  };
}

/** Whether the bounds are the ones the band draws around the point (a forecast edited after it was made is not). */
function drawnBy(band: NonNullable<LoadForecast['band']>, forecast: LoadForecast): boolean {
  const drawn = boundsOf(forecast.point, band);
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length &&
    a.every((v, i) => Math.abs(v - (b[i] ?? NaN)) <= 1e-9 * Math.max(1, Math.abs(v)));
  return same(drawn.lower, forecast.lower) && same(drawn.upper, forecast.upper);
}

/**
 * The learned curve by column: each bin as its index on the 10 % load scale (its lower edge is
 * binEdge of that index, the very number learnFrom gave it) and its fleet-size band as a
 * whole number (0: any size), then minutes and mean log p99. A curve learned per fleet-size band
 * has a few hundred bins, which as objects repeating their keys would double the item.
 */
function storedCurve(curve: LearnedCurve) {
  return {
    learnedUntil: curve.learnedUntil,
    columns: {
      bin: curve.bins.map(binIndexOf),
      fleet: curve.bins.map((b) => b.fleet ?? 0),
      minutes: curve.bins.map((b) => b.minutes),
      meanLogP99: curve.bins.map((b) => b.meanLogP99),
    },
  };
}

/** A series value or score to `digits` significant digits (integers and non-finite ones as they are). */
function cut(value: number, digits: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  return Number(value.toPrecision(digits));
}

/**
 * The stored body back as a ServiceForecast; `key` names the item in the error when it is not one.
 * `encoding`: the item's, FORECAST_ENCODING or FORECAST_ENCODING_V1.
 */
export function decodeForecast(
  key: string,
  body: Uint8Array,
  encoding: string = FORECAST_ENCODING,
): ServiceForecast {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(body).toString('utf8'), (_key, value: unknown) =>
      isNonFinite(value) ? Number(value[NON_FINITE_KEY]) : value,
    );
  } catch (error) {
    throw new Error(`state item ${key}: body is not gzipped JSON (${(error as Error).message})`);
  }
  const result = (encoding === FORECAST_ENCODING_V1 ? serviceForecastSchema : storedSchema).safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`state item ${key}: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Scores stored by column (version 2) back as one evaluation each; columns of unequal length are refused. */
function scoresFromColumns(
  columns: z.infer<typeof columnsSchema>,
  ctx: z.RefinementCtx,
): AccuracyEvaluation[] {
  const n = columns.madeAtSteps.length;
  const names = ['mape', 'mase', 'mae', 'upperCoverage', 'points'] as const;
  const uneven = names.find((name) => columns[name].length !== n);
  if (uneven !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['accuracy', 'columns', uneven],
      message: `has ${columns[uneven].length} scores, madeAtSteps ${n}`,
    });
    return [];
  }
  let madeAt = 0;
  return columns.madeAtSteps.map((step, i) => {
    madeAt += step;
    return {
      madeAt,
      mape: columns.mape[i]!,
      mase: columns.mase[i]!,
      mae: columns.mae[i]!,
      upperCoverage: columns.upperCoverage[i]!,
      points: columns.points[i]!,
    };
  });
}

function isNonFinite(value: unknown): value is Record<typeof NON_FINITE_KEY, string> {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === NON_FINITE_KEY;
}

/** z.number() refuses Infinity and NaN; a score may be either, and is stored as such. */
const num = z.custom<number>((value) => typeof value === 'number', 'expected a number');
const series = z.array(num);
const loadForecastSchema = z.object({
  madeAt: num,
  model: z.enum(['seasonal-profile', 'holt-winters']),
  seasons: z.array(z.enum(['daily', 'weekly'])),
  start: num,
  stepMs: z.number().positive(),
  coverage: num,
  point: series,
  lower: series,
  upper: series,
  band: z.object({ low: num, high: num, offset: num }).optional(),
  naiveScale: num,
  historyHours: num,
});
/** Version 2: the bounds as series, or as the band that draws them from the point. */
const storedLoadForecastSchema = loadForecastSchema
  .extend({ lower: series.optional(), upper: series.optional() })
  .transform((stored, ctx) => {
    const { lower, upper, ...rest } = stored;
    if (lower !== undefined && upper !== undefined) return { ...rest, lower, upper };
    if (rest.band === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['lower'],
        message: 'neither bounds nor the band that draws them',
      });
      return z.NEVER;
    }
    return { ...rest, ...boundsOf(rest.point, rest.band) };
  });
const evaluationSchema = z.object({
  madeAt: num,
  mape: num,
  mase: num,
  mae: num,
  upperCoverage: num,
  points: num,
});
const scores = { mase: num.optional(), mape: num.optional(), reason: z.string() };
const verdictSchema = z.discriminatedUnion('use', [
  z.object({ use: z.literal('forecast'), confidence: num, ...scores }),
  z.object({
    use: z.literal('reactive'),
    fallback: z.enum(['history-short', 'forecast-poor', 'pattern-changed']),
    ...scores,
  }),
]);
const serviceForecastSchema = z.object({
  serviceId: z.string().min(1),
  at: num,
  forecast: loadForecastSchema.optional(),
  accuracy: z.object({ evaluations: z.array(evaluationSchema) }),
  verdict: verdictSchema,
  ratePerInstance: num.optional(),
  riseMargin: num.optional(),
  learned: z
    .object({
      bins: z.array(z.object({ x: num, fleet: num.optional(), minutes: num, meanLogP99: num })),
      learnedUntil: num,
    })
    .optional(),
});
const curveColumnsSchema = z.object({
  learnedUntil: num,
  columns: z.object({ bin: series, fleet: series, minutes: series, meanLogP99: series }),
});
/** The stored curve's columns back as bins; columns of unequal length are refused. */
function curveFromColumns(stored: z.infer<typeof curveColumnsSchema>, ctx: z.RefinementCtx): LearnedCurve {
  const { bin, fleet, minutes, meanLogP99 } = stored.columns;
  const uneven = (['fleet', 'minutes', 'meanLogP99'] as const).find(
    (n) => stored.columns[n].length !== bin.length,
  );
  if (uneven !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['learned', 'columns', uneven],
      message: `has ${stored.columns[uneven].length} bins, bin ${bin.length}`,
    });
    return EMPTY_CURVE;
  }
  const bins = bin.map((k, i) => ({
    x: binEdge(k),
    ...(fleet[i] ? { fleet: fleet[i] } : {}),
    minutes: minutes[i]!,
    meanLogP99: meanLogP99[i]!,
  }));
  return { bins, learnedUntil: stored.learnedUntil };
}
const columnsSchema = z.object({
  madeAtSteps: series,
  mape: series,
  mase: series,
  mae: series,
  upperCoverage: series,
  points: series,
});
/** Version 2: as serviceForecastSchema, the scores by column. */
const storedSchema = serviceForecastSchema
  .extend({
    forecast: storedLoadForecastSchema.optional(),
    accuracy: z.object({ columns: columnsSchema }),
    learned: curveColumnsSchema.optional(),
  })
  .transform((stored, ctx) => {
    const { learned, ...rest } = stored;
    return {
      ...rest,
      ...(learned ? { learned: curveFromColumns(learned, ctx) } : {}),
      accuracy: { evaluations: scoresFromColumns(stored.accuracy.columns, ctx) },
    };
  });
