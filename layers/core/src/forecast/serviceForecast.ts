/**
 * One refit of a service's forecast, as the hourly forecast function and the headroom policy
 * both run it: score the previous forecast, update the accuracy, decide whether to trust
 * forecasting at all, and forecast the next 48 h when there is enough history.
 */
import type { LearnedCurve } from '../capacity/learning.js';
import type { KpiSample } from '../model/kpi.js';
import {
  DEFAULT_FALLBACK_RULES,
  EMPTY_ACCURACY,
  evaluateForecast,
  type FallbackRules,
  type ForecastAccuracy,
  forecastVerdict,
  type ForecastVerdict,
  recordEvaluation,
} from './accuracy.js';
import {
  DEFAULT_FORECAST_OPTIONS,
  type ForecastOptions,
  forecastLoad,
  type LoadForecast,
} from './forecastLoad.js';
import { DAY_MS, DEFAULT_STEP_MS, historyHours, type RegularSeries, toRegularSeries } from './series.js';

/** What is kept per service between refits (the forecast function stores it in the state table). */
export interface ServiceForecast {
  serviceId: string;
  /** Epoch ms of this refit. */
  at: number;
  /** Absent when history is too short to forecast. */
  forecast?: LoadForecast;
  accuracy: ForecastAccuracy;
  verdict: ForecastVerdict;
  /** Requests per second one instance serves at full CPU, read from the KPIs when the forecast was made. */
  ratePerInstance?: number;
  /**
   * Requests per minute the load can rise within the service's lead time (riseMarginOf on this
   * refit's series); with the rate and the latest load it gives the need now (headroomFloor).
   */
  riseMargin?: number;
  /** The latency-against-load curve learned so far (capacity/learning.ts), carried from run to run. */
  learned?: LearnedCurve;
}

export interface RefitOptions {
  forecast: ForecastOptions;
  rules: FallbackRules;
  /** How far back history is read (AWS predictive scaling looks back 14 days; so do we). */
  lookBackMs: number;
  stepMs: number;
}

export const DEFAULT_REFIT_OPTIONS: RefitOptions = {
  forecast: DEFAULT_FORECAST_OPTIONS,
  rules: DEFAULT_FALLBACK_RULES,
  lookBackMs: 14 * DAY_MS,
  stepMs: DEFAULT_STEP_MS,
};

export function refitForecast(
  serviceId: string,
  history: readonly KpiSample[],
  now: number,
  previous: ServiceForecast | undefined,
  options: RefitOptions = DEFAULT_REFIT_OPTIONS,
): ServiceForecast {
  const series = toRegularSeries(history, { end: now, spanMs: options.lookBackMs, stepMs: options.stepMs });
  return refitForecastOnSeries(serviceId, series, now, previous, options);
}

/** As refitForecast, on history already bucketed (the last lookBackMs of it are used). */
export function refitForecastOnSeries(
  serviceId: string,
  series: RegularSeries,
  now: number,
  previous: ServiceForecast | undefined,
  options: RefitOptions = DEFAULT_REFIT_OPTIONS,
): ServiceForecast {
  const scored = previous?.forecast ? evaluateForecast(previous.forecast, series, now) : undefined;
  const accuracy = recordEvaluation(previous?.accuracy ?? EMPTY_ACCURACY, scored, options.rules);
  const hours = historyHours(series);
  const verdict = forecastVerdict(hours, accuracy, options.rules);
  const forecast =
    hours >= options.rules.minHistoryHours ? forecastLoad(series, now, options.forecast) : undefined;
  return { serviceId, at: now, accuracy, verdict, ...(forecast ? { forecast } : {}) };
}
