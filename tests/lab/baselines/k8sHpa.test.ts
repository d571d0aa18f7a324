import { describe, expect, it } from '@jest/globals';
import type { FleetCapacity } from '@headroom/core';
import {
  hpaRecommendation,
  k8sHpaPolicy,
  type K8sHpaOptions,
  scaleDownLimit,
  scaleUpLimit,
  K8S_HPA_DEFAULTS,
} from '@headroom/lab/baselines/k8sHpa';
import { MINUTE, observe, T0 } from './observations.js';

/** Feeds one CPU reading a minute on a fleet that stays as given; returns every minute's decision. */
function decisions(
  cpus: (number | undefined)[],
  fleet: Partial<FleetCapacity> = {},
  options: Partial<K8sHpaOptions> = {},
): number[] {
  const policy = k8sHpaPolicy({ targetCpuPct: 70, ...options });
  return cpus.map((cpu, i) =>
    policy.decide(observe(T0 + i * MINUTE, cpu === undefined ? {} : { cpuPct: cpu }, fleet)),
  );
}
const times = (n: number, cpu: number) => new Array<number>(n).fill(cpu);

describe('k8s-hpa: the replica calculator, by table (target 70 %)', () => {
  it.each<[string, number | undefined, number, number, number, number]>([
    // name, cpu, ready, not ready, current, expected
    ['ratio 1.07 is within the 0.1 tolerance: no change', 75, 10, 0, 10, 10],
    ['ratio 0.91 is within the tolerance too', 64, 10, 0, 10, 10],
    ['ratio 1.2: ceil(10 × 84 / 70)', 84, 10, 0, 10, 12],
    ['ratio 0.5: ceil(10 × 35 / 70)', 35, 10, 0, 10, 5],
    ['not-ready pods count 0 % on a scale-up: 1.2 × 10 / 12 = 1.0, within tolerance', 84, 10, 2, 12, 12],
    ['not-ready pods count 0 % on a scale-up: ceil(98 / 70 × 10) = 14', 98, 10, 2, 12, 14],
    ['not-ready pods left out on a scale-down: ceil(10 × 0.5)', 35, 10, 1, 11, 5],
    ['no metric: no recommendation other than the current count', undefined, 10, 0, 10, 10],
    ['no ready pod: no metric to average', 90, 0, 3, 3, 3],
  ])('%s', (_, cpuPct, ready, notReady, current, expected) => {
    expect(hpaRecommendation({ cpuPct, ready, notReady, current }, 70, 0.1)).toBe(expected);
  });
});

describe('k8s-hpa: rate policies under selectPolicy Max, by table (defaults)', () => {
  const none = () => 0;
  it.each<[string, number, (s: number) => number, number]>([
    ['from 2: 4 Pods beat 100 %', 2, none, 6],
    ['from 10: 100 % beats 4 Pods', 10, none, 20],
    ['from 4: both give 8', 4, none, 8],
    ['6 added in the period: counted from the period start of 4', 10, () => 6, 8],
  ])('scale-up %s', (_, current, added, expected) => {
    expect(scaleUpLimit(current, added, K8S_HPA_DEFAULTS.scaleUpPolicies)).toBe(expected);
  });

  it('scale-down by 100 % per 15 s: any target at once', () => {
    expect(scaleDownLimit(10, () => 0, K8S_HPA_DEFAULTS.scaleDownPolicies)).toBe(0);
  });
});

describe('k8s-hpa: the policy minute by minute, by table (target 70 %, 10 ready pods)', () => {
  it.each<[string, (number | undefined)[], Partial<FleetCapacity>, Partial<K8sHpaOptions>, number[]]>([
    ['scales up on the first reading: no scale-up stabilisation', [84], {}, {}, [12]],
    [
      'four syncs a minute: 100 % per 15 s compounds to the whole proposal',
      [100],
      {},
      { targetCpuPct: 20 },
      [50],
    ],
    [
      'one sync a minute: limited to 100 % per period',
      [100],
      {},
      { targetCpuPct: 20, syncPeriodSeconds: 60 },
      [20],
    ],
    [
      'one sync a minute from 2 pods: 4 Pods per period',
      [100],
      { inService: 2, desired: 2 },
      { targetCpuPct: 20, syncPeriodSeconds: 60 },
      [6],
    ],
    ['max is respected', [100], { max: 12 }, { targetCpuPct: 20 }, [12]],
    [
      'scale-down waits until the 300 s window holds no higher recommendation',
      [...times(4, 70), ...times(6, 35)],
      {},
      {},
      [10, 10, 10, 10, 10, 10, 10, 10, 5, 5],
    ],
    [
      'a new HPA has no past recommendation to hold; min is respected',
      times(3, 5),
      { min: 2 },
      {},
      [2, 2, 2],
    ],
    ['a missing reading changes nothing', [undefined, undefined], {}, {}, [10, 10]],
  ])('%s', (_, cpus, fleet, options, expected) => {
    expect(decisions(cpus, fleet, options)).toEqual(expected);
  });

  it('refuses a target outside (0, 100]', () => {
    expect(() => k8sHpaPolicy({ targetCpuPct: 120 })).toThrow(/targetCpuPct must be in \(0, 100\], got 120/);
  });
});
