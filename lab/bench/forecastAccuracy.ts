/**
 * How the forecasting models were chosen: rolling-origin accuracy on the benchmark traces.
 * Every 6 hours from day 2 on, each model is fitted on the 14 days before the origin and scored
 * on the next hour (what the headroom floor uses) and the next 24 hours. MASE is scaled by the
 * in-sample seasonal-naive (one day) error. Run: npx tsx lab/bench/forecastAccuracy.ts
 */
import { join, resolve } from 'node:path';
import { seasonalNaiveScale } from '@headroom/core/forecast/forecastLoad.js';
import { fitHoltWinters } from '@headroom/core/forecast/holtWinters.js';
import { fitSeasonalProfile } from '@headroom/core/forecast/seasonalProfile.js';
import { DAY_MS, type RegularSeries } from '@headroom/core/forecast/series.js';
import { readTraceFile } from '../workloads/traceReader.js';
import { BENCH_TRACES } from './benchSetup.js';

const STEP_MS = 5 * 60_000;
const DAY = DAY_MS / STEP_MS;
const ORIGIN_EVERY = DAY / 4;

type Fit = (series: RegularSeries, horizon: number) => number[];

export const FORECAST_MODELS: Record<string, Fit> = {
  'seasonal-profile': (s, h) => fitSeasonalProfile(s, h).point,
  'holt-winters': (s, h) => fitHoltWinters(s, h).point,
  'seasonal-naive': (s, h) =>
    Array.from({ length: h }, (_, k) => s.values[s.values.length - DAY + (k % DAY)] ?? NaN),
};

export interface AccuracyRow {
  trace: string;
  model: string;
  mase1h: number;
  mape1h: number;
  mae24h: number;
  origins: number;
}

/** The trace as 5-minute values (coarser traces repeat each value; finer ones are averaged). */
function fiveMinuteSeries(file: string, column: string | undefined): RegularSeries {
  const trace = readTraceFile(file, column ? { column } : {});
  const values: number[] = [];
  const per = trace.intervalMs / STEP_MS;
  if (per >= 1) for (const v of trace.values) for (let k = 0; k < per; k++) values.push(v);
  else {
    const group = Math.round(1 / per);
    for (let i = 0; i + group <= trace.values.length; i += group) {
      values.push(trace.values.slice(i, i + group).reduce((a, b) => a + b, 0) / group);
    }
  }
  return { start: Math.floor(trace.start / STEP_MS) * STEP_MS, stepMs: STEP_MS, values };
}

export function rollingOriginAccuracy(
  name: string,
  series: RegularSeries,
  models = FORECAST_MODELS,
): AccuracyRow[] {
  const n = series.values.length;
  return Object.entries(models).map(([model, fit]) => {
    let mase = 0;
    let origins = 0;
    let pct = 0;
    let pctCount = 0;
    let abs24 = 0;
    let count24 = 0;
    for (let origin = 2 * DAY; origin + 12 <= n; origin += ORIGIN_EVERY) {
      const from = Math.max(0, origin - 14 * DAY);
      const history = {
        start: series.start + from * STEP_MS,
        stepMs: STEP_MS,
        values: series.values.slice(from, origin),
      };
      const forecast = fit(history, DAY);
      const scale = seasonalNaiveScale(history);
      let abs1 = 0;
      let count1 = 0;
      for (let h = 0; h < DAY && origin + h < n; h++) {
        const actual = series.values[origin + h] ?? NaN;
        const error = Math.abs(actual - (forecast[h] ?? NaN));
        if (!Number.isFinite(error)) continue;
        if (h < 12) {
          abs1 += error;
          count1++;
          if (actual > 0) {
            pct += error / actual;
            pctCount++;
          }
        }
        abs24 += error;
        count24++;
      }
      if (count1 > 0 && scale > 0) {
        mase += abs1 / count1 / scale;
        origins++;
      }
    }
    return {
      trace: name,
      model,
      mase1h: mase / origins,
      mape1h: (100 * pct) / pctCount,
      mae24h: abs24 / count24,
      origins,
    };
  });
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('forecastAccuracy.ts')) {
  const dir = resolve(process.cwd(), process.argv[2] ?? '../shared/data/traces');
  process.stdout.write(
    '| trace | model | MASE (1 h) | MAPE (1 h) % | MAE (24 h) | origins |\n|---|---|--:|--:|--:|--:|\n',
  );
  for (const trace of BENCH_TRACES) {
    for (const row of rollingOriginAccuracy(
      trace.name,
      fiveMinuteSeries(join(dir, trace.file), trace.column),
    )) {
      process.stdout.write(
        `| ${row.trace} | ${row.model} | ${row.mase1h.toFixed(3)} | ${row.mape1h.toFixed(1)} | ${row.mae24h.toPrecision(4)} | ${row.origins} |\n`,
      );
    }
  }
}
