/**
 * The floor Headroom puts under a service, written once: the benchmarked policy (headroomPolicy)
 * and the evaluate function (forecastFloorFromStore → decideScaling's forecast hook) both call
 * headroomFloor. It is the larger of
 *   - the need now: capacity for the load just measured plus the rise it can take within the
 *     lead time (riseMargin, learned from the forecast's own 5-minute series);
 *   - the forecast floor, only while the forecast is trusted and its recent MAPE is low enough:
 *     capacity for the forecast's upper bound over the lead time, corrected by the live ratio.
 */
import type { LeadTime } from '../capacity/launchTiming.js';
import type { ForecastFloor } from '../evaluate/decideScaling.js';
import { forecastAt, type LoadForecast, peakBetween } from '../forecast/forecastLoad.js';
import type { ServiceForecast } from '../forecast/serviceForecast.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import { DECISION_KPIS } from '../evaluate/metricReads.js';
import { adaptivePlan } from '../evaluate/readPlan.js';
import { capacityForLoad } from './headroomPolicyCapacity.js';
import { leadTimeMs } from './headroomPolicyMargin.js';

/**
 * Seconds between two decisions for one service: the evaluate function runs every minute, but reads
 * (and so decides for) a service at most once per hot read of the adaptive read plan, 5 minutes.
 * The floor must carry the load until the next decision's instances serve. Counted as one minute,
 * the lead time was 6 minutes instead of 10, and on NYC taxi at peak 20 the first 60 days missed
 * 5,119 SLO minutes instead of 4,124, at 0.3 % more instance-hours.
 */
export const DEFAULT_EVALUATION_PERIOD_SECONDS = adaptivePlan(DECISION_KPIS.length).hotEveryMinutes * 60;
/** A forecast whose recent MAPE is above this, %, sets no floor even when its verdict trusts it. */
export const DEFAULT_FORECAST_MAX_MAPE_PCT = 20;
/** Minutes of measured load compared with the forecast for the live correction. */
export const LIVE_WINDOW_MINUTES = 15;

/** Live correction bounds: beyond these the level shift is for the reactive part to handle. */
const LIVE_RATIO_BAND = [0.5, 2] as const;

/**
 * Nowcast: the median ratio of measured load to the point forecast over the latest samples.
 * The forecast is refitted hourly; this carries the level seen since into the floor at once.
 */
export function liveRatioOf(forecast: LoadForecast, samples: readonly KpiSample[]): number {
  const ratios: number[] = [];
  for (const s of samples) {
    const predicted = forecastAt(forecast, s.at - 1, 'point');
    if (predicted !== undefined && predicted > 0 && s.requestsPerMinute !== undefined) {
      ratios.push(s.requestsPerMinute / predicted);
    }
  }
  if (ratios.length === 0) return 1;
  ratios.sort((x, y) => x - y);
  const mid = (ratios.length - 1) / 2;
  const ratio = ((ratios[Math.floor(mid)] ?? 1) + (ratios[Math.ceil(mid)] ?? 1)) / 2;
  return Math.min(Math.max(ratio, LIVE_RATIO_BAND[0]), LIVE_RATIO_BAND[1]);
}

/**
 * The forecast's part alone (no MAPE gate): capacity for the forecast's upper bound, corrected
 * by the live ratio, over [now, now + boot + warm-up + one evaluation period]; boot + warm-up is
 * `lead` (learned or configured, capacity/launchTiming.ts leadTimeOf), the configured one without it.
 */
export function forecastFloorFor(
  refit: ServiceForecast | undefined,
  service: ManagedService,
  now: number,
  ratePerInstance: number | undefined,
  recent: readonly KpiSample[] = [],
  evaluationPeriodSeconds = DEFAULT_EVALUATION_PERIOD_SECONDS,
  lead?: LeadTime,
): ForecastFloor | undefined {
  if (!refit?.forecast || refit.verdict.use !== 'forecast' || ratePerInstance === undefined) return undefined;
  const leadMs = leadTimeMs(service, evaluationPeriodSeconds, lead?.seconds);
  const peak = peakBetween(refit.forecast, now, now + leadMs, 'upper');
  if (peak === undefined) return undefined;
  const live = liveRatioOf(refit.forecast, recent);
  const capacity = capacityForLoad(peak * live, ratePerInstance, service.slo.p99LatencyMs);
  return {
    capacity,
    confidence: refit.verdict.confidence,
    explanation:
      `up to ${Math.round(peak * live)} requests/min expected within the next ${Math.round(leadMs / 60_000)} min ` +
      (lead ? `(${lead.explanation}) ` : '') +
      `(${Math.round(100 * refit.forecast.coverage)} % upper bound × ${live.toFixed(2)} measured/forecast) ` +
      `need ${capacity} instance(s); ${refit.verdict.reason}.`,
  };
}

/** A rate whose service time alone breaks the SLO is a misreading (e.g. CPU not from this load). */
export function usableRate(ratePerInstance: number | undefined, service: ManagedService): number | undefined {
  return ratePerInstance !== undefined && 1000 / ratePerInstance < service.slo.p99LatencyMs
    ? ratePerInstance
    : undefined;
}

export interface HeadroomFloorInput {
  service: ManagedService;
  now: number;
  /** The latest measured load, requests per minute. */
  latestLoad?: number;
  /** Requests per second one instance serves at full CPU. */
  ratePerInstance?: number;
  /** The rise the load can take within the lead time, requests per minute (riseMarginOf). */
  riseMargin?: number;
  forecast?: ServiceForecast;
  /** The latest samples, oldest first, for the forecast's live correction. */
  recent: readonly KpiSample[];
  forecastMaxMapePct: number;
  evaluationPeriodSeconds: number;
  /** Boot + warm-up to plan the forecast's window with (the configured one when absent). */
  lead?: LeadTime;
}

/**
 * The larger of the need now and the trusted forecast floor; undefined when neither can be told
 * (no usable rate, or neither a margin with a measured load nor a trusted forecast).
 */
export function headroomFloor(input: HeadroomFloorInput): ForecastFloor | undefined {
  const { service, latestLoad, riseMargin, forecast } = input;
  const rate = usableRate(input.ratePerInstance, service);
  if (rate === undefined) return undefined;
  const trusted = (forecast?.verdict.mape ?? 0) <= input.forecastMaxMapePct;
  const fromForecast = trusted
    ? forecastFloorFor(
        forecast,
        service,
        input.now,
        rate,
        input.recent,
        input.evaluationPeriodSeconds,
        input.lead,
      )
    : undefined;
  const needNow =
    latestLoad !== undefined && riseMargin !== undefined
      ? capacityForLoad(latestLoad + riseMargin, rate, service.slo.p99LatencyMs)
      : undefined;
  if (needNow === undefined) return fromForecast;
  const now =
    `need now ${needNow} instance(s): ${Math.round(latestLoad ?? 0)} requests/min measured + ` +
    `${Math.round(riseMargin ?? 0)} it can rise within the lead time` +
    (input.lead ? ` (${input.lead.explanation})` : '') +
    `, at ${rate.toFixed(1)} requests/s per instance`;
  if (fromForecast !== undefined && fromForecast.capacity > needNow) {
    return { ...fromForecast, explanation: `forecast wins: ${fromForecast.explanation} (${now}).` };
  }
  const beaten = fromForecast
    ? ` (forecast floor ${fromForecast.capacity})`
    : forecast?.verdict.use === 'forecast' && !trusted
      ? ` (forecast not used: MAPE ${forecast.verdict.mape?.toFixed(1)} % > ${input.forecastMaxMapePct} %)`
      : '';
  // Measured load, not a prediction: it lowers no confidence.
  return { capacity: needNow, confidence: 1, explanation: `${now}${beaten}.` };
}
