/**
 * The evaluate flow's side of the read plan: read the state of the services on a read slot, decide
 * who is due (metricReadsDue), and read their KPIs, one call per KPI set.
 */
import type { KpiName, KpiSeries } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { ServiceState } from '../ports/index.js';
import type { EvaluationDeps, EvaluationOptions, EvaluationReport } from './evaluation.js';
import { metricReadsDue, readCandidates, type DueRead, type ReadSchedule } from './metricReads.js';

/**
 * The services due this run. Only the ones on a read slot have their state read (the rest are
 * not due whatever it says), so a calm fleet costs a state read per service per hot cadence.
 */
export async function servicesDue(
  active: readonly ManagedService[],
  schedule: ReadSchedule,
  deps: EvaluationDeps,
  at: number,
  report: EvaluationReport,
): Promise<{ due: DueRead[]; states: Map<string, ServiceState | undefined> }> {
  const states = new Map<string, ServiceState | undefined>();
  const unreadable = new Set<string>();
  for (const service of readCandidates(active, at, schedule)) {
    try {
      states.set(service.id, await deps.state.getServiceState(service.id));
    } catch (error) {
      unreadable.add(service.id);
      report.services.push({ serviceId: service.id, status: 'failed', message: messageOf(error) });
    }
  }
  const { due, notDue } = metricReadsDue(
    active.filter((s) => !unreadable.has(s.id)),
    states,
    at,
    schedule,
  );
  for (const s of notDue) report.services.push({ serviceId: s.id, status: 'skipped', message: 'not due' });
  return { due, states };
}

/**
 * One readKpis call per KPI set (calm: the decision's KPIs; hot: all), each window reaching back
 * to the oldest last read among its services so no datapoint is lost, and at least
 * `windowMinutes`. Three periods of overlap catch datapoints CloudWatch published late.
 */
export async function readDueKpis(
  due: readonly DueRead[],
  schedule: ReadSchedule | undefined,
  deps: EvaluationDeps,
  options: EvaluationOptions,
  at: number,
  periodSeconds: number,
  fail: (stage: string, error: unknown) => void,
): Promise<Map<string, KpiSeries>> {
  const series = new Map<string, KpiSeries>();
  const sets = new Map<readonly KpiName[] | undefined, DueRead[]>();
  for (const read of due) sets.set(read.kpis, [...(sets.get(read.kpis) ?? []), read]);
  const shortest = at - options.windowMinutes * 60_000;
  // A service idle for days is read back one calm period, not to its last read.
  const longest = schedule
    ? at - 2 * Math.max(schedule.calmEveryMinutes, options.windowMinutes) * 60_000
    : shortest;
  for (const [kpis, reads] of sets) {
    const oldest = Math.min(...reads.map((r) => r.lastReadAt ?? shortest)) - 3 * periodSeconds * 1000;
    const window = { start: Math.max(longest, Math.min(shortest, oldest)), end: at, periodSeconds };
    const services = reads.map((r) => r.service);
    try {
      const read = await (kpis
        ? deps.metrics.readKpis(services, window, kpis)
        : deps.metrics.readKpis(services, window));
      for (const [id, s] of read) series.set(id, s);
    } catch (error) {
      fail('read-kpis', error);
    }
  }
  return series;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
