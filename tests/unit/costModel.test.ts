import { describe, expect, it } from '@jest/globals';
import {
  HOURS_PER_MONTH,
  billedInstanceSeconds,
  fleetCostUsd,
  instanceHoursCostUsd,
  monthlyCostDeltaUsd,
} from '@headroom/core';

describe('cost model (hand-computed)', () => {
  it('instance-hours × price', () => {
    expect(instanceHoursCostUsd(24, 0.1)).toBeCloseTo(2.4, 10);
    expect(instanceHoursCostUsd(0, 0.1)).toBe(0);
  });

  it.each([
    // from, to, price, delta: 2 more t3.medium = 2 × 730 × 0.0416 = 60.736 → 60.74
    [10, 12, 0.0416, 60.74],
    [12, 10, 0.0416, -60.74],
    [5, 5, 0.0416, 0],
    [4, 1, 0.192, -420.48], // 3 × 730 × 0.192 = 420.48
    [0, 1, 1, 730],
  ])('monthly delta %i -> %i at $%f/h is %f', (from, to, price, delta) => {
    expect(monthlyCostDeltaUsd(from, to, price)).toBe(delta);
    expect(HOURS_PER_MONTH).toBe(730);
  });

  it.each([
    // instanceSeconds, launches, price, cost
    [3600, 1, 0.1, 0.1], // one hour
    [7200, 2, 0.36, 0.72], // two instance-hours
    [30, 1, 3.6, 0.06], // a 30 s run is billed 60 s: 60/3600 × 3.6
    [90, 1, 3.6, 0.09], // past the minimum, per second
    [0, 0, 1, 0],
    [100, 3, 3.6, 0.18], // three launches are at least 180 s
  ])('fleet of %i s over %i launches at $%f/h is $%f', (seconds, launches, price, cost) => {
    expect(fleetCostUsd(seconds, launches, price)).toBeCloseTo(cost, 10);
  });

  it('bills each launch at least a minute, per instance', () => {
    expect(billedInstanceSeconds([30, 90, 3600])).toBe(60 + 90 + 3600);
    expect(billedInstanceSeconds([])).toBe(0);
  });

  it('rejects negative totals', () => {
    expect(() => fleetCostUsd(-1, 0, 1)).toThrow(
      'fleetCostUsd: instanceSeconds (-1) and launches (0) must not be negative',
    );
  });
});
