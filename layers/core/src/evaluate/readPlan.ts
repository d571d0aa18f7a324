/**
 * When the advisor reads whose metrics. GetMetricData is billed per metric requested, not per
 * datapoint, so reading a service's last N one-minute datapoints once every N minutes costs 1/N
 * of reading one datapoint every minute and loses no resolution, only freshness. The plan spends
 * freshness where it matters: services near a limit ("hot") are read often, calm ones rarely.
 */

export interface MetricReadPlan {
  /** CloudWatch metrics read for a calm service: only the ones its decision rests on (CPU, p99). */
  calmMetrics: number;
  /** Minutes between reads of a calm service; each read fetches every 1-minute datapoint since the last. */
  calmEveryMinutes: number;
  /** Metrics read for a hot service. */
  hotMetrics: number;
  hotEveryMinutes: number;
  /** Share of services that are hot at a time (near a target, or a change in flight), 0..1. */
  hotShare: number;
}

/** One query per metric, at most 500 queries per call (the GetMetricData limit the reader uses). */
export const MAX_QUERIES_PER_CALL = 500;
/** GetMetricData returns at most 100,800 datapoints per call. */
export const MAX_DATAPOINTS_PER_CALL = 100_800;

/** Every KPI metric of every service on every tick: what a naive one-minute advisor does. */
export function everyTickPlan(metricsPerService: number, scheduleMinutes: number): MetricReadPlan {
  return {
    calmMetrics: metricsPerService,
    calmEveryMinutes: scheduleMinutes,
    hotMetrics: metricsPerService,
    hotEveryMinutes: scheduleMinutes,
    hotShare: 0,
  };
}

/**
 * The plan Headroom's bill assumes: only the two metrics the decision rests on (CPU for target
 * tracking, p99 latency for the SLO), every 40 minutes for a calm service (40 one-minute datapoints
 * each read) and every 5 minutes for a hot one. Error rate and request counts are left to the SLO
 * alarms and the hourly forecast. See docs/operations.md, "What Headroom costs".
 */
export function adaptivePlan(metricsPerService: number): MetricReadPlan {
  const decisionMetrics = Math.min(2, metricsPerService);
  return {
    calmMetrics: decisionMetrics,
    calmEveryMinutes: 40,
    hotMetrics: decisionMetrics,
    hotEveryMinutes: 5,
    hotShare: 0.05,
  };
}

/** Ticks between reads, at least one: a cadence finer than the schedule reads every tick. */
export function ticksBetweenReads(everyMinutes: number, scheduleMinutes: number): number {
  return Math.max(1, Math.round(everyMinutes / scheduleMinutes));
}

/**
 * Whether the service with stagger `phase` is on a read slot on tick `tick`, so each tick reads
 * about 1/N of the fleet instead of all of it every N ticks. The evaluate code's phase is a stable
 * hash of the service id (evaluate/metricReads.ts `readPhase`); the bill uses the list index, which
 * spreads the same way: over a month whose ticks are a multiple of the cadence, the counts are equal.
 */
export function isReadDue(phase: number, tick: number, everyTicks: number): boolean {
  return (tick + phase) % everyTicks === 0;
}

/** GetMetricData calls for `metrics` queries of `datapointsPerMetric` points each. */
export function getMetricDataCalls(metrics: number, datapointsPerMetric: number): number {
  if (metrics === 0) return 0;
  const perCall = Math.max(
    1,
    Math.min(MAX_QUERIES_PER_CALL, Math.floor(MAX_DATAPOINTS_PER_CALL / datapointsPerMetric)),
  );
  return Math.ceil(metrics / perCall);
}

export interface TickReads {
  /**
   * Services on a hot or a calm slot: evaluate reads their state (whether they are hot) before it
   * knows who is due, so every slot costs a state read, due or not (evaluate/dueReads.ts).
   */
  statesRead: number;
  /** Services whose metrics were read (and which are evaluated) on the tick. */
  servicesRead: number;
  metricsRequested: number;
  getMetricDataCalls: number;
}

/** What one tick reads: the first `round(hotShare × services)` services are the hot ones. */
export function readsOnTick(
  services: number,
  tick: number,
  scheduleMinutes: number,
  plan: MetricReadPlan,
): TickReads {
  const hot = Math.round(plan.hotShare * services);
  const hotTicks = ticksBetweenReads(plan.hotEveryMinutes, scheduleMinutes);
  const calmTicks = ticksBetweenReads(plan.calmEveryMinutes, scheduleMinutes);
  let hotRead = 0;
  let calmRead = 0;
  let statesRead = 0;
  for (let index = 0; index < services; index += 1) {
    const onHotSlot = isReadDue(index, tick, hotTicks);
    const onCalmSlot = isReadDue(index, tick, calmTicks);
    if (onHotSlot || onCalmSlot) statesRead += 1;
    if (index < hot ? onHotSlot : onCalmSlot) {
      if (index < hot) hotRead += 1;
      else calmRead += 1;
    }
  }
  const metricsRequested = hotRead * plan.hotMetrics + calmRead * plan.calmMetrics;
  const datapoints = Math.max(hotTicks, calmTicks) * scheduleMinutes;
  return {
    statesRead,
    servicesRead: hotRead + calmRead,
    metricsRequested,
    getMetricDataCalls: getMetricDataCalls(metricsRequested, datapoints),
  };
}
