/**
 * EC2 Auto Scaling predictive scaling in ForecastAndScale mode, emulated. Assumptions, from the
 * EC2 Auto Scaling User Guide (ec2-auto-scaling-predictive-scaling.html and its "How predictive
 * scaling works" section) and the GetPredictiveScalingForecast API reference:
 * - The first forecast needs at least 24 hours of metric history; up to the last 14 days are used.
 * - The forecast is hourly ("predicted values for the minimum capacity that is needed on an
 *   hourly basis") for the next 48 hours, and is updated every 6 hours.
 * - For a CPU metric pair the load is the group's total CPU and capacity = load / target, i.e.
 *   the hour's mean load divided by what one instance serves at the target CPU.
 * - Capacity is raised at the start of each forecast hour minus SchedulingBufferTime (default
 *   300 s), by raising the group's minimum to that hour's capacity.
 * - It never scales in: "If the forecast expects a decrease in load, predictive scaling will not
 *   scale in". Alone, capacity therefore only grows; with target tracking, target tracking scales in.
 * - MaxCapacityBreachBehavior is HonorMaxCapacity (the default): never above the group's max.
 * Pages: docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-predictive-scaling.html,
 * …/application/userguide/aas-predictive-scaling-how-it-works.html (24 h, 14 days, hourly for 48 h,
 * every 6 h, no scale-in), …/ec2/APIReference/API_GetPredictiveScalingForecast.html, and the
 * buffer's definition ("if the forecast says to add capacity at 10:00 AM, and the buffer time is
 * 5 minutes, then the run time ... will be 9:55 AM"; default 300 s, less than 3600 s).
 * - AWS's forecasting model is not public. We give it Headroom's own seasonal model (the point
 *   forecast, averaged per hour), so the comparison is of how a forecast is used, not of whose
 *   forecaster is better.
 */
import { forecastLoad } from '@headroom/core/forecast/forecastLoad.js';
import { HOUR_MS, historyHours, toRegularSeries } from '@headroom/core/forecast/series.js';
import type { PolicyObservation, ScalingPolicy } from '@headroom/core/model/replay.js';
import { type RateReading, serviceRateOf } from '@headroom/core/policies/headroomPolicyCapacity.js';

export interface AwsPredictiveOptions {
  targetCpuPct: number;
  schedulingBufferSeconds: number;
  refreshHours: number;
  lookBackDays: number;
  minHistoryHours: number;
  horizonHours: number;
}

export const AWS_PREDICTIVE_DEFAULTS: Omit<AwsPredictiveOptions, 'targetCpuPct'> = {
  schedulingBufferSeconds: 300,
  refreshHours: 6,
  lookBackDays: 14,
  minHistoryHours: 24,
  horizonHours: 48,
};

export interface AwsPredictivePolicy extends ScalingPolicy {
  /** The group minimum predictive scaling has scheduled for this moment (0 before any forecast). */
  scheduledMinimum(observation: PolicyObservation): number;
}

/** Readings kept for the per-instance rate: the last hour. */
const RATE_READINGS = 60;

export function awsPredictivePolicy(
  options: Pick<AwsPredictiveOptions, 'targetCpuPct'> & Partial<AwsPredictiveOptions>,
): AwsPredictivePolicy {
  const opts: AwsPredictiveOptions = { ...AWS_PREDICTIVE_DEFAULTS, ...options };
  let hourly = new Map<number, number>();
  let nextRefreshAt = Number.NEGATIVE_INFINITY;
  let lastSeenAt = Number.NEGATIVE_INFINITY;
  const readings: RateReading[] = [];

  const observe = ({ at, latest, fleet }: PolicyObservation) => {
    if (at === lastSeenAt) return;
    lastSeenAt = at;
    readings.push({
      requestsPerMinute: latest.requestsPerMinute,
      cpuPct: latest.cpuPct,
      inService: fleet.inService,
    });
    if (readings.length > RATE_READINGS) readings.shift();
  };

  const refresh = (observation: PolicyObservation) => {
    const { at, history } = observation;
    const series = toRegularSeries(history, { end: at, spanMs: opts.lookBackDays * 24 * HOUR_MS });
    const rate = serviceRateOf(readings);
    if (historyHours(series) < opts.minHistoryHours || rate === undefined) return;
    const forecast = forecastLoad(series, at, { horizonMs: opts.horizonHours * HOUR_MS });
    const perInstanceAtTarget = rate * 60 * (opts.targetCpuPct / 100);
    const sums = new Map<number, { sum: number; count: number }>();
    forecast.point.forEach((load, i) => {
      const hour = Math.floor((forecast.start + i * forecast.stepMs) / HOUR_MS) * HOUR_MS;
      const entry = sums.get(hour) ?? { sum: 0, count: 0 };
      sums.set(hour, { sum: entry.sum + load, count: entry.count + 1 });
    });
    hourly = new Map(
      [...sums].map(([hour, { sum, count }]) => [hour, Math.ceil(sum / count / perInstanceAtTarget - 1e-9)]),
    );
  };

  const scheduledMinimum = (observation: PolicyObservation): number => {
    observe(observation);
    const { at } = observation;
    if (at >= nextRefreshAt) {
      refresh(observation);
      const period = opts.refreshHours * HOUR_MS;
      nextRefreshAt = (Math.floor(at / period) + 1) * period;
    }
    // The action for an hour runs SchedulingBufferTime before it starts.
    const hour = Math.floor((at + opts.schedulingBufferSeconds * 1000) / HOUR_MS) * HOUR_MS;
    return Math.min(observation.fleet.max, hourly.get(hour) ?? 0);
  };

  return {
    name: 'aws-predictive',
    scheduledMinimum,
    decide(observation) {
      const minimum = scheduledMinimum(observation);
      return Math.min(
        observation.fleet.max,
        Math.max(observation.fleet.desired, minimum, observation.fleet.min),
      );
    },
  };
}
