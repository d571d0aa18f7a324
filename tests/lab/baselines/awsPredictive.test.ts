import { describe, expect, it } from '@jest/globals';
import type { PolicyObservation } from '@headroom/core';
import { awsCombinedPolicy } from '@headroom/lab/baselines/awsCombined';
import { awsPredictivePolicy } from '@headroom/lab/baselines/awsPredictive';
import { HOUR, MINUTE, minutes, T0 } from './observations.js';

/** 4,200 requests/min outside 12:00–18:00 UTC, 8,400 inside; one instance serves 420 at 70 % CPU. */
const load = (t: number) => {
  const hour = new Date(t).getUTCHours();
  return hour >= 12 && hour < 18 ? 8400 : 4200;
};

/** Runs the policy over [from, to] on a fleet of 20 and returns its decision at each minute. */
function run(
  policy: { decide(o: PolicyObservation): number },
  to: number,
  desired = 20,
  inService = desired,
): Map<number, number> {
  const decisions = new Map<number, number>();
  for (const obs of minutes(T0, to, load, () => ({ desired, inService }))) {
    decisions.set(obs.at, policy.decide(obs));
  }
  return decisions;
}

describe('aws-predictive', () => {
  it('does nothing before 24 hours of history', () => {
    const decisions = run(awsPredictivePolicy({ targetCpuPct: 70 }), T0 + 23 * HOUR, 1);
    expect([...decisions.values()].every((d) => d === 1)).toBe(true);
  });

  it('raises capacity for each hour SchedulingBufferTime (300 s) before it starts, to load / per-instance load at target', () => {
    // desired 1 so that each decision shows the scheduled minimum; 12 in service keep CPU readable (≤ 95 %).
    const decisions = run(awsPredictivePolicy({ targetCpuPct: 70 }), T0 + 42 * HOUR + 10 * MINUTE, 1, 12);
    // Day 2, 17:54: the 17:00 hour's forecast (8,400 / 420 = 20); 17:55: the 18:00 hour's (4,200 / 420 = 10).
    expect(decisions.get(T0 + 41 * HOUR + 54 * MINUTE)).toBe(20);
    expect(decisions.get(T0 + 41 * HOUR + 55 * MINUTE)).toBe(10);
  });

  it('never scales in, and never exceeds max capacity', () => {
    const policy = awsPredictivePolicy({ targetCpuPct: 70 });
    let last = 0;
    for (const obs of minutes(T0, T0 + 40 * HOUR, load, () => ({ desired: 30, inService: 30, max: 18 }))) {
      last = policy.decide(obs);
      expect(last).toBeLessThanOrEqual(18);
    }
    expect(last).toBe(18);
    const keeps = awsPredictivePolicy({ targetCpuPct: 70 });
    const decisions = run(keeps, T0 + 30 * HOUR, 25);
    expect(Math.min(...decisions.values())).toBe(25);
  });
});

describe('aws-combined: predictive minimum under target tracking', () => {
  it('holds the predictive minimum where target tracking alone would scale in', () => {
    // 20 instances at 4,200 requests/min run at 35 % CPU: target tracking alone scales in after 15 minutes.
    const combined = run(awsCombinedPolicy({ targetCpuPct: 70 }), T0 + 30 * HOUR);
    expect(combined.get(T0 + 29 * HOUR)).toBe(10);
    expect(combined.get(T0 + 10 * HOUR)).toBe(10);
  });

  it('scales out above the minimum on its own CPU alarm', () => {
    const policy = awsCombinedPolicy({ targetCpuPct: 70 });
    let last = 0;
    // 5 instances at 8,400/min: 280 % of capacity, CPU saturated at 100 %: ceil(5 × 100 / 70) = 8.
    for (const obs of minutes(
      T0,
      T0 + 3 * MINUTE,
      () => 8400,
      () => ({ desired: 5, inService: 5 }),
    )) {
      last = policy.decide(obs);
    }
    expect(last).toBe(8);
  });
});

describe('aws-combined at each target of the frontier, by table', () => {
  // 5 instances at 8,400/min, CPU saturated at 100 % for 3 minutes: AlarmHigh, ceil(5 × 100 / target).
  it.each([
    [40, 13],
    [50, 10],
    [60, 9],
    [70, 8],
    [80, 7],
  ])('target %i %%: scales out to %i before any forecast exists', (targetCpuPct, expected) => {
    const policy = awsCombinedPolicy({ targetCpuPct });
    let last = 0;
    for (const obs of minutes(
      T0,
      T0 + 3 * MINUTE,
      () => 8400,
      () => ({ desired: 5, inService: 5 }),
    )) {
      last = policy.decide(obs);
    }
    expect(last).toBe(expected);
  });
});
