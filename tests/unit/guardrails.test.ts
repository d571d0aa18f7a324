import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  applyGuardrails,
  needsApproval,
  nextServiceState,
  stepLimit,
  utcDay,
  type CapacityLimits,
  type DecisionRecord,
  type GuardrailContext,
  type ScalingDecision,
  type ServiceState,
} from '@headroom/core';

const now = Date.UTC(2026, 10, 24, 12, 0, 0);
const today = utcDay(now);
const limits: CapacityLimits = { min: 2, max: 20, maxStepPct: 100, maxStepInstances: 4 };

function decision(current: number, desired: number, more: Partial<ScalingDecision> = {}): ScalingDecision {
  return {
    serviceId: 'web',
    at: now,
    currentCapacity: current,
    desiredCapacity: desired,
    action: desired > current ? 'scale-out' : desired < current ? 'scale-in' : 'hold',
    rule: 'target-tracking/test',
    reason: 'Test decision.',
    evidence: {},
    monthlyCostDeltaUsd: (desired - current) * 30,
    risk: 'low',
    confidence: 0.9,
    ...more,
  };
}

const ctx = (more: Partial<GuardrailContext> = {}): GuardrailContext => ({
  mode: 'apply',
  killSwitch: false,
  now,
  state: undefined,
  cooldownSeconds: 300,
  dailyActionBudget: 10,
  limits,
  ...more,
});
const state = (more: Partial<ServiceState>): ServiceState => ({ serviceId: 'web', version: 3, ...more });

describe('applyGuardrails by table', () => {
  it.each([
    // name, decision, context, outcome, guardrails, desired after trimming
    ['hold is unchanged', decision(5, 5), ctx(), 'unchanged', [], 5],
    [
      'hold is unchanged even with the kill switch',
      decision(5, 5),
      ctx({ killSwitch: true }),
      'unchanged',
      [],
      5,
    ],
    ['apply within limits', decision(5, 8), ctx(), 'applied', [], 8],
    ['advise recommends', decision(5, 8), ctx({ mode: 'advise' }), 'recommended', [], 8],
    [
      'advise is not held back by the cooldown',
      decision(5, 8),
      ctx({ mode: 'advise', state: state({ lastActionAt: now - 1000 }) }),
      'recommended',
      [],
      8,
    ],
    ['off blocks', decision(5, 8), ctx({ mode: 'off' }), 'blocked', ['mode-off'], 8],
    ['kill switch blocks', decision(5, 8), ctx({ killSwitch: true }), 'blocked', ['kill-switch'], 8],
    [
      'kill switch blocks advice too',
      decision(5, 8),
      ctx({ mode: 'advise', killSwitch: true }),
      'blocked',
      ['kill-switch'],
      8,
    ],
    [
      'cooldown blocks',
      decision(5, 8),
      ctx({ state: state({ lastActionAt: now - 299_000 }) }),
      'blocked',
      ['cooldown'],
      8,
    ],
    [
      'cooldown over',
      decision(5, 8),
      ctx({ state: state({ lastActionAt: now - 300_000 }) }),
      'applied',
      [],
      8,
    ],
    [
      'budget spent today blocks',
      decision(5, 8),
      ctx({ dailyActionBudget: 3, state: state({ actionsDay: today, actionsToday: 3 }) }),
      'blocked',
      ['daily-budget'],
      8,
    ],
    [
      'budget from yesterday does not count',
      decision(5, 8),
      ctx({ dailyActionBudget: 3, state: state({ actionsDay: today - 1, actionsToday: 9 }) }),
      'applied',
      [],
      8,
    ],
    [
      'budget not yet spent',
      decision(5, 8),
      ctx({ dailyActionBudget: 3, state: state({ actionsDay: today, actionsToday: 2 }) }),
      'applied',
      [],
      8,
    ],
    ['step trims scale-out', decision(5, 12), ctx(), 'applied', ['max-step'], 9],
    ['max trims', decision(18, 21), ctx(), 'applied', ['max-capacity'], 20],
    ['step then max', decision(18, 30), ctx(), 'applied', ['max-step', 'max-capacity'], 20],
    ['at max the change is blocked', decision(20, 23), ctx(), 'blocked', ['max-capacity'], 20],
    ['min trims scale-in', decision(4, 1), ctx(), 'applied', ['min-capacity'], 2],
    [
      'min raises a fleet below it past the step',
      decision(0, 1),
      ctx({ limits: { ...limits, min: 6, maxStepInstances: 2 } }),
      'applied',
      ['min-capacity'],
      6,
    ],
    [
      'large scale-in needs approval',
      decision(12, 8),
      ctx({ approvalScaleInPct: 25 }),
      'approval-required',
      ['approval'],
      8,
    ],
    ['small scale-in does not', decision(12, 10), ctx({ approvalScaleInPct: 25 }), 'applied', [], 10],
    [
      'trimmed scale-in judged after trimming',
      decision(16, 2),
      ctx({ approvalScaleInPct: 25 }),
      'applied',
      ['max-step'],
      12,
    ],
    [
      'high risk needs approval',
      decision(5, 6, { risk: 'high' }),
      ctx(),
      'approval-required',
      ['approval'],
      6,
    ],
    [
      'high risk is only advice in advise mode',
      decision(5, 6, { risk: 'high' }),
      ctx({ mode: 'advise' }),
      'recommended',
      [],
      6,
    ],
  ] as const)('%s', (_name, d, c, outcome, guardrails, desired) => {
    const record = applyGuardrails(d, c);
    expect(record.outcome).toBe(outcome);
    expect(record.guardrails).toEqual(guardrails);
    expect(record.decision.desiredCapacity).toBe(desired);
  });

  it('a trimmed decision says so and scales its cost delta', () => {
    const { decision: trimmed } = applyGuardrails(decision(5, 12), ctx());
    expect(trimmed.reason).toBe('Test decision. Trimmed from 12 to 9 by max-step.');
    expect(trimmed.monthlyCostDeltaUsd).toBe(120);
    expect(trimmed.evidence['wantedCapacity']).toBe(12);
  });
});

describe('needsApproval', () => {
  it.each([
    [10, 4, 'low', 50, true],
    [10, 5, 'low', 50, false],
    [10, 20, 'low', 50, false],
    [10, 11, 'high', 50, true],
    [10, 10, 'high', 50, false],
    [4, 3, 'medium', 20, true],
  ] as const)('%i -> %i (%s risk, threshold %i%%) is %s', (current, desired, risk, threshold, expected) => {
    expect(needsApproval(decision(current, desired, { risk }), threshold)).toBe(expected);
  });
});

describe('nextServiceState', () => {
  const applied = (d: ScalingDecision): DecisionRecord => ({
    decision: d,
    outcome: 'applied',
    guardrails: [],
  });

  it('starts a state on the first evaluation', () => {
    expect(
      nextServiceState(
        undefined,
        { decision: decision(5, 5), outcome: 'unchanged', guardrails: [] },
        now,
        900,
      ),
    ).toEqual({
      serviceId: 'web',
      version: 1,
      actionsDay: today,
      actionsToday: 0,
      recentRecommendations: [{ at: now, desired: 5 }],
    });
  });

  it('counts an applied action and stamps it', () => {
    const next = nextServiceState(
      state({ actionsDay: today, actionsToday: 2, lastActionAt: 1 }),
      applied(decision(5, 8)),
      now,
      900,
    );
    expect(next).toMatchObject({ version: 4, lastActionAt: now, actionsToday: 3, actionsDay: today });
  });

  it('resets the counter on a new UTC day and keeps the last action time when nothing is applied', () => {
    const next = nextServiceState(
      state({ actionsDay: today - 1, actionsToday: 7, lastActionAt: now - 3_600_000 }),
      { decision: decision(5, 8), outcome: 'blocked', guardrails: ['cooldown'] },
      now,
      900,
    );
    expect(next).toMatchObject({ actionsDay: today, actionsToday: 0, lastActionAt: now - 3_600_000 });
  });

  it('remembers the unstabilised recommendation and forgets ones older than the window', () => {
    const old = { at: now - 901_000, desired: 9 };
    const kept = { at: now - 600_000, desired: 7 };
    const d = decision(8, 8, { evidence: { recommendation: 4 } });
    const next = nextServiceState(state({ recentRecommendations: [old, kept] }), applied(d), now, 900);
    expect(next.recentRecommendations).toEqual([kept, { at: now, desired: 4 }]);
  });
});

describe('guardrail properties', () => {
  const arbitrary = fc.record({
    min: fc.integer({ min: 0, max: 10 }),
    span: fc.integer({ min: 0, max: 40 }),
    maxStepPct: fc.integer({ min: 1, max: 200 }),
    maxStepInstances: fc.integer({ min: 1, max: 20 }),
    current: fc.integer({ min: 0, max: 60 }),
    desired: fc.integer({ min: 0, max: 100 }),
    mode: fc.constantFrom('advise' as const, 'apply' as const, 'off' as const),
    killSwitch: fc.boolean(),
  });

  it('a record that acts or recommends stays in [min, max] and within one step of a fleet inside it', () => {
    fc.assert(
      fc.property(arbitrary, (a) => {
        const l = {
          min: a.min,
          max: a.min + a.span,
          maxStepPct: a.maxStepPct,
          maxStepInstances: a.maxStepInstances,
        };
        const record = applyGuardrails(
          decision(a.current, a.desired),
          ctx({ limits: l, mode: a.mode, killSwitch: a.killSwitch }),
        );
        const d = record.decision.desiredCapacity;
        if (record.outcome === 'unchanged' || record.outcome === 'blocked') return true;
        const inside = d >= l.min && d <= l.max;
        const fleetInside = a.current >= l.min && a.current <= l.max;
        return inside && (!fleetInside || Math.abs(d - a.current) <= stepLimit(a.current, l));
      }),
    );
  });

  it('nothing is applied with the kill switch on or the mode not apply', () => {
    fc.assert(
      fc.property(arbitrary, (a) => {
        const record = applyGuardrails(
          decision(a.current, a.desired),
          ctx({ mode: a.mode, killSwitch: a.killSwitch }),
        );
        return record.outcome !== 'applied' || (a.mode === 'apply' && !a.killSwitch);
      }),
    );
  });
});
