/**
 * Which services' metrics are read on this run, and which KPIs: the read plan the advisor's bill
 * assumes (advisorBill/readPlan.ts), made into the decision the evaluate flow acts on.
 * GetMetricData is billed per metric requested, not per datapoint, so a calm service is read every
 * `calmEveryMinutes` with every one-minute datapoint since its last read, and only the KPIs its
 * decision rests on; a hot one every `hotEveryMinutes` with all its configured KPIs.
 */
import { launchInFlight, leadTimeOf } from '../capacity/launchTiming.js';
import { adaptivePlan, isReadDue, ticksBetweenReads, type MetricReadPlan } from './readPlan.js';
import type { DecisionRecord } from '../model/decision.js';
import type { KpiName } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { ServiceState } from '../ports/index.js';

/** What a calm service's decision rests on: CPU for target tracking, p99 latency for the SLO. */
export const DECISION_KPIS: readonly KpiName[] = ['cpuPct', 'p99LatencyMs'];
/** A service whose CPU is this many percentage points below its target, or above it, is hot. */
export const DEFAULT_HOT_CPU_MARGIN_PCT = 10;

export interface ReadSchedule {
  /** Minutes between evaluate runs (the EventBridge Scheduler rate). */
  scheduleMinutes: number;
  calmEveryMinutes: number;
  hotEveryMinutes: number;
  hotCpuMarginPct: number;
  /**
   * What a hot service reads: `all` its configured KPIs, or only the `decision` KPIs unless its
   * next decision needs every SLO (never read, a bad read, a scale-in to confirm): the bill's plan.
   */
  hotKpis: HotKpis;
}

export type HotKpis = 'all' | 'decision';

/** Hot reasons whose next decision needs every SLO KPI, whatever `hotKpis` says. */
export const FULL_READ_REASONS = {
  neverRead: 'never read',
  noFreshData: 'no fresh data',
  incompleteRead: 'incomplete read',
  scaleInToConfirm: 'a scale-in to confirm with a full read',
} as const;
const needsFullRead = (reason: string): boolean =>
  (Object.values(FULL_READ_REASONS) as string[]).includes(reason);

/** The schedule for a read plan (the bill's own `adaptivePlan`, for one) at a schedule rate. */
export function readScheduleOf(
  plan: Pick<MetricReadPlan, 'calmEveryMinutes' | 'hotEveryMinutes'>,
  scheduleMinutes: number,
  hotCpuMarginPct = DEFAULT_HOT_CPU_MARGIN_PCT,
  hotKpis: HotKpis = 'all',
): ReadSchedule {
  const whole = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`read schedule: ${name} must be a whole number ≥ 1, got ${value}`);
  };
  whole('scheduleMinutes', scheduleMinutes);
  whole('calmEveryMinutes', plan.calmEveryMinutes);
  whole('hotEveryMinutes', plan.hotEveryMinutes);
  if (!(hotCpuMarginPct >= 0 && hotCpuMarginPct <= 100))
    throw new RangeError(`read schedule: hotCpuMarginPct must be in [0, 100], got ${hotCpuMarginPct}`);
  return {
    scheduleMinutes,
    calmEveryMinutes: plan.calmEveryMinutes,
    hotEveryMinutes: plan.hotEveryMinutes,
    hotCpuMarginPct,
    hotKpis,
  };
}

/**
 * The plan the bill assumes (advisorBill `adaptivePlan`) at an evaluate schedule of
 * `scheduleMinutes`, hot services included: CPU + p99 for all but the full reads a decision needs.
 * Every KPI for every hot service (`all`) costs 100 services at one minute ~$1.07 a month more.
 */
export function adaptiveReadSchedule(scheduleMinutes: number): ReadSchedule {
  return readScheduleOf(
    adaptivePlan(DECISION_KPIS.length),
    scheduleMinutes,
    DEFAULT_HOT_CPU_MARGIN_PCT,
    'decision',
  );
}

/** Minutes between runs of an EventBridge Scheduler `rate(...)` expression; anything else is refused. */
export function rateMinutes(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  const amount = Number(rate?.[1]);
  if (rate === null || !(amount >= 1)) {
    throw new RangeError(
      `"${expression}" is not a rate(N minutes|hours|days) expression, which the read plan needs`,
    );
  }
  const unit = rate[2] ?? 'minutes';
  return amount * (unit.startsWith('minute') ? 1 : unit.startsWith('hour') ? 60 : 1440);
}

/** The run's tick number: runs of one schedule share the tick grid whatever the service list. */
export function readTick(now: number, scheduleMinutes: number): number {
  return Math.floor(now / (scheduleMinutes * 60_000));
}

/**
 * A stable stagger (FNV-1a of the id): a service keeps its read slot when others are added or
 * removed, which an index into the service list would not.
 */
export function readPhase(serviceId: string): number {
  const known = phases.get(serviceId);
  if (known !== undefined) return known;
  let hash = 0x811c9dc5;
  for (let i = 0; i < serviceId.length; i += 1) {
    hash ^= serviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  if (phases.size >= MAX_REMEMBERED_PHASES) phases.clear();
  phases.set(serviceId, hash);
  return hash;
}

// Every run hashes every service id; the ids repeat run after run, so their hashes are kept.
const MAX_REMEMBERED_PHASES = 100_000;
const phases = new Map<string, number>();

function cadenceTicks(schedule: ReadSchedule) {
  return {
    hot: ticksBetweenReads(schedule.hotEveryMinutes, schedule.scheduleMinutes),
    calm: ticksBetweenReads(schedule.calmEveryMinutes, schedule.scheduleMinutes),
  };
}

function phaseDue(phase: number, tick: number, everyTicks: number): boolean {
  // Reduced first so the sum stays an exact integer.
  return isReadDue(phase % everyTicks, tick % everyTicks, everyTicks);
}

function slotsOf(serviceId: string, tick: number, ticks: { hot: number; calm: number }) {
  const phase = readPhase(serviceId);
  return { onHotSlot: phaseDue(phase, tick, ticks.hot), onCalmSlot: phaseDue(phase, tick, ticks.calm) };
}

/**
 * The services on a read slot this run: only their state needs reading to know whether they are
 * due. A service off both its slots is not due, whatever its state, so it costs no state read.
 */
export function readCandidates(
  services: readonly ManagedService[],
  now: number,
  schedule: ReadSchedule,
): ManagedService[] {
  const tick = readTick(now, schedule.scheduleMinutes);
  const ticks = cadenceTicks(schedule);
  return services.filter((s) => {
    const { onHotSlot, onCalmSlot } = slotsOf(s.id, tick, ticks);
    return onHotSlot || onCalmSlot;
  });
}

/** Why a service is hot when its turn comes, from what the last evaluation left; undefined: calm. */
export function hotBecause(
  service: ManagedService,
  state: ServiceState | undefined,
  now: number,
): string | undefined {
  if (state?.lastReadAt === undefined) return FULL_READ_REASONS.neverRead;
  const lead = leadTimeOf(state.launches, service).seconds;
  const settleMs = Math.max(lead, service.timing.cooldownSeconds) * 1000;
  if (state.lastActionAt !== undefined && now - state.lastActionAt < settleMs) return 'an action in flight';
  // Seen every hot read until it serves, so its launch is timed to a hot cadence, not a calm one.
  if (launchInFlight(state.launches)) return 'a launch in flight';
  if (state.hot === true) return state.hotBecause ?? 'hot at its last read';
  return undefined;
}

export interface DueRead {
  service: ManagedService;
  /** The KPIs to read; undefined: every KPI the service has configured. */
  kpis?: readonly KpiName[];
  /** End of the service's last read window, epoch ms; the next read starts there. */
  lastReadAt?: number;
  /** Why it is read now: `hot: …`, `calm`, `overdue`. */
  why: string;
}

export interface ReadsDue {
  due: DueRead[];
  notDue: ManagedService[];
}

/**
 * Who is read on this run. `states` holds what was read for the candidates; a service missing
 * from it has never been stored. Hot services are read on the hot cadence with every KPI; calm
 * ones on the calm cadence with the decision's KPIs, or at the next hot slot if a calm slot was
 * missed (a run skipped), so no service waits much longer than its cadence.
 */
export function metricReadsDue(
  services: readonly ManagedService[],
  states: ReadonlyMap<string, ServiceState | undefined>,
  now: number,
  schedule: ReadSchedule,
): ReadsDue {
  const tick = readTick(now, schedule.scheduleMinutes);
  const ticks = cadenceTicks(schedule);
  const overdueAfterMs = (schedule.calmEveryMinutes + schedule.hotEveryMinutes / 2) * 60_000;
  const result: ReadsDue = { due: [], notDue: [] };
  for (const service of services) {
    const { onHotSlot, onCalmSlot } = slotsOf(service.id, tick, ticks);
    if (!onHotSlot && !onCalmSlot) {
      result.notDue.push(service);
      continue;
    }
    const state = states.get(service.id);
    const lastReadAt = state?.lastReadAt;
    const since = lastReadAt === undefined ? {} : { lastReadAt };
    const hot = hotBecause(service, state, now);
    if (hot !== undefined && onHotSlot) {
      const full = schedule.hotKpis === 'all' || needsFullRead(hot);
      result.due.push({ service, ...(full ? {} : { kpis: DECISION_KPIS }), ...since, why: `hot: ${hot}` });
    } else if (onCalmSlot) {
      result.due.push({ service, kpis: DECISION_KPIS, ...since, why: 'calm' });
    } else if (lastReadAt !== undefined && now - lastReadAt > overdueAfterMs) {
      result.due.push({ service, kpis: DECISION_KPIS, ...since, why: 'overdue' });
    } else {
      result.notDue.push(service);
    }
  }
  return result;
}

export interface HotInput {
  service: ManagedService;
  record: DecisionRecord;
  /** The read lost some KPIs (throttled, partial). */
  incompleteRead: boolean;
  hotCpuMarginPct: number;
}

/**
 * Whether the service is read on the hot cadence from now on, and why: what the evaluation just
 * saw, stored in the service's state so the next run can tell without reading its metrics.
 */
export function hotAfterEvaluation({
  service,
  record,
  incompleteRead,
  hotCpuMarginPct: margin,
}: HotInput): string | undefined {
  const { decision, outcome } = record;
  const evidence = decision.evidence;
  if (outcome === 'applied') return 'an action in flight';
  if (outcome === 'approval-required') return 'an approval in flight';
  if ((evidence['sloBreaches'] ?? 0) > 0) return 'SLO breached';
  if (evidence['sampleAt'] === undefined || evidence['stale'] === 1) return FULL_READ_REASONS.noFreshData;
  if (incompleteRead) return FULL_READ_REASONS.incompleteRead;
  if (decision.rule === CONFIRM_SCALE_IN_RULE) return FULL_READ_REASONS.scaleInToConfirm;
  const cpu = evidence['cpuPct'];
  if (cpu !== undefined && cpu >= service.slo.cpuTargetPct - margin)
    return `CPU ${Math.round(cpu)} % within ${margin} points of its ${service.slo.cpuTargetPct} % target`;
  // A fleet no larger than its floor has no instance to spare for a rise: a calm read would come
  // too late (NYC taxi at peak 20: most SLO minutes began between two calm reads 40 minutes apart,
  // at CPU 40-55 %, far from the CPU target, on fleets of 2 to 6 whose floor they equalled).
  const floor = evidence['forecastFloor'];
  if (floor !== undefined && Math.ceil(floor - 1e-9) >= decision.desiredCapacity)
    return `its floor of ${Math.ceil(floor - 1e-9)} leaves no instance to spare`;
  return undefined;
}

/** The rule of a scale-in held because a calm read left some KPIs out. */
export const CONFIRM_SCALE_IN_RULE = 'data/confirm-scale-in';
