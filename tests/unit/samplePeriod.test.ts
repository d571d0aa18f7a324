import { describe, expect, it } from '@jest/globals';
import { observedPeriodSeconds } from '@headroom/core';

const at = (minutes: number[]) => minutes.map((m) => ({ at: m * 60_000, cpuPct: 50 }));

describe('observedPeriodSeconds', () => {
  it('reads the period the datapoints arrive at, in whole query periods', () => {
    expect(observedPeriodSeconds(at([0, 1, 2, 3]), 60)).toBe(60);
    expect(observedPeriodSeconds(at([0, 5, 10]), 60)).toBe(300);
  });

  it('is not fooled by a missing datapoint, which only widens one gap', () => {
    expect(observedPeriodSeconds(at([0, 5, 15, 20]), 60)).toBe(300);
    expect(observedPeriodSeconds(at([0, 1, 3, 4]), 60)).toBe(60);
  });

  it('cannot tell from fewer than two samples, or from samples at one instant', () => {
    expect(observedPeriodSeconds([], 60)).toBeUndefined();
    expect(observedPeriodSeconds(at([7]), 60)).toBeUndefined();
    expect(observedPeriodSeconds(at([7, 7]), 60)).toBeUndefined();
  });
});
