/**
 * What the hourly forecast reads, without 14 days of one-minute datapoints every hour:
 * - every hour, every service: 14 days of request counts at 5-minute periods, the step the models
 *   run on (the same buckets they made from one-minute data): 4,032 datapoints, one metric;
 * - once every MINUTE_READ_EVERY_HOURS hours per service (staggered by a hash of its id, so each
 *   hour carries an eighth of the estate), or when its stored forecast has no rise margin or rate
 *   yet: the last 3 days of request count, CPU and p99 latency at one minute, for the rise margin
 *   (minute-scale bursts), the rate per instance and the capacity curve (capacity/learning.ts,
 *   which learns each minute once, so each read adds the minutes since the last). Between those
 *   reads the stored margin, rate and curve are kept: all are learned from days of history (3
 *   days: an 8-hour refresh renews a ninth of it).
 * Per service-hour that is 1⅜ metrics requested (GetMetricData bills per metric, not per
 * datapoint) and ~5,600 datapoints, instead of 2⅙ metrics and ~40,400 datapoints.
 */
import { readPhase } from '../evaluate/metricReads.js';
import type { KpiName, KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { MetricsReader } from '../ports/index.js';
import { DEFAULT_MARGIN_OPTIONS } from '../policies/headroomPolicyMargin.js';
import { DEFAULT_STEP_MS, HOUR_MS } from './series.js';
import type { ServiceForecast } from './serviceForecast.js';

export const MINUTE_READ_EVERY_HOURS = 8;

/** What a minute read asks for: the margin's load, the rate's CPU, the learning's p99. */
export const MINUTE_READ_KPIS: readonly KpiName[] = ['requestsPerMinute', 'cpuPct', 'p99LatencyMs'];

/** Whether this run reads the service's last days at one minute (see the file comment). */
export function minuteReadDue(serviceId: string, at: number, previous: ServiceForecast | undefined): boolean {
  if (previous?.riseMargin === undefined || previous.ratePerInstance === undefined) return true;
  const hour = Math.floor(at / HOUR_MS);
  return (
    ((hour % MINUTE_READ_EVERY_HOURS) + (readPhase(serviceId) % MINUTE_READ_EVERY_HOURS)) %
      MINUTE_READ_EVERY_HOURS ===
    0
  );
}

export interface ServiceHistory {
  /** Request counts per minute, averaged over 5-minute periods, oldest first. */
  fiveMinute: readonly KpiSample[];
  /** One-minute request counts, CPU and p99 of the last days, when read this run. */
  minutes?: readonly KpiSample[];
  incomplete?: KpiName[];
}

export async function readHistory(
  metrics: MetricsReader,
  services: readonly ManagedService[],
  at: number,
  lookBackMs: number,
  minuteReads: ReadonlySet<string>,
): Promise<Map<string, ServiceHistory>> {
  const end = Math.floor(at / DEFAULT_STEP_MS) * DEFAULT_STEP_MS;
  const coarse = await metrics.readKpis(
    services,
    { start: end - lookBackMs, end, periodSeconds: DEFAULT_STEP_MS / 1000 },
    ['requestsPerMinute'],
  );
  const withMinutes = services.filter((s) => minuteReads.has(s.id));
  const fine =
    withMinutes.length === 0
      ? new Map()
      : await metrics.readKpis(
          withMinutes,
          { start: at - DEFAULT_MARGIN_OPTIONS.historyMs, end: at, periodSeconds: 60 },
          MINUTE_READ_KPIS,
        );
  const out = new Map<string, ServiceHistory>();
  for (const service of services) {
    const a = coarse.get(service.id);
    const b = fine.get(service.id);
    const incomplete = [...new Set([...(a?.incomplete ?? []), ...(b?.incomplete ?? [])])];
    out.set(service.id, {
      fiveMinute: a?.samples ?? [],
      ...(b ? { minutes: b.samples } : {}),
      ...(incomplete.length > 0 ? { incomplete } : {}),
    });
  }
  return out;
}
