import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  decideScaling,
  stepLimit,
  type DecideScalingInput,
  type FleetCapacity,
  type ForecastFloor,
  type KpiSample,
  type ManagedService,
} from '@headroom/core';
import { aService } from './fixtures.js';

const now = Date.UTC(2026, 10, 24, 12, 0, 0);
const web = aService();
const withCache = aService({ 'headroom:cache-group': 'sessions', 'headroom:cache-hit-min-pct': '90' });
const withDb = aService({ 'headroom:db-instance': 'db', 'headroom:db-connections-max-pct': '80' });

function fleet(desired: number, more: Partial<FleetCapacity> = {}): FleetCapacity {
  return { groupName: 'web', desired, inService: desired, warmingUp: 0, min: 0, max: 100, ...more };
}
const sample = (more: Partial<KpiSample>, ageSeconds = 60): KpiSample => ({
  at: now - ageSeconds * 1000,
  p99LatencyMs: 200,
  errorRatePct: 0,
  cpuPct: 70,
  ...more,
});

interface Row {
  name: string;
  service?: ManagedService;
  fleet: FleetCapacity;
  latest: KpiSample | undefined;
  floor?: ForecastFloor;
  desired: number;
  rule: string;
  risk?: string;
  confidence?: number;
}

const floor = (capacity: number, confidence = 0.7): ForecastFloor => ({
  capacity,
  confidence,
  explanation: 'Monday 09:00 peak expected.',
});

const rows: Row[] = [
  {
    name: 'healthy and on target holds',
    fleet: fleet(10),
    latest: sample({}),
    desired: 10,
    rule: 'target-tracking/hold-tolerance',
    risk: 'low',
    confidence: 0.9,
  },
  {
    name: 'hot CPU scales out proportionally',
    fleet: fleet(10),
    latest: sample({ cpuPct: 84 }),
    desired: 12,
    rule: 'target-tracking/scale-out',
    risk: 'low',
  },
  {
    name: 'latency breach scales out though CPU looks fine',
    fleet: fleet(10),
    latest: sample({ cpuPct: 50, p99LatencyMs: 750 }),
    desired: 15,
    rule: 'kpi/scale-out',
  },
  {
    name: 'a large latency breach is capped at double and by the step',
    fleet: fleet(4),
    latest: sample({ cpuPct: 50, p99LatencyMs: 5000 }),
    desired: 8,
    rule: 'kpi/scale-out',
  },
  {
    name: 'the step limit bounds a KPI scale-out',
    fleet: fleet(20),
    latest: sample({ p99LatencyMs: 1000 }),
    desired: 30,
    rule: 'kpi/scale-out',
  },
  {
    name: 'errors over the SLO scale out',
    fleet: fleet(10),
    latest: sample({ errorRatePct: 1.5 }),
    desired: 15,
    rule: 'kpi/scale-out',
  },
  {
    name: 'the bigger of CPU and KPI wins',
    fleet: fleet(10),
    latest: sample({ cpuPct: 105, p99LatencyMs: 600 }),
    desired: 15,
    rule: 'target-tracking/scale-out',
  },
  {
    name: 'no scale-in while latency is breached',
    fleet: fleet(10),
    latest: sample({ cpuPct: 30, p99LatencyMs: 520 }),
    desired: 11,
    rule: 'kpi/scale-out',
  },
  {
    name: 'a saturated database stops a compute scale-out and any scale-in',
    service: withDb,
    fleet: fleet(10),
    latest: sample({ cpuPct: 30, p99LatencyMs: 900, dbConnectionsPct: 97 }),
    desired: 10,
    rule: 'kpi/hold-other-tier',
  },
  {
    name: 'a breached cache tier stops a scale-in',
    service: withCache,
    fleet: fleet(10),
    latest: sample({ cpuPct: 30, cacheHitRatioPct: 60 }),
    desired: 10,
    rule: 'kpi/hold-breached',
  },
  {
    name: 'low CPU with the SLO met scales in',
    fleet: fleet(10),
    latest: sample({ cpuPct: 35 }),
    desired: 5,
    rule: 'target-tracking/scale-in',
    risk: 'medium',
  },
  {
    name: 'a small scale-in is low risk',
    fleet: fleet(10),
    latest: sample({ cpuPct: 56 }),
    desired: 8,
    rule: 'target-tracking/scale-in',
    risk: 'low',
  },
  {
    name: 'scale-in without latency data is high risk',
    fleet: fleet(10),
    latest: { at: now - 60_000, cpuPct: 35, errorRatePct: 0 },
    desired: 5,
    rule: 'target-tracking/scale-in',
    risk: 'high',
    confidence: 0.75,
  },
  {
    name: 'a forecast floor raises capacity ahead of demand',
    fleet: fleet(10),
    latest: sample({}),
    floor: floor(14.2),
    desired: 15,
    rule: 'forecast/floor',
    confidence: 0.7,
  },
  {
    name: 'scale-in stops at the forecast floor',
    fleet: fleet(10),
    latest: sample({ cpuPct: 35 }),
    floor: floor(7),
    desired: 7,
    rule: 'forecast/floor',
  },
  {
    name: 'a floor below the target-tracking answer changes nothing',
    fleet: fleet(10),
    latest: sample({ cpuPct: 84 }),
    floor: floor(3),
    desired: 12,
    rule: 'target-tracking/scale-out',
  },
  {
    name: 'the floor is step limited too',
    fleet: fleet(10),
    latest: sample({}),
    floor: floor(40),
    desired: 20,
    rule: 'forecast/floor',
  },
  {
    name: 'stale data holds',
    fleet: fleet(10),
    latest: sample({ cpuPct: 95 }, 240),
    desired: 10,
    rule: 'data/stale',
    confidence: 0.2,
  },
  {
    name: 'stale data still honours a forecast floor',
    fleet: fleet(10),
    latest: sample({ cpuPct: 95 }, 240),
    floor: floor(12),
    desired: 12,
    rule: 'forecast/floor',
    confidence: 0.2,
  },
  {
    name: 'no data holds',
    fleet: fleet(10),
    latest: undefined,
    desired: 10,
    rule: 'target-tracking/hold-no-metric',
    confidence: 0.45,
  },
  {
    name: 'the group MaxSize narrows the config max',
    fleet: fleet(10, { max: 11 }),
    latest: sample({ cpuPct: 84 }),
    desired: 11,
    rule: 'target-tracking/scale-out',
  },
  {
    name: 'the group MinSize narrows the config min',
    fleet: fleet(10, { min: 8 }),
    latest: sample({ cpuPct: 7 }),
    desired: 8,
    rule: 'target-tracking/scale-in',
  },
  {
    name: 'instances warming up: no scale-in',
    fleet: fleet(10, { inService: 8, warmingUp: 2 }),
    latest: sample({ cpuPct: 30 }),
    desired: 10,
    rule: 'target-tracking/hold-warm-up',
    confidence: 0.8,
  },
  {
    name: 'warming instances cover a latency breach',
    fleet: fleet(12, { inService: 8, warmingUp: 4 }),
    latest: sample({ cpuPct: 90, p99LatencyMs: 600 }),
    desired: 12,
    rule: 'target-tracking/hold-covered',
  },
];

function inputOf(row: Row): DecideScalingInput {
  return {
    service: row.service ?? web,
    fleet: row.fleet,
    latest: row.latest,
    recent: row.latest ? [row.latest] : [],
    state: undefined,
    now,
    ...(row.floor ? { forecastFloor: row.floor } : {}),
  };
}

describe('decideScaling by table', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const decision = decideScaling(inputOf(row));
    expect(decision.desiredCapacity).toBe(row.desired);
    expect(decision.rule).toBe(row.rule);
    expect(decision.action).toBe(
      row.desired > row.fleet.desired ? 'scale-out' : row.desired < row.fleet.desired ? 'scale-in' : 'hold',
    );
    if (row.risk) expect(decision.risk).toBe(row.risk);
    if (row.confidence !== undefined) expect(decision.confidence).toBe(row.confidence);
  });
});

describe('decideScaling explains itself', () => {
  it('prices the change and keeps the numbers', () => {
    const decision = decideScaling(inputOf({ ...rows[1]! }));
    // 2 more instances × 730 h × $0.0416
    expect(decision.monthlyCostDeltaUsd).toBe(60.74);
    expect(decision.evidence).toMatchObject({
      cpuPct: 84,
      p99LatencyMs: 200,
      cpuTargetPct: 70,
      currentDesired: 10,
      recommendation: 12,
      sloBreaches: 0,
      missingKpis: 0,
    });
    expect(decision.reason).toBe(
      'CPU 84 on 10 in-service instance(s) is 1.2× the target 70: scale out to 12.',
    );
  });

  it('names the breach behind a KPI scale-out and what else it considered', () => {
    const decision = decideScaling(inputOf(rows[2]!));
    expect(decision.reason).toContain(
      'p99LatencyMs 750 is 1.5× the objective 500 on 10 in-service instance(s): scale out to 15.',
    );
    expect(decision.reason).toContain('Also considered: CPU 50');
  });

  it('is less sure of a latency breach seen for one minute than of one that persists', () => {
    const slow = (ageSeconds: number) => sample({ cpuPct: 50, p99LatencyMs: 750 }, ageSeconds);
    const base = inputOf(rows[2]!);
    const once = decideScaling({ ...base, recent: [sample({}, 180), sample({}, 120), slow(60)] });
    const persisting = decideScaling({ ...base, recent: [sample({}, 180), slow(120), slow(60)] });
    expect([once.desiredCapacity, once.confidence, once.evidence['sloBreachedMinutesOfLast3']]).toEqual([
      15, 0.7, 1,
    ]);
    expect([
      persisting.desiredCapacity,
      persisting.confidence,
      persisting.evidence['sloBreachedMinutesOfLast3'],
    ]).toEqual([15, 0.9, 2]);
  });

  it('says why it will not act on stale data', () => {
    const decision = decideScaling(inputOf(rows.find((r) => r.rule === 'data/stale')!));
    expect(decision.reason).toContain('Latest KPI sample is 240 s old: not acting on stale data.');
    expect(decision.evidence['stale']).toBe(1);
  });

  it('reports missing KPIs rather than treating them as fine', () => {
    const decision = decideScaling(inputOf(rows.find((r) => r.risk === 'high')!));
    expect(decision.reason).toContain('Not measured: p99LatencyMs.');
    expect(decision.evidence['missingKpis']).toBe(1);
  });

  it('remembers the highest recommendation so a KPI scale-out is not undone by the next scale-in', () => {
    const decision = decideScaling(inputOf(rows[2]!));
    expect(decision.evidence['recommendation']).toBe(15);
  });

  it('scales in only to the highest recommendation within the stabilisation window', () => {
    const input = inputOf(rows.find((r) => r.risk === 'medium')!);
    const decision = decideScaling({
      ...input,
      state: { serviceId: 'web', version: 2, recentRecommendations: [{ at: now - 300_000, desired: 8 }] },
    });
    expect(decision.desiredCapacity).toBe(8);
  });
});

describe('decideScaling properties', () => {
  const arbitrary = fc.record({
    desired: fc.integer({ min: 0, max: 80 }),
    warmingUp: fc.integer({ min: 0, max: 5 }),
    groupMin: fc.integer({ min: 0, max: 5 }),
    groupMax: fc.integer({ min: 5, max: 100 }),
    cpuPct: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
    p99LatencyMs: fc.option(fc.double({ min: 1, max: 10_000, noNaN: true }), { nil: undefined }),
    errorRatePct: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
    ageSeconds: fc.integer({ min: 0, max: 600 }),
    floor: fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: undefined }),
  });

  it('stays within the effective [min, max] and one step of a fleet inside it', () => {
    fc.assert(
      fc.property(arbitrary, (a) => {
        const f = fleet(a.desired, {
          inService: Math.max(0, a.desired - a.warmingUp),
          warmingUp: Math.min(a.warmingUp, a.desired),
          min: a.groupMin,
          max: a.groupMax,
        });
        const latest: KpiSample = { at: now - a.ageSeconds * 1000 };
        if (a.cpuPct !== undefined) latest.cpuPct = a.cpuPct;
        if (a.p99LatencyMs !== undefined) latest.p99LatencyMs = a.p99LatencyMs;
        if (a.errorRatePct !== undefined) latest.errorRatePct = a.errorRatePct;
        const decision = decideScaling({
          service: web,
          fleet: f,
          latest,
          recent: [latest],
          state: undefined,
          now,
          ...(a.floor === undefined ? {} : { forecastFloor: floor(a.floor) }),
        });
        const min = Math.max(web.capacity.min, a.groupMin);
        const max = Math.min(web.capacity.max, a.groupMax);
        const d = decision.desiredCapacity;
        const inside = a.desired >= min && a.desired <= max;
        return (
          d >= min &&
          d <= max &&
          (!inside || Math.abs(d - a.desired) <= stepLimit(a.desired, web.capacity)) &&
          decision.confidence >= 0 &&
          decision.confidence <= 1
        );
      }),
    );
  });
});
