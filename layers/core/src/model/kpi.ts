/** Key performance indicators as read from CloudWatch or the simulated account. */

/** One reading of a service's KPIs at one time; a missing field was not measured. */
export interface KpiSample {
  /** Epoch milliseconds of the end of the measured period. */
  at: number;
  /** Requests in the period, per minute. */
  requestsPerMinute?: number;
  p99LatencyMs?: number;
  errorRatePct?: number;
  /** Average CPU of the instances that are in service and out of warm-up, percent. */
  cpuPct?: number;
  dbConnectionsPct?: number;
  cacheHitRatioPct?: number;
  cdnHitRatioPct?: number;
}

export type KpiName = Exclude<keyof KpiSample, 'at'>;

/** Every KPI a reader can be asked for: the default when a caller names none. */
export const ALL_KPIS: readonly KpiName[] = [
  'requestsPerMinute',
  'p99LatencyMs',
  'errorRatePct',
  'cpuPct',
  'dbConnectionsPct',
  'cacheHitRatioPct',
  'cdnHitRatioPct',
];

/** KPI history of one service, oldest first. */
export interface KpiSeries {
  serviceId: string;
  samples: readonly KpiSample[];
  /** KPIs whose read came back incomplete (throttled, partial, failed): samples hold what did come back. */
  incomplete?: KpiName[];
}
