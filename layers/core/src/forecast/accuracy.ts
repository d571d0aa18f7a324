/**
 * Forecast accuracy tracked online: each forecast is scored against what then happened over
 * the stretch it was used for (until the next refit), and the scores decide whether the
 * forecast may set a floor at all.
 */
import type { LoadForecast } from './forecastLoad.js';
import { mean, median } from './robust.js';
import { MIN_HISTORY_HOURS } from './forecastLoad.js';
import type { RegularSeries } from './series.js';

export interface AccuracyEvaluation {
  /** Epoch ms the scored forecast was made. */
  madeAt: number;
  /** Mean absolute percentage error, %, over intervals with non-zero load. */
  mape: number;
  /** Mean absolute error divided by the seasonal-naive in-sample error (< 1 beats seasonal naive). */
  mase: number;
  mae: number;
  /** Share of actuals at or under the upper bound, %. */
  upperCoverage: number;
  points: number;
}

/** Per-service accuracy, newest evaluation last; bounded so the state item stays small. */
export interface ForecastAccuracy {
  evaluations: AccuracyEvaluation[];
}

export const EMPTY_ACCURACY: ForecastAccuracy = { evaluations: [] };

export interface FallbackRules {
  minHistoryHours: number;
  /** MASE over the judged evaluations above which the forecast is called poor... */
  maxMase: number;
  /**
   * ...when its MAPE is also above this, %. On a clean seasonal series the seasonal-naive
   * forecast is nearly as good as any, so MASE hovers near 1 while the forecast is within a few %.
   */
  poorMapePct: number;
  /** Evaluations needed before poor accuracy can be judged. */
  minEvaluations: number;
  /** How many of the newest evaluations are judged. */
  judgedEvaluations: number;
  /** The pattern changed when the latest few errors exceed this many times the usual error. */
  changeRatio: number;
  changeEvaluations: number;
  keepEvaluations: number;
}

export const DEFAULT_FALLBACK_RULES: FallbackRules = {
  minHistoryHours: MIN_HISTORY_HOURS,
  maxMase: 1,
  poorMapePct: 10,
  minEvaluations: 6,
  judgedEvaluations: 24,
  changeRatio: 3,
  changeEvaluations: 3,
  keepEvaluations: 14 * 24,
};

/** Scores `forecast` against the actual series over [forecast.start, until). */
export function evaluateForecast(
  forecast: LoadForecast,
  actual: RegularSeries,
  until: number,
): AccuracyEvaluation | undefined {
  const absErrors: number[] = [];
  const pctErrors: number[] = [];
  let covered = 0;
  for (let i = 0; i < actual.values.length; i++) {
    const at = actual.start + i * actual.stepMs;
    if (at < forecast.start || at >= until) continue;
    const index = Math.floor((at - forecast.start) / forecast.stepMs);
    const predicted = forecast.point[index];
    const upper = forecast.upper[index];
    const value = actual.values[i];
    if (predicted === undefined || upper === undefined || value === undefined || !Number.isFinite(value))
      continue;
    absErrors.push(Math.abs(value - predicted));
    if (value > 0) pctErrors.push((100 * Math.abs(value - predicted)) / value);
    if (value <= upper) covered++;
  }
  if (absErrors.length === 0) return undefined;
  const mae = mean(absErrors);
  return {
    madeAt: forecast.madeAt,
    mape: pctErrors.length > 0 ? mean(pctErrors) : 0,
    // A flat history has no naive error; any error is then infinitely worse than naive unless zero.
    mase: forecast.naiveScale > 0 ? mae / forecast.naiveScale : mae === 0 ? 0 : Number.POSITIVE_INFINITY,
    mae,
    upperCoverage: (100 * covered) / absErrors.length,
    points: absErrors.length,
  };
}

export function recordEvaluation(
  accuracy: ForecastAccuracy,
  evaluation: AccuracyEvaluation | undefined,
  rules: FallbackRules = DEFAULT_FALLBACK_RULES,
): ForecastAccuracy {
  if (!evaluation) return accuracy;
  return { evaluations: [...accuracy.evaluations, evaluation].slice(-rules.keepEvaluations) };
}

export type FallbackReason = 'history-short' | 'forecast-poor' | 'pattern-changed';

export type ForecastVerdict =
  | { use: 'forecast'; confidence: number; mase?: number; mape?: number; reason: string }
  | { use: 'reactive'; fallback: FallbackReason; mase?: number; mape?: number; reason: string };

/**
 * Whether the forecast may set a floor, and how sure we are of it. A pattern change is named
 * before poor accuracy: it is the more specific reason, and the one a person acts on.
 */
export function forecastVerdict(
  historyHours: number,
  accuracy: ForecastAccuracy,
  rules: FallbackRules = DEFAULT_FALLBACK_RULES,
): ForecastVerdict {
  if (historyHours < rules.minHistoryHours) {
    return {
      use: 'reactive',
      fallback: 'history-short',
      reason: `only ${historyHours.toFixed(1)} h of history; forecasting needs ${rules.minHistoryHours} h`,
    };
  }
  const judged = accuracy.evaluations.slice(-rules.judgedEvaluations);
  if (judged.length < rules.minEvaluations) {
    return {
      use: 'forecast',
      confidence: 0.5,
      reason: `forecast not yet scored (${judged.length} evaluations)`,
    };
  }
  const mase = mean(judged.map((e) => e.mase));
  const mape = mean(judged.map((e) => e.mape));
  const latest = accuracy.evaluations.slice(-rules.changeEvaluations);
  const usual = median(accuracy.evaluations.slice(0, -rules.changeEvaluations).map((e) => e.mae));
  const latestMae = mean(latest.map((e) => e.mae));
  if (Number.isFinite(usual) && usual > 0 && latestMae > rules.changeRatio * usual) {
    return {
      use: 'reactive',
      fallback: 'pattern-changed',
      mase,
      mape,
      reason: `last ${latest.length} forecasts missed by ${(latestMae / usual).toFixed(1)}× the usual error: pattern changed`,
    };
  }
  if (!(mase <= rules.maxMase) && !(mape <= rules.poorMapePct)) {
    return {
      use: 'reactive',
      fallback: 'forecast-poor',
      mase,
      mape,
      reason: `forecast MASE ${mase.toFixed(2)} > ${rules.maxMase} and MAPE ${mape.toFixed(0)} % > ${rules.poorMapePct} %: no better than last day's load`,
    };
  }
  const confidence = Math.min(0.95, Math.max(0.1, 1 - mase / 2));
  return {
    use: 'forecast',
    confidence,
    mase,
    mape,
    reason: `forecast MASE ${mase.toFixed(2)}, MAPE ${mape.toFixed(1)} %`,
  };
}
