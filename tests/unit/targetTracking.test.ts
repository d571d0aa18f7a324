/** Target tracking by table, the way the HPA's replica_calculator_test.go tests its calculator. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stepLimit, targetTracking, type CapacityLimits, type TargetTrackingInput } from '@headroom/core';

const now = 1_800_000_000_000;
const min = (m: number) => now - m * 60_000;
const limits: CapacityLimits = { min: 1, max: 50, maxStepPct: 100, maxStepInstances: 10 };

interface Row {
  name: string;
  current: number;
  inService?: number;
  warmingUp?: number;
  metric: number | undefined;
  target?: number;
  tolerance?: number;
  limits?: Partial<CapacityLimits>;
  recent?: [minutesAgo: number, desired: number][];
  expected: number;
  rule: string;
  recommendation?: number;
}

const rows: Row[] = [
  // Proportional scale-out, rounded up.
  { name: 'scale out proportionally', current: 3, metric: 90, target: 50, expected: 6, rule: 'scale-out' },
  { name: 'scale out rounds up', current: 4, metric: 80, target: 70, expected: 5, rule: 'scale-out' },
  {
    name: 'exact ratio has no float drift',
    current: 10,
    metric: 77.7,
    target: 70,
    expected: 12,
    rule: 'scale-out',
  },
  {
    name: 'double load doubles capacity',
    current: 5,
    metric: 100,
    target: 50,
    expected: 10,
    rule: 'scale-out',
  },
  // Tolerance band (default 0.1).
  { name: 'on target holds', current: 4, metric: 70, expected: 4, rule: 'hold-tolerance' },
  { name: 'just inside tolerance above', current: 4, metric: 77, expected: 4, rule: 'hold-tolerance' },
  { name: 'just inside tolerance below', current: 4, metric: 63, expected: 4, rule: 'hold-tolerance' },
  { name: 'just outside tolerance above', current: 10, metric: 77.5, expected: 12, rule: 'scale-out' },
  {
    name: 'wider tolerance holds',
    current: 10,
    metric: 84,
    tolerance: 0.25,
    expected: 10,
    rule: 'hold-tolerance',
  },
  {
    name: 'zero tolerance acts on a small excess',
    current: 10,
    metric: 72,
    tolerance: 0,
    expected: 11,
    rule: 'scale-out',
  },
  // Scale-in, conservative.
  {
    name: 'scale in with no history',
    current: 10,
    metric: 35,
    expected: 5,
    rule: 'scale-in',
    recommendation: 5,
  },
  { name: 'idle fleet goes to min', current: 6, metric: 0, expected: 1, rule: 'scale-in' },
  {
    name: 'scale in to the highest recommendation in the window',
    current: 10,
    metric: 35,
    recent: [
      [5, 8],
      [10, 7],
    ],
    expected: 8,
    rule: 'scale-in',
    recommendation: 5,
  },
  {
    name: 'window holding the current size holds',
    current: 10,
    metric: 35,
    recent: [
      [14, 10],
      [1, 6],
    ],
    expected: 10,
    rule: 'hold-stabilization',
    recommendation: 5,
  },
  {
    name: 'recommendations older than the window are ignored',
    current: 10,
    metric: 35,
    recent: [
      [16, 12],
      [20, 10],
    ],
    expected: 5,
    rule: 'scale-in',
  },
  {
    name: 'a recommendation exactly at the cutoff is outside',
    current: 10,
    metric: 35,
    recent: [[15, 10]],
    expected: 5,
    rule: 'scale-in',
  },
  {
    name: 'a higher past recommendation does not scale out',
    current: 10,
    metric: 35,
    recent: [[2, 14]],
    expected: 10,
    rule: 'hold-stabilization',
  },
  // Warm-up: instances still warming are left out of the metric.
  {
    name: 'scale out counts only in-service instances',
    current: 6,
    inService: 4,
    warmingUp: 2,
    metric: 140,
    expected: 8,
    rule: 'scale-out',
  },
  {
    name: 'warming instances already cover the need',
    current: 6,
    inService: 4,
    warmingUp: 2,
    metric: 100,
    expected: 6,
    rule: 'hold-covered',
    recommendation: 6,
  },
  {
    name: 'no scale-in while instances warm up',
    current: 6,
    inService: 4,
    warmingUp: 2,
    metric: 20,
    expected: 6,
    rule: 'hold-warm-up',
  },
  {
    name: 'pending launches count as asked for',
    current: 8,
    inService: 4,
    warmingUp: 0,
    metric: 105,
    expected: 8,
    rule: 'hold-covered',
  },
  // Missing metric: hold, never scale in.
  { name: 'missing metric holds', current: 5, metric: undefined, expected: 5, rule: 'hold-no-metric' },
  { name: 'NaN metric holds', current: 5, metric: Number.NaN, expected: 5, rule: 'hold-no-metric' },
  {
    name: 'no in-service instance holds',
    current: 3,
    inService: 0,
    warmingUp: 3,
    metric: 90,
    expected: 3,
    rule: 'hold-no-metric',
  },
  {
    name: 'missing metric below min still rises to min',
    current: 0,
    inService: 0,
    metric: undefined,
    limits: { min: 2 },
    expected: 2,
    rule: 'scale-out',
  },
  // Step limits: the smaller of percent and instances, at least one.
  { name: 'step limited by instances', current: 20, metric: 140, expected: 30, rule: 'scale-out' },
  {
    name: 'step limited by percent',
    current: 10,
    metric: 140,
    limits: { maxStepPct: 30 },
    expected: 13,
    rule: 'scale-out',
  },
  {
    name: 'scale-in step limited too',
    current: 20,
    metric: 7,
    limits: { maxStepPct: 25 },
    expected: 15,
    rule: 'scale-in',
  },
  {
    name: 'tiny fleet may still move one',
    current: 1,
    metric: 300,
    limits: { maxStepPct: 10 },
    expected: 2,
    rule: 'scale-out',
  },
  // Min and max.
  { name: 'clamped at max', current: 45, metric: 140, expected: 50, rule: 'scale-out' },
  { name: 'at max holds', current: 50, metric: 140, expected: 50, rule: 'hold-at-max' },
  { name: 'at min holds', current: 2, metric: 7, limits: { min: 2 }, expected: 2, rule: 'hold-at-min' },
  { name: 'clamped at min', current: 3, metric: 7, limits: { min: 2 }, expected: 2, rule: 'scale-in' },
  {
    name: 'above max comes down even when on target',
    current: 60,
    metric: 70,
    expected: 50,
    rule: 'scale-in',
  },
  {
    name: 'min wins over the step limit',
    current: 2,
    metric: 70,
    limits: { min: 8, maxStepInstances: 2 },
    expected: 8,
    rule: 'scale-out',
  },
];

function inputOf(row: Row): TargetTrackingInput {
  return {
    currentDesired: row.current,
    inService: row.inService ?? row.current,
    warmingUp: row.warmingUp ?? 0,
    metric: row.metric,
    target: row.target ?? 70,
    ...(row.tolerance === undefined ? {} : { tolerance: row.tolerance }),
    limits: { ...limits, ...row.limits },
    recentRecommendations: (row.recent ?? []).map(([ago, desired]) => ({ at: min(ago), desired })),
    now,
    scaleInStabilizationSeconds: 900,
    metricName: 'CPU',
  };
}

describe('targetTracking by table', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const result = targetTracking(inputOf(row));
    expect(result.desired).toBe(row.expected);
    expect(result.rule).toBe(`target-tracking/${row.rule}`);
    if (row.recommendation !== undefined) expect(result.recommendation).toBe(row.recommendation);
    expect(result.evidence.desired).toBe(row.expected);
    expect(result.reason.length).toBeGreaterThan(10);
  });

  it('explains itself with the numbers', () => {
    const result = targetTracking(
      inputOf({ name: '', current: 10, metric: 84, expected: 12, rule: 'scale-out' }),
    );
    expect(result.reason).toBe('CPU 84 on 10 in-service instance(s) is 1.2× the target 70: scale out to 12.');
    expect(result.evidence).toMatchObject({
      metric: 84,
      target: 70,
      ratio: 1.2,
      recommended: 12,
      currentDesired: 10,
    });
  });

  it('says when the step limit trimmed the change', () => {
    const result = targetTracking(inputOf({ name: '', current: 20, metric: 140, expected: 30, rule: '' }));
    expect(result.reason).toContain('limited to 30 by the step limit of 10');
  });
});

describe('stepLimit', () => {
  it.each([
    [10, 100, 10, 10],
    [10, 50, 10, 5],
    [40, 100, 10, 10],
    [3, 10, 10, 1],
    [0, 100, 10, 1],
    [7, 50, 10, 3],
  ])('current %i, %i%%, %i instances -> %i', (current, maxStepPct, maxStepInstances, expected) => {
    expect(stepLimit(current, { min: 0, max: 100, maxStepPct, maxStepInstances })).toBe(expected);
  });
});

describe('targetTracking properties', () => {
  const arbitraryInput = fc
    .record({
      min: fc.integer({ min: 0, max: 20 }),
      span: fc.integer({ min: 0, max: 80 }),
      maxStepPct: fc.integer({ min: 1, max: 300 }),
      maxStepInstances: fc.integer({ min: 1, max: 30 }),
      current: fc.integer({ min: 0, max: 120 }),
      warmingUp: fc.integer({ min: 0, max: 10 }),
      metric: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
      target: fc.double({ min: 5, max: 95, noNaN: true }),
      recent: fc.array(
        fc.record({ ago: fc.integer({ min: 0, max: 3600 }), desired: fc.integer({ min: 0, max: 150 }) }),
      ),
    })
    .map((a): TargetTrackingInput => ({
      currentDesired: a.current,
      inService: Math.max(0, a.current - a.warmingUp),
      warmingUp: Math.min(a.warmingUp, a.current),
      metric: a.metric,
      target: a.target,
      limits: {
        min: a.min,
        max: a.min + a.span,
        maxStepPct: a.maxStepPct,
        maxStepInstances: a.maxStepInstances,
      },
      recentRecommendations: a.recent.map((r) => ({ at: now - r.ago * 1000, desired: r.desired })),
      now,
      scaleInStabilizationSeconds: 900,
    }));

  it('never leaves [min, max]', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const { desired } = targetTracking(input);
        return desired >= input.limits.min && desired <= input.limits.max;
      }),
    );
  });

  it('never moves more than one step from a fleet inside [min, max]', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const { currentDesired: current, limits: l } = input;
        fc.pre(current >= l.min && current <= l.max);
        return Math.abs(targetTracking(input).desired - current) <= stepLimit(current, l);
      }),
    );
  });

  it('never scales in without a metric or while instances warm up', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        fc.pre(input.metric === undefined || input.warmingUp > 0);
        fc.pre(input.currentDesired <= input.limits.max);
        return targetTracking(input).desired >= input.currentDesired;
      }),
    );
  });

  it('never scales in below a recommendation made within the window', () => {
    // Low load on a fully warmed fleet, so most runs reach the scale-in branch.
    const lowLoad = fc
      .tuple(arbitraryInput, fc.double({ min: 0, max: 0.85, noNaN: true }))
      .map(([input, share]) => ({
        ...input,
        inService: input.currentDesired,
        warmingUp: 0,
        metric: input.target * share,
      }));
    fc.assert(
      fc.property(lowLoad, (input) => {
        const { desired, rule } = targetTracking(input);
        if (rule !== 'target-tracking/scale-in' || input.currentDesired > input.limits.max) return true;
        const inWindow = input.recentRecommendations
          .filter((r) => r.at > now - 900_000)
          .map((r) => r.desired);
        return desired >= Math.max(0, ...inWindow);
      }),
    );
  });
});
