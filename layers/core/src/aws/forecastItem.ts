/**
 * How a ServiceForecast is kept in one DynamoDB item. As plain attributes it is ~75 KB (three
 * 48-hour series at 5-minute steps and two weeks of hourly scores, every number at full double
 * precision), and DynamoDB bills reads per 4 KB and writes per 1 KB. So the body is gzipped JSON
 * with non-integers cut: the 48-hour series and the hourly scores to 4 significant digits (0.05 %,
 * far finer than any forecast's error: its MAPE is whole percent), everything else to 6 (the learned
 * curve moves by a 240th of a reading at a time, which 4 digits would round away): ~11 KB on
 * noisy load (tests/lab/bill/forecastItemSize.test.ts measures it; a smooth load compresses further).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { ServiceForecast } from '../forecast/serviceForecast.js';

/** DynamoDB's item size limit, bytes (names and values of every attribute, key included). */
export const DYNAMO_ITEM_LIMIT_BYTES = 400 * 1024;
export const FORECAST_ENCODING = 'json-gzip/1';
export const SIGNIFICANT_DIGITS = 6;
export const SERIES_SIGNIFICANT_DIGITS = 4;

/** JSON has no Infinity or NaN, and a MASE over a flat history is Infinity. */
const NON_FINITE_KEY = '$number';

export function encodeForecast(forecast: ServiceForecast): Uint8Array {
  const series = forecast.forecast && {
    ...forecast.forecast,
    point: forecast.forecast.point.map(cut),
    lower: forecast.forecast.lower.map(cut),
    upper: forecast.forecast.upper.map(cut),
  };
  const scored = {
    ...forecast,
    ...(series ? { forecast: series } : {}),
    accuracy: {
      evaluations: forecast.accuracy.evaluations.map((e) => ({
        ...e,
        mape: cut(e.mape),
        mase: cut(e.mase),
        mae: cut(e.mae),
        upperCoverage: cut(e.upperCoverage),
      })),
    },
  };
  const json = JSON.stringify(scored, (_key, value: unknown) => {
    if (typeof value !== 'number' || Number.isInteger(value)) return value;
    if (!Number.isFinite(value)) return { [NON_FINITE_KEY]: String(value) };
    return Number(value.toPrecision(SIGNIFICANT_DIGITS));
  });
  return gzipSync(json);
}

/** A series value or score to SERIES_SIGNIFICANT_DIGITS (integers and non-finite ones as they are). */
function cut(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  return Number(value.toPrecision(SERIES_SIGNIFICANT_DIGITS));
}

/** The stored body back as a ServiceForecast; `key` names the item in the error when it is not one. */
export function decodeForecast(key: string, body: Uint8Array): ServiceForecast {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(body).toString('utf8'), (_key, value: unknown) =>
      isNonFinite(value) ? Number(value[NON_FINITE_KEY]) : value,
    );
  } catch (error) {
    throw new Error(`state item ${key}: body is not gzipped JSON (${(error as Error).message})`);
  }
  const result = serviceForecastSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`state item ${key}: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
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
  naiveScale: num,
  historyHours: num,
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
      bins: z.array(z.object({ x: num, minutes: num, meanLogP99: num })),
      learnedUntil: num,
    })
    .optional(),
});
