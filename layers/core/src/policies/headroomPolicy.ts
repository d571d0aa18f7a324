/**
 * Headroom's policy: capacity for the load just measured plus the rise it can take before new
 * instances serve, on top of a predictive floor and KPI-driven reactive scaling. Each minute,
 * capacity is the larger of
 *   - the need now: capacity (M/M/c at the SLO, per-instance rate read from CPU and request
 *     count) for the measured load plus the rise it can take over boot + warm-up + one
 *     evaluation period: the 90th percentile of that rise in requests per minute, learned
 *     hourly from the last 3 days of one-minute request counts (riseMarginFromMinutes);
 *   - the floor, only while the forecast is trusted (its verdict says so and its recent MAPE is
 *     at most 20 %): capacity for the forecast's upper bound over that same lead window;
 *   - the reactive decision whenever p99 or errors break the SLO.
 * The first two are headroomFloor, the very floor the evaluate function hands decideScaling.
 * Scale-in waits until the lower capacity has been wanted 3 minutes in a row (less flapping, and
 * an instance given back takes 5 minutes to return). The forecast is refitted hourly exactly as
 * the forecast function does (refitForecast). Until the rate and the margin can be read (the
 * first refit after an hour of load), the reactive decision (decideScaling with its target tracking and stabilisation)
 * stands alone.
 */
import type { ForecastFloor } from '../evaluate/decideScaling.js';
import {
  DEFAULT_REFIT_OPTIONS,
  refitForecastOnSeries,
  type RefitOptions,
  type ServiceForecast,
} from '../forecast/serviceForecast.js';
import { HOUR_MS, MINUTE_MS, RollingSeries } from '../forecast/series.js';
import type { PolicyObservation, ScalingPolicy } from '../model/replay.js';
import type { ManagedService } from '../model/service.js';
import {
  DEFAULT_EVALUATION_PERIOD_SECONDS,
  DEFAULT_FORECAST_MAX_MAPE_PCT,
  headroomFloor,
  LIVE_WINDOW_MINUTES,
  usableRate,
} from './headroomFloor.js';
import { type RateReading, serviceRateOf } from './headroomPolicyCapacity.js';
import {
  DEFAULT_MARGIN_OPTIONS,
  heldCapacity,
  leadTimeMs,
  riseMarginFromMinutes,
} from './headroomPolicyMargin.js';
import { reactiveHeadroomPolicy } from './reactivePolicy.js';

export { forecastFloorFor, liveRatioOf, LIVE_WINDOW_MINUTES } from './headroomFloor.js';

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
  evaluationPeriodSeconds: DEFAULT_EVALUATION_PERIOD_SECONDS,
  marginQuantile: DEFAULT_MARGIN_OPTIONS.quantile,
  marginHistoryMinutes: DEFAULT_MARGIN_OPTIONS.historyMs / MINUTE_MS,
  forecastMaxMapePct: DEFAULT_FORECAST_MAX_MAPE_PCT,
  scaleInHoldMinutes: 3,
  name: 'headroom',
};

export interface HeadroomPolicy extends ScalingPolicy {
  /** The latest refit, for reports and tests. */
  forecast(): ServiceForecast | undefined;
}

const RATE_READINGS = 60;

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
  const marginOptions = {
    quantile: opts.marginQuantile,
    historyMs: opts.marginHistoryMinutes * MINUTE_MS,
  };
  const leadMs = leadTimeMs(service, opts.evaluationPeriodSeconds);
  // Learned at each refit from the one-minute history, as the forecast function stores it.
  let margin: number | undefined;
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
        const series = recorder.series(at);
        refit = refitForecastOnSeries(service.id, series, at, refit, opts.refit);
        margin = riseMarginFromMinutes(observation.history, at, leadMs, marginOptions);
        nextRefitAt = (Math.floor(at / opts.refitEveryMs) + 1) * opts.refitEveryMs;
      }
      floor = headroomFloor({
        service,
        now: at,
        latestLoad: latest.requestsPerMinute,
        ratePerInstance: rate,
        riseMargin: margin,
        forecast: refit,
        recent: observation.history.slice(-LIVE_WINDOW_MINUTES),
        forecastMaxMapePct: opts.forecastMaxMapePct,
        evaluationPeriodSeconds: opts.evaluationPeriodSeconds,
      });
      // Until the need now can be told, decideScaling (with the floor as its hook) decides alone.
      if (usableRate(rate, service) === undefined || margin === undefined)
        return reactive.decide(observation);
      const breached =
        (latest.p99LatencyMs ?? 0) > service.slo.p99LatencyMs ||
        (latest.errorRatePct ?? 0) > service.slo.errorRatePct;
      // The reactive decision is asked only when it can matter, which also keeps a month's replay quick.
      wants.push(Math.max(floor?.capacity ?? 0, breached ? reactive.decide(observation) : 0));
      if (wants.length > opts.scaleInHoldMinutes) wants.shift();
      const wanted = heldCapacity(wants, opts.scaleInHoldMinutes);
      const min = Math.max(fleet.min, service.capacity.min);
      const max = Math.min(fleet.max, service.capacity.max);
      return Math.min(max, Math.max(min, wanted));
    },
  };
}
