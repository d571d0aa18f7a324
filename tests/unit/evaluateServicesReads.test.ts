/**
 * The metric read plan as the evaluate flow applies it (metricReadsDue), by table, and over a month
 * of ticks against the advisor's bill, so the bill's GetMetricData figure is the code's.
 */
import { describe, expect, it } from '@jest/globals';
import {
  adaptiveReadSchedule,
  DECISION_KPIS,
  hotAfterEvaluation,
  metricReadsDue,
  readCandidates,
  rateMinutes,
  readPhase,
  readScheduleOf,
  type DecisionRecord,
  type ManagedService,
  type ServiceState,
} from '@headroom/core';
import {
  MINUTE_READ_EVERY_HOURS,
  MINUTE_READ_KPIS,
  minuteReadDue,
} from '@headroom/core/forecast/historyReads.js';
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast.js';
import { advisorMonthlyBill } from '@headroom/lab/bill/advisorMonthlyBill.js';
import { MINUTES_PER_MONTH } from '@headroom/lab/bill/prices.js';
import { adaptivePlan, readsOnTick } from '@headroom/core/evaluate/readPlan.js';
import { planQueries } from '@headroom/core/aws/metricQueries.js';
import { readEvaluateConfig } from '../../functions/evaluate/config.js';
import { aService } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const schedule = readScheduleOf({ calmEveryMinutes: 40, hotEveryMinutes: 5 }, 1);
const withAlb = (id: string): ManagedService =>
  aService({ 'headroom:service-id': id, 'headroom:load-balancer': `app/${id}/0123456789abcdef` });

/** A run time `after` minutes past the service's calm slot (tick ≡ −phase mod 40, a multiple of 5 too). */
function minutesAfterCalmSlot(id: string, after: number): number {
  const base = 1_000_000 * 40; // a tick number divisible by 40
  return (base + ((40 - (readPhase(id) % 40)) % 40) + after) * MINUTE;
}

const calm = (id: string, lastReadAt: number): ServiceState => ({
  serviceId: id,
  version: 3,
  lastReadAt,
  hot: false,
});
const hot = (id: string, lastReadAt: number, because = 'SLO breached'): ServiceState => ({
  ...calm(id, lastReadAt),
  hot: true,
  hotBecause: because,
});

type Case = [string, number, (now: number) => ServiceState | undefined, string | undefined, boolean];

describe('metricReadsDue (1-minute schedule, calm every 40 min, hot every 5)', () => {
  // name, minutes after the calm slot, state, why it is due (undefined: not due), all KPIs?
  const cases: Case[] = [
    ['calm, on its calm slot', 0, (now) => calm('s', now - 40 * MINUTE), 'calm', false],
    ['calm, on a hot slot only', 5, (now) => calm('s', now - 5 * MINUTE), undefined, false],
    ['calm, off every slot', 1, (now) => calm('s', now - MINUTE), undefined, false],
    ['hot, on a hot slot', 5, (now) => hot('s', now - 5 * MINUTE), 'hot: SLO breached', true],
    ['hot, on its calm slot', 0, (now) => hot('s', now - 5 * MINUTE), 'hot: SLO breached', true],
    ['hot, off every slot', 3, (now) => hot('s', now - 3 * MINUTE), undefined, true],
    ['never read, on a hot slot', 10, () => undefined, 'hot: never read', true],
    ['never read, off every slot', 11, () => undefined, undefined, true],
    [
      'an action a minute ago, on a hot slot',
      15,
      (now) => ({ ...calm('s', now - 5 * MINUTE), lastActionAt: now - MINUTE }),
      'hot: an action in flight',
      true,
    ],
    [
      'an action an hour ago is no longer in flight',
      15,
      (now) => ({ ...calm('s', now - 5 * MINUTE), lastActionAt: now - 60 * MINUTE }),
      undefined,
      false,
    ],
    [
      'calm, its calm slot missed (a run skipped)',
      5,
      (now) => calm('s', now - 45 * MINUTE),
      'overdue',
      false,
    ],
  ];
  it.each(cases)('%s', (_name, after, stateAt, why, allKpis) => {
    const service = withAlb('s');
    const now = minutesAfterCalmSlot('s', after);
    const { due, notDue } = metricReadsDue([service], new Map([['s', stateAt(now)]]), now, schedule);
    if (why === undefined) {
      expect(due).toEqual([]);
      expect(notDue).toEqual([service]);
      return;
    }
    expect(due).toHaveLength(1);
    expect(due[0]!.why).toBe(why);
    expect(due[0]!.kpis).toEqual(allKpis ? undefined : DECISION_KPIS);
    expect(due[0]!.lastReadAt).toBe(stateAt(now)?.lastReadAt);
  });

  it.each([
    ['SLO breached', (now: number) => hot('s', now - 5 * MINUTE), false],
    ['never read', () => undefined, true],
    [
      'a scale-in to confirm with a full read',
      (now: number) => hot('s', now - 5 * MINUTE, 'a scale-in to confirm with a full read'),
      true,
    ],
    ['incomplete read', (now: number) => hot('s', now - 5 * MINUTE, 'incomplete read'), true],
  ] as const)('hotKpis "decision": hot because %s reads every KPI: %s', (because, stateAt, all) => {
    const decisionOnly = readScheduleOf({ calmEveryMinutes: 40, hotEveryMinutes: 5 }, 1, 10, 'decision');
    const now = minutesAfterCalmSlot('s', 5);
    const { due } = metricReadsDue([withAlb('s')], new Map([['s', stateAt(now)]]), now, decisionOnly);
    expect(due.map((d) => [d.why, d.kpis])).toEqual([[`hot: ${because}`, all ? undefined : DECISION_KPIS]]);
  });

  it('on a 5-minute schedule a hot service is read every run and a calm one every 8th', () => {
    const every5 = readScheduleOf({ calmEveryMinutes: 40, hotEveryMinutes: 5 }, 5);
    const services = ['a', 'b', 'c'].map(withAlb);
    const reads = { hot: 0, calm: 0 };
    for (let run = 0; run < 16; run += 1) {
      const now = (1_000_000 + run) * 5 * MINUTE;
      const states = new Map(services.map((s) => [s.id, s.id === 'a' ? hot('a', now) : calm(s.id, now)]));
      for (const d of metricReadsDue(services, states, now, every5).due) reads[d.kpis ? 'calm' : 'hot'] += 1;
    }
    expect(reads).toEqual({ hot: 16, calm: 4 });
  });

  it('keeps every service on its slot when services are added (the stagger hashes the id)', () => {
    const services = Array.from({ length: 50 }, (_, i) => withAlb(`svc-${i}`));
    const more = [withAlb('new-1'), ...services, withAlb('new-2')];
    for (let minute = 0; minute < 40; minute += 1) {
      const now = (40_000_000 + minute) * MINUTE;
      const states = new Map(more.map((s) => [s.id, calm(s.id, now - 40 * MINUTE)]));
      const ids = (list: ManagedService[]) =>
        metricReadsDue(list, states, now, schedule)
          .due.map((d) => d.service.id)
          .filter((id) => id.startsWith('svc-'));
      expect(ids(more)).toEqual(ids(services));
    }
  });

  it('spreads calm reads over the cadence: each service once per 40 minutes, a few a minute', () => {
    const services = Array.from({ length: 200 }, (_, i) => withAlb(`service-${i}`));
    const readsOf = new Map<string, number>();
    const perMinute: number[] = [];
    for (let minute = 0; minute < 40; minute += 1) {
      const now = (40_000_000 + minute) * MINUTE;
      const states = new Map(services.map((s) => [s.id, calm(s.id, now - 40 * MINUTE)]));
      const { due } = metricReadsDue(services, states, now, schedule);
      perMinute.push(due.length);
      for (const d of due) readsOf.set(d.service.id, (readsOf.get(d.service.id) ?? 0) + 1);
    }
    expect([...readsOf.values()].every((n) => n === 1) && readsOf.size === 200).toBe(true);
    expect(Math.max(...perMinute)).toBeLessThanOrEqual(15);
  });

  it('asks for the state of the services on a read slot only', () => {
    const services = Array.from({ length: 100 }, (_, i) => withAlb(`svc-${i}`));
    let asked = 0;
    for (let minute = 0; minute < 40; minute += 1)
      asked += readCandidates(services, (40_000_000 + minute) * MINUTE, schedule).length;
    expect(asked).toBe(100 * 8);
  });

  it('names a bad schedule', () => {
    expect(() => readScheduleOf({ calmEveryMinutes: 40, hotEveryMinutes: 5 }, 0)).toThrow(
      'scheduleMinutes must be a whole number ≥ 1, got 0',
    );
    expect(() => readScheduleOf({ calmEveryMinutes: 2.5, hotEveryMinutes: 5 }, 1)).toThrow(
      'calmEveryMinutes',
    );
    expect(() => readScheduleOf({ calmEveryMinutes: 40, hotEveryMinutes: 5 }, 1, -1)).toThrow(
      'hotCpuMarginPct',
    );
  });
});

describe('hotAfterEvaluation', () => {
  const record = (
    outcome: DecisionRecord['outcome'],
    evidence: Record<string, number>,
    rule = 'target-tracking/hold-tolerance',
  ): DecisionRecord => ({
    outcome,
    guardrails: [],
    decision: {
      serviceId: 's',
      at: 0,
      currentCapacity: 4,
      desiredCapacity: 4,
      action: 'hold',
      rule,
      reason: '',
      evidence: { sampleAt: 0, sloBreaches: 0, ...evidence },
      monthlyCostDeltaUsd: 0,
      risk: 'low',
      confidence: 0.9,
    },
  });
  const cases: [string, DecisionRecord, boolean, string | undefined][] = [
    ['an applied action', record('applied', { cpuPct: 20 }), false, 'an action in flight'],
    ['an approval request', record('approval-required', { cpuPct: 20 }), false, 'an approval in flight'],
    ['a breached SLO', record('unchanged', { cpuPct: 20, sloBreaches: 1 }), false, 'SLO breached'],
    ['a stale sample', record('unchanged', { cpuPct: 20, stale: 1 }), false, 'no fresh data'],
    ['an incomplete read', record('unchanged', { cpuPct: 20 }), true, 'incomplete read'],
    [
      'a scale-in waiting for a full read',
      record('unchanged', { cpuPct: 20 }, 'data/confirm-scale-in'),
      false,
      'a scale-in to confirm with a full read',
    ],
    ['CPU 62 % against a 70 % target', record('unchanged', { cpuPct: 62 }), false, 'CPU 62 %'],
    ['CPU 85 %, above the target', record('recommended', { cpuPct: 85 }), false, 'CPU 85 %'],
    ['CPU 40 %, calm', record('recommended', { cpuPct: 40 }), false, undefined],
    // The desired capacity is 4: a floor of 4 (or 3.2, which needs 4) leaves no instance to spare.
    ['CPU 40 %, floor 4 of 4', record('unchanged', { cpuPct: 40, forecastFloor: 4 }), false, 'floor of 4'],
    [
      'CPU 40 %, floor 3.2 of 4',
      record('unchanged', { cpuPct: 40, forecastFloor: 3.2 }),
      false,
      'floor of 4',
    ],
    ['CPU 40 %, floor 3 of 4, calm', record('unchanged', { cpuPct: 40, forecastFloor: 3 }), false, undefined],
  ];
  it.each(cases)('%s', (_name, r, incompleteRead, because) => {
    const service = withAlb('s');
    const result = hotAfterEvaluation({ service, record: r, incompleteRead, hotCpuMarginPct: 10 });
    if (because === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(because);
  });

  it('reads no sample at all as no fresh data', () => {
    const r = record('unchanged', {});
    delete r.decision.evidence['sampleAt'];
    expect(
      hotAfterEvaluation({ service: withAlb('s'), record: r, incompleteRead: false, hotCpuMarginPct: 10 }),
    ).toBe('no fresh data');
  });
});

describe('a month of ticks against the bill', () => {
  it.each(['all', 'decision'] as const)(
    'hot services reading %s KPIs request exactly the metrics advisorMonthlyBill counts',
    (hotKpis) => {
      const services = Array.from({ length: 100 }, (_, i) => withAlb(`service-${i}`));
      const plan = adaptivePlan(4);
      const monthSchedule = readScheduleOf(plan, 1, 10, hotKpis);
      // The bill counts metrics per service read; the code's are the CloudWatch queries it plans.
      const calmMetrics = planQueries([services[0]!], 60, DECISION_KPIS).length;
      const hotMetrics = planQueries(
        [services[0]!],
        60,
        hotKpis === 'all' ? undefined : DECISION_KPIS,
      ).length;
      expect([calmMetrics, hotMetrics]).toEqual(hotKpis === 'all' ? [2, 4] : [2, 2]);

      // The bill's hot services are the first hotShare of them; here they stay hot all month.
      const hotCount = Math.round(plan.hotShare * services.length);
      const start = 40_000_000 * MINUTE;
      const states = new Map<string, ServiceState | undefined>(
        services.map((s, i) => [s.id, i < hotCount ? hot(s.id, start - MINUTE) : calm(s.id, start - MINUTE)]),
      );
      let metrics = 0;
      let stateReads = 0;
      let evaluated = 0;
      let billMetrics = 0;
      const billPlan = { ...plan, calmMetrics, hotMetrics };
      for (let tick = 0; tick < MINUTES_PER_MONTH; tick += 1) {
        const now = start + tick * MINUTE;
        stateReads += readCandidates(services, now, monthSchedule).length;
        const { due } = metricReadsDue(services, states, now, monthSchedule);
        // Each service due is evaluated, and evaluating it reads its forecast item (forecastFloors.ts).
        evaluated += due.length;
        const calmDue = due.filter((d) => d.kpis).map((d) => d.service);
        expect(due.filter((d) => d.why.startsWith('hot')).length).toBeLessThanOrEqual(hotCount);
        const hotDue = due.filter((d) => !d.kpis).map((d) => d.service);
        metrics += planQueries(calmDue, 60, DECISION_KPIS).length + planQueries(hotDue, 60).length;
        for (const d of due) states.set(d.service.id, { ...states.get(d.service.id)!, lastReadAt: now });
        billMetrics += readsOnTick(services.length, tick, 1, billPlan).metricsRequested;
      }
      expect(metrics).toBe(billMetrics);

      // The hourly forecast's queries, as refreshForecasts asks for them (forecast/historyReads.ts):
      // each hour every service's request count at 5 minutes, and the services whose minute read is
      // due (staggered, every MINUTE_READ_EVERY_HOURS hours, a margin and rate already stored) their
      // request count, CPU and p99 at 1 minute. Counted over one whole stagger cycle, where each service is
      // due exactly once; the bill prices the month (730 hours, not a whole number of cycles) at that
      // cycle's hourly average.
      const stored = (serviceId: string): ServiceForecast => ({
        serviceId,
        at: start - HOUR,
        accuracy: { evaluations: [] },
        verdict: { use: 'reactive', fallback: 'history-short', reason: 'a stored refit' },
        ratePerInstance: 50,
        riseMargin: 120,
      });
      let cycleMetrics = 0;
      for (let hour = 0; hour < MINUTE_READ_EVERY_HOURS; hour += 1) {
        const at = start + hour * HOUR;
        const minuteReads = services.filter((s) => minuteReadDue(s.id, at, stored(s.id)));
        cycleMetrics +=
          planQueries(services, 300, ['requestsPerMinute']).length +
          planQueries(minuteReads, 60, MINUTE_READ_KPIS).length;
      }
      const forecastMetrics = (MINUTES_PER_MONTH / 60) * (cycleMetrics / MINUTE_READ_EVERY_HOURS);
      const bill = advisorMonthlyBill({
        services: services.length,
        scheduleMinutes: 1,
        kpisPerService: 4,
        reads: billPlan,
      });
      expect(bill.metricsRequested - forecastMetrics).toBe(metrics);
      if (hotKpis === 'decision') {
        // The bill's own default plan (CPU + p99 for hot and calm alike) is this code's figure.
        const defaultBill = advisorMonthlyBill({
          services: services.length,
          scheduleMinutes: 1,
          kpisPerService: 4,
        });
        expect(defaultBill.metricsRequested - forecastMetrics).toBe(metrics);
      }
      // Only services on a read slot have their state read: one per service per hot cadence.
      expect(stateReads).toBe((services.length * MINUTES_PER_MONTH) / plan.hotEveryMinutes);
      // The bill's DynamoDB reads count the same state reads and the same evaluations (forecast reads).
      expect([bill.statesRead, bill.servicesEvaluated]).toEqual([stateReads, evaluated]);
    },
  );
});

describe('the evaluate function reads on its own schedule', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(5 minutes)', 5],
    [' rate(2 hours) ', 120],
    ['rate(1 day)', 1440],
  ])('%s is %i minutes', (expression, minutes) => {
    expect(rateMinutes(expression)).toBe(minutes);
  });

  it.each(['cron(0/5 * * * ? *)', 'rate(0 minutes)', 'rate(5 fortnights)', 'every minute'])(
    'refuses %s',
    (expression) => {
      expect(() => rateMinutes(expression)).toThrow(`"${expression}" is not a rate(`);
    },
  );

  const env = { STATE_TABLE: 'state', EVENT_BUS_NAME: 'bus' };
  it('takes EVALUATE_SCHEDULE from the template and reads with the cadences the bill assumes', () => {
    const plan = adaptivePlan(4);
    expect(readEvaluateConfig({ ...env, EVALUATE_SCHEDULE: 'rate(1 minute)' }).reads).toEqual(
      adaptiveReadSchedule(1),
    );
    expect(adaptiveReadSchedule(5)).toMatchObject({
      scheduleMinutes: 5,
      hotKpis: 'decision',
      calmEveryMinutes: plan.calmEveryMinutes,
      hotEveryMinutes: plan.hotEveryMinutes,
    });
    expect(readEvaluateConfig(env).reads).toBeUndefined();
    expect(() => readEvaluateConfig({ ...env, EVALUATE_SCHEDULE: 'cron(* * * * ? *)' })).toThrow(
      'environment: EVALUATE_SCHEDULE "cron(* * * * ? *)" is not rate(N minutes|hours|days)',
    );
  });
});
