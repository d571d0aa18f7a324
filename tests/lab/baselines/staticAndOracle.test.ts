import { describe, expect, it } from '@jest/globals';
import { oraclePolicy } from '@headroom/lab/baselines/oracle';
import { fixedPolicy, staticMeanPolicy, staticPeakPolicy } from '@headroom/lab/baselines/staticPolicies';
import { MINUTE, observe, T0 } from './observations.js';

describe('static baselines', () => {
  const demand = [2, 3, 9, 4, 2];

  it.each([
    ['static-peak holds the highest demand', staticPeakPolicy(demand), 9],
    ['static-mean holds the mean demand, rounded up (20 / 5 = 4)', staticMeanPolicy(demand), 4],
    ['static-mean rounds 4.2 up to 5', staticMeanPolicy([4, 4, 4, 4, 5]), 5],
  ])('%s', (_, policy, expected) => {
    expect(policy.decide(observe(T0, {}))).toBe(expected);
    expect(policy.decide(observe(T0 + MINUTE, {}, { desired: 30 }))).toBe(expected);
  });

  it('refuses a fractional capacity', () => {
    expect(() => fixedPolicy('x', 2.5)).toThrow(/x: capacity must be an integer ≥ 0, got 2.5/);
  });
});

describe('oracle: the highest demand over [t, t + lead + 1 min]', () => {
  // lead 300 s → 5 minutes, plus the minute in which an instance turns ready.
  const demand = [1, 1, 1, 1, 1, 1, 1, 6, 1, 1, 1, 1, 1, 1, 1, 1, 2];
  const oracle = oraclePolicy({ demand, startAt: T0, leadSeconds: 300 });
  const at = (minute: number) => oracle.decide(observe(T0 + minute * MINUTE, {}, { min: 1 }));

  it.each([
    [0, 1],
    [1, 6],
    [7, 6],
    [8, 1],
    [10, 2],
    [16, 2],
    [40, 1],
  ])('minute %i wants %i', (minute, expected) => {
    expect(at(minute)).toBe(expected);
  });
});
