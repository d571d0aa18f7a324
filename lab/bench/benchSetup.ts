/**
 * The one service every trace is replayed against, and the traces of `npm run bench`. Numbers
 * stated once here so results.md and the report can print them.
 */
import { DEFAULT_PRICE_PER_INSTANCE_HOUR_USD } from '@headroom/core/config/serviceConfig.js';
import { DEFAULT_SLO, DEFAULT_TIMING, type ManagedService } from '@headroom/core/model/service.js';

/** Requests per second one instance serves (100 ms mean service time). */
export const BENCH_MU_PER_INSTANCE = 10;
/** Each trace is scaled so that its peak minute needs this many instances at the SLO. */
export const BENCH_PEAK_INSTANCES = 20;

/**
 * A 5-minute (or 30-minute) value is the average of a rate that varies continuously inside the
 * interval, so the minutes between two values are interpolated rather than held as a step.
 */
export const BENCH_INTERPOLATION: 'hold' | 'linear' = 'linear';
/** How results.md, the report and `headroom backtest` say it. */
export const BENCH_INTERPOLATION_NOTE =
  BENCH_INTERPOLATION === 'linear'
    ? 'interpolated linearly from one interval to the next'
    : 'held constant inside each interval';

export const BENCH_SERVICE: ManagedService = {
  id: 'bench',
  autoScalingGroupName: 'bench',
  mode: 'apply',
  slo: DEFAULT_SLO,
  // Max well above the peak so no policy is capped by it; the step limit never binds a benchmark run.
  capacity: {
    min: 1,
    max: 3 * BENCH_PEAK_INSTANCES,
    maxStepPct: 1000,
    maxStepInstances: 3 * BENCH_PEAK_INSTANCES,
  },
  timing: DEFAULT_TIMING,
  pricePerInstanceHourUsd: DEFAULT_PRICE_PER_INSTANCE_HOUR_USD,
  slowMinuteCostUsd: 10,
  tiers: {},
};

export interface BenchTrace {
  /** Name in the records (frontier.json). */
  name: string;
  /** Path under the traces folder. */
  file: string;
  /** CSV column, for files with several. */
  column?: string;
}

export const BENCH_TRACES: readonly BenchTrace[] = [
  { name: 'elb_request_count_8c0756', file: 'nab/realAWSCloudwatch/elb_request_count_8c0756.csv' },
  { name: 'nyc_taxi', file: 'nab/realKnownCause/nyc_taxi.csv' },
  { name: 'Twitter_volume_AAPL', file: 'nab/realTweets/Twitter_volume_AAPL.csv' },
  { name: 'Twitter_volume_GOOG', file: 'nab/realTweets/Twitter_volume_GOOG.csv' },
  {
    name: 'azure_v2_cpu',
    file: 'datacenter_aggregates/azure_v2/vm_cpu_readings_month_aggregated_cpu_mem.csv',
    column: 'cpu_usage',
  },
  {
    name: 'google2019_cpu',
    file: 'datacenter_aggregates/google2019/instance_usage_grouped_300_seconds_month.csv',
    column: 'avg_cpu',
  },
  {
    name: 'alibaba2018_cpu',
    file: 'datacenter_aggregates/alibaba2018/machine_usage_days_1_to_8_grouped_300_seconds.csv',
    column: 'cpu_util_percent',
  },
];
