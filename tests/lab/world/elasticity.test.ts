import { describe, expect, it } from '@jest/globals';
import { elasticSpeedup, elasticity } from '@headroom/lab/bench/elasticity';

describe('elasticity (SPEC RG metrics)', () => {
  it('hand case: under once, over twice, one supply move against demand', () => {
    // d: 2 3 3 1, s: 2 2 4 4. Minute 1 short by 1 (1/3 of demand); minutes 2, 3 over by 1 and 3.
    const m = elasticity([2, 3, 3, 1], [2, 2, 4, 4]);
    expect(m.minutes).toBe(4);
    expect(m.thetaU).toBeCloseTo(0.25, 12);
    expect(m.thetaO).toBeCloseTo(1, 12);
    expect(m.thetaUPct).toBeCloseTo((100 * (1 / 3)) / 4, 12);
    expect(m.thetaOPct).toBeCloseTo((100 * (1 / 3 + 3)) / 4, 12);
    expect(m.tauU).toBeCloseTo(25, 12);
    expect(m.tauO).toBeCloseTo(50, 12);
    // Steps: (d+, s=) lag; (d=, s+) against; (d−, s=) lag.
    expect(m.instability).toBeCloseTo(100 / 3, 12);
    expect(m.instabilityK).toBeCloseTo(200 / 3, 12);
    expect(m.instabilityKPrime).toBeCloseTo(100 / 3, 12);
  });

  it('perfect tracking scores zero everywhere', () => {
    const d = [1, 4, 9, 4, 1];
    expect(elasticity(d, d)).toEqual({
      minutes: 5,
      thetaU: 0,
      thetaO: 0,
      thetaUPct: 0,
      thetaOPct: 0,
      tauU: 0,
      tauO: 0,
      instability: 0,
      instabilityK: 0,
      instabilityKPrime: 0,
    });
  });

  it('supply falling while demand rises is instability, counted in k′', () => {
    const m = elasticity([1, 2], [3, 2]);
    expect([m.instability, m.instabilityK, m.instabilityKPrime]).toEqual([100, 0, 100]);
  });

  it('a surplus over zero demand is measured against one instance', () => {
    const m = elasticity([0, 0], [1, 0]);
    expect(m.thetaO).toBe(0.5);
    expect(m.thetaOPct).toBe(50);
  });

  it('refuses series of different lengths or no minutes', () => {
    expect(() => elasticity([1, 2], [1])).toThrow(/2 minutes but supply has 1/);
    expect(() => elasticity([], [])).toThrow(/at least one minute/);
  });
});

describe('elasticSpeedup', () => {
  it('is the geometric mean of baseline / candidate over θU, θO, τU, τO', () => {
    const baseline = { thetaU: 2, thetaO: 4, tauU: 10, tauO: 40 };
    expect(elasticSpeedup(baseline, { thetaU: 1, thetaO: 2, tauU: 5, tauO: 20 })).toBeCloseTo(2, 12);
    expect(elasticSpeedup(baseline, { thetaU: 2, thetaO: 16, tauU: 10, tauO: 40 })).toBeCloseTo(
      Math.SQRT1_2,
      12,
    );
  });

  it('floors a perfect score at the measurement resolution instead of dividing by zero', () => {
    const speedup = elasticSpeedup(
      { thetaU: 0.02, thetaO: 1, tauU: 1, tauO: 1 },
      { thetaU: 0, thetaO: 1, tauU: 1, tauO: 1 },
    );
    expect(speedup).toBeCloseTo(2 ** 0.25, 12);
  });
});
