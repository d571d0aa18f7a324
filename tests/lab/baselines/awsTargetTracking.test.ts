import { describe, expect, it } from '@jest/globals';
import type { FleetCapacity } from '@headroom/core';
import { awsTargetTrackingPolicy } from '@headroom/lab/baselines/awsTargetTracking';
import { MINUTE, observe, T0 } from './observations.js';

/** Feeds CPU datapoints one a minute and returns the last decision. */
function decideAfter(cpus: (number | undefined)[], fleet: Partial<FleetCapacity> = {}, minimum = 0): number {
  const policy = awsTargetTrackingPolicy({ targetCpuPct: 70 });
  let desired = NaN;
  cpus.forEach((cpu, i) => {
    const obs = observe(T0 + i * MINUTE, cpu === undefined ? {} : { cpuPct: cpu }, fleet);
    desired = policy.decideWithMinimum(obs, minimum);
  });
  return desired;
}
const times = (n: number, cpu: number) => new Array<number>(n).fill(cpu);

describe('aws-target-tracking: the alarm rules, by table (target 70 %)', () => {
  it.each<[string, (number | undefined)[], Partial<FleetCapacity>, number]>([
    ['2 of 3 datapoints above: AlarmHigh not yet', [60, 84, 84], {}, 10],
    ['3 of 3 above: proportional scale-out, rounded up', times(3, 84), {}, 12],
    ['a missing datapoint breaks the 3 of 3', [84, undefined, 84, 84], {}, 10],
    ['instances in warm-up count as capacity already added', times(3, 84), { desired: 12, warmingUp: 2 }, 12],
    [
      'the metric rises further while warming: only the difference',
      times(3, 98),
      { desired: 12, warmingUp: 2 },
      14,
    ],
    ['saturated CPU reads 100 %: at most ×100/70 per step', times(3, 100), { inService: 10 }, 15],
    ['max is respected', times(3, 100), { inService: 30, desired: 30, max: 35 }, 35],
    ['14 of 15 below 0.9 × target: AlarmLow not yet', times(14, 35), {}, 10],
    ['15 of 15 below 63 %: scale in to ceil(10 × 35 / 70)', times(15, 35), {}, 5],
    ['15 below but an instance still warming: no scale-in', times(15, 35), { warmingUp: 1, desired: 11 }, 11],
    ['between 0.9 × target and target: nothing, ever', times(30, 65), {}, 10],
    ['min is respected on scale-in', times(15, 7), { min: 3 }, 3],
  ])('%s', (_, cpus, fleet, expected) => {
    expect(decideAfter(cpus, fleet)).toBe(expected);
  });

  it('scales in only down to a raised minimum (what predictive scaling sets)', () => {
    expect(decideAfter(times(15, 35), {}, 8)).toBe(8);
  });

  it('refuses a target outside (0, 100]', () => {
    expect(() => awsTargetTrackingPolicy({ targetCpuPct: 0 })).toThrow(
      /targetCpuPct must be in \(0, 100\], got 0/,
    );
  });
});

describe('aws-target-tracking at each target of the frontier, by table (15 minutes at 35 % CPU on 10)', () => {
  it.each([
    // AlarmLow needs 15 of 15 below 0.9 × target; then ceil(10 × 35 / target).
    [40, 9],
    [50, 7],
    [60, 6],
    [70, 5],
    [80, 5],
  ])('target %i %%: %i instances', (targetCpuPct, expected) => {
    const policy = awsTargetTrackingPolicy({ targetCpuPct });
    let desired = NaN;
    for (let i = 0; i < 15; i++) desired = policy.decide(observe(T0 + i * MINUTE, { cpuPct: 35 }));
    expect(desired).toBe(expected);
  });
});
