/**
 * Headroom's policy: capacity for the load just measured plus the rise it can take before new
 * instances serve, on top of a predictive floor and KPI-driven reactive scaling. Each minute,
 * capacity is the larger of
 *   - the need now: capacity (M/M/c at the SLO, per-instance rate read from CPU and request
 *     count) for the measured load plus the rise it can take over boot + warm-up + one
 *     evaluation period: the 90th percentile of that rise in requests per minute, learned
 *     hourly from the last 3 days of the service's own load (loadRiseMargin);
 *   - the floor, only while the forecast is trusted (its verdict says so and its recent MAPE is
 *     at most 20 %): capacity for the forecast's upper bound over that same lead window;
 *   - the reactive decision whenever p99 or errors break the SLO.
 * Scale-in waits until the lower capacity has been wanted 3 minutes in a row (less flapping, and
 * an instance given back takes 5 minutes to return). The forecast is refitted hourly exactly as
 * the forecast function does (refitForecast). Until the rate and the margin can be read (the
 * first hour), the reactive decision (decideScaling with its target tracking and stabilisation)
 * stands alone.
 */
import type { ForecastFloor } from '../evaluate/decideScaling.js';
import { forecastAt, type LoadForecast, peakBetween } from '../forecast/forecastLoad.js';
import {
  DEFAULT_REFIT_OPTIONS,
  refitForecastOnSeries,
  type RefitOptions,
  type ServiceForecast,
} from '../forecast/serviceForecast.js';
import { HOUR_MS, RollingSeries } from '../forecast/series.js';
import type { KpiSample } from '../model/kpi.js';
import type { PolicyObservation, ScalingPolicy } from '../model/replay.js';
import type { ManagedService } from '../model/service.js';
import { capacityForLoad, type RateReading, serviceRateOf } from './headroomPolicyCapacity.js';
import { heldCapacity, loadRiseMargin } from './headroomPolicyMargin.js';
import { reactiveHeadroomPolicy } from './reactivePolicy.js';

export interface HeadroomPolicyOptions {
  refitEveryMs: number;
  refit: RefitOptions;
  /** Added to boot + warm-up: the decision itself waits up to one evaluation period. */
  evaluationPeriodSeconds: number;
  /** Per-instance service rate, requests per second, when known from a load test; else read from CPU. */
  ratePerInstance?: number;
  /** The reactive decision; by default decideScaling behind the guardrails, as the Lambda runs it. */
  reactive?: ScalingPolicy;
  /** Quantile of the load's rise over the lead time that the capacity covers (loadRiseMargin). */
  marginQuantile: number;
  /** Minutes of history the rise is learned from. */
  marginHistoryMinutes: number;
  /** The forecast's floor is used only while its recent MAPE is at or under this, %. */
  forecastMaxMapePct: number;
  /** A lower capacity is taken only once wanted this many minutes in a row. */
  scaleInHoldMinutes: number;
  name: string;
}

export const DEFAULT_HEADROOM_OPTIONS: HeadroomPolicyOptions = {
  refitEveryMs: HOUR_MS,
  refit: DEFAULT_REFIT_OPTIONS,
  evaluationPeriodSeconds: 60,
  marginQuantile: 0.9,
  marginHistoryMinutes: 3 * 24 * 60,
  forecastMaxMapePct: 20,
  scaleInHoldMinutes: 3,
  name: 'headroom',
};

export interface HeadroomPolicy extends ScalingPolicy {
  /** The latest refit, for reports and tests. */
  forecast(): ServiceForecast | undefined;
}

const RATE_READINGS = 60;

/** Live correction bounds: beyond these the level shift is for the reactive part to handle. */
const LIVE_RATIO_BAND = [0.5, 2] as const;
/** Minutes of measured load compared with the forecast for the live correction. */
export const LIVE_WINDOW_MINUTES = 15;

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
 * The floor for the lead window, for decideScaling's hook (the evaluate function calls this
 * too): capacity for the forecast's upper bound, corrected by the live ratio, over
 * [now, now + boot + warm-up + one evaluation period].
 */
export function forecastFloorFor(
  refit: ServiceForecast | undefined,
  service: ManagedService,
  now: number,
  ratePerInstance: number | undefined,
  recent: readonly KpiSample[] = [],
  evaluationPeriodSeconds = DEFAULT_HEADROOM_OPTIONS.evaluationPeriodSeconds,
): ForecastFloor | undefined {
  if (!refit?.forecast || refit.verdict.use !== 'forecast' || ratePerInstance === undefined) return undefined;
  const leadMs = (service.timing.bootSeconds + service.timing.warmupSeconds + evaluationPeriodSeconds) * 1000;
  const peak = peakBetween(refit.forecast, now, now + leadMs, 'upper');
  if (peak === undefined) return undefined;
  const live = liveRatioOf(refit.forecast, recent);
  const capacity = capacityForLoad(peak * live, ratePerInstance, service.slo.p99LatencyMs);
  return {
    capacity,
    confidence: refit.verdict.confidence,
    explanation:
      `up to ${Math.round(peak * live)} requests/min expected within the next ${Math.round(leadMs / 60_000)} min ` +
      `(${Math.round(100 * refit.forecast.coverage)} % upper bound × ${live.toFixed(2)} measured/forecast) ` +
      `need ${capacity} instance(s); ${refit.verdict.reason}.`,
  };
}

export function headroomPolicy(
  service: ManagedService,
  options: Partial<HeadroomPolicyOptions> = {},
): HeadroomPolicy {
  const opts = { ...DEFAULT_HEADROOM_OPTIONS, ...options };
  let refit: ServiceForecast | undefined;
  let nextRefitAt = Number.NEGATIVE_INFINITY;
  let floor: ForecastFloor | undefined;
  const readings: RateReading[] = [];
  const recorder = new RollingSeries(opts.refit.stepMs, opts.refit.lookBackMs);
  let seen = false;
  let servedBy: number | undefined;
  const horizon = Math.ceil(
    (service.timing.bootSeconds + service.timing.warmupSeconds + opts.evaluationPeriodSeconds) / 60,
  );
  let margin: number | undefined;
  let nextMarginAt = Number.NEGATIVE_INFINITY;
  const wants: number[] = [];
  // The rate is re-read at each refit (and until a first reading can tell): it drifts slowly.
  let rate: number | undefined = opts.ratePerInstance;
  const reactive =
    opts.reactive ??
    reactiveHeadroomPolicy(service, { name: `${opts.name}/reactive`, forecastFloor: () => floor });

  return {
    name: opts.name,
    forecast: () => refit,
    decide(observation: PolicyObservation): number {
      const { at, fleet, latest } = observation;
      // The minute's CPU was measured on the fleet that served it; when instances joined or left
      // since, the count seen now is not that fleet, so the minute says nothing about the rate.
      if (fleet.inService === servedBy) {
        readings.push({
          requestsPerMinute: latest.requestsPerMinute,
          cpuPct: latest.cpuPct,
          inService: fleet.inService,
        });
        if (readings.length > RATE_READINGS) readings.shift();
      }
      servedBy = fleet.inService;
      if (at >= nextRefitAt || rate === undefined)
        rate = opts.ratePerInstance ?? serviceRateOf(readings) ?? rate;
      if (!seen) {
        // Seed with whatever history came before this policy started watching.
        for (const sample of observation.history) if (sample.at < latest.at) recorder.add(sample);
        seen = true;
      }
      recorder.add(latest);
      if (at >= nextRefitAt) {
        refit = refitForecastOnSeries(service.id, recorder.series(at), at, refit, opts.refit);
        nextRefitAt = (Math.floor(at / opts.refitEveryMs) + 1) * opts.refitEveryMs;
      }
      if (at >= nextMarginAt) {
        const loads = observation.history
          .slice(-opts.marginHistoryMinutes)
          .map((x) => x.requestsPerMinute ?? 0);
        margin = loadRiseMargin(loads, horizon, opts.marginQuantile);
        nextMarginAt =
          margin === undefined ? at : (Math.floor(at / opts.refitEveryMs) + 1) * opts.refitEveryMs;
      }
      // A rate whose service time alone breaks the SLO is a misreading (e.g. CPU not from this load).
      const perInstance = rate !== undefined && 1000 / rate < service.slo.p99LatencyMs ? rate : undefined;
      const recent = observation.history.slice(-LIVE_WINDOW_MINUTES);
      floor = forecastFloorFor(refit, service, at, perInstance, recent, opts.evaluationPeriodSeconds);
      if (perInstance === undefined || margin === undefined) return reactive.decide(observation);
      const forecastNeed =
        floor && (refit?.verdict.mape ?? 0) <= opts.forecastMaxMapePct ? floor.capacity : 0;

      const load = (latest.requestsPerMinute ?? 0) + margin;
      const needNow = capacityForLoad(load, perInstance, service.slo.p99LatencyMs);
      const breached =
        (latest.p99LatencyMs ?? 0) > service.slo.p99LatencyMs ||
        (latest.errorRatePct ?? 0) > service.slo.errorRatePct;
      // The reactive decision is asked only when it can matter, which also keeps a month's replay quick.
      wants.push(Math.max(forecastNeed, needNow, breached ? reactive.decide(observation) : 0));
      if (wants.length > opts.scaleInHoldMinutes) wants.shift();
      const wanted = heldCapacity(wants, opts.scaleInHoldMinutes);
      const min = Math.max(fleet.min, service.capacity.min);
      const max = Math.min(fleet.max, service.capacity.max);
      return Math.min(max, Math.max(min, wanted));
    },
  };
}
