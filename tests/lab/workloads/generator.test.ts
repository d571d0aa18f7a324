import { describe, expect, it } from '@jest/globals';
import { DEFAULT_WORKLOAD, generateWorkload } from '@headroom/lab/workloads/generator';
import { demandSeries } from '@headroom/lab/world/queueing';

// Monday 2026-01-05 00:00 UTC.
const MONDAY = Date.UTC(2026, 0, 5);
const quiet = { burstsPerWeek: 0, noise: 0, trendPerDay: 0 };

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('generateWorkload', () => {
  it('gives one value per minute and the same values for the same seed', () => {
    const a = generateWorkload({ seed: 7, startAt: MONDAY, days: 2 });
    expect(a).toHaveLength(2 * 1440);
    expect(generateWorkload({ seed: 7, startAt: MONDAY, days: 2 })).toEqual(a);
    expect(generateWorkload({ seed: 8, startAt: MONDAY, days: 2 })).not.toEqual(a);
    expect(a.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
  });

  it('without noise, trend and bursts, a weekday averages the stated mean and peaks at the stated hour', () => {
    const day = generateWorkload({ seed: 1, startAt: MONDAY, days: 1, ...quiet, peakHourUtc: 14 });
    expect(mean(day)).toBeCloseTo(DEFAULT_WORKLOAD.meanRequestsPerMinute, 6);
    expect(day.indexOf(Math.max(...day))).toBe(14 * 60);
  });

  it('weekends carry the weekend factor', () => {
    const week = generateWorkload({ seed: 1, startAt: MONDAY, days: 7, ...quiet, weekendFactor: 0.5 });
    const saturday = week.slice(5 * 1440, 6 * 1440);
    expect(mean(saturday)).toBeCloseTo(0.5 * DEFAULT_WORKLOAD.meanRequestsPerMinute, 6);
  });

  it('the trend grows the load day by day', () => {
    const load = generateWorkload({ seed: 1, startAt: MONDAY, days: 2, ...quiet, trendPerDay: 0.1 });
    expect(load[1440] as number).toBeCloseTo(1.1 * (load[0] as number), 6);
  });

  it('flash crowds lift the load well above the quiet profile, then fade', () => {
    const base = generateWorkload({ seed: 3, startAt: MONDAY, days: 7, ...quiet });
    const bursty = generateWorkload({
      seed: 3,
      startAt: MONDAY,
      days: 7,
      ...quiet,
      burstsPerWeek: 5,
      burstExtra: [1, 1],
    });
    const ratios = bursty.map((x, i) => x / (base[i] as number));
    expect(Math.max(...ratios)).toBeCloseTo(2, 6);
    expect(ratios.filter((r) => r > 1.01).length).toBeGreaterThan(60);
    expect(ratios.filter((r) => r === 1).length).toBeGreaterThan(ratios.length / 2);
  });

  it('the default month needs about 20 instances at weekday peaks (μ = 10/s, 500 ms SLO)', () => {
    const demand = demandSeries(generateWorkload({ seed: 42, startAt: MONDAY }), 10, 500);
    const dailyPeaks = Array.from({ length: 30 }, (_, d) =>
      Math.max(...demand.slice(d * 1440, (d + 1) * 1440)),
    );
    const sorted = [...dailyPeaks].sort((a, b) => a - b);
    expect(sorted[15]).toBeGreaterThanOrEqual(17);
    expect(sorted[15]).toBeLessThanOrEqual(23);
    expect(Math.min(...demand)).toBeGreaterThan(0);
  });

  it('rejects bad parameters by name', () => {
    expect(() => generateWorkload({ seed: 1, startAt: MONDAY, days: -1 })).toThrow(/days/);
    expect(() => generateWorkload({ seed: 1, startAt: MONDAY, dailyAmplitude: 1 })).toThrow(/dailyAmplitude/);
    expect(() => generateWorkload({ seed: 1, startAt: MONDAY + 1 })).toThrow(/whole minute/);
    expect(() => generateWorkload({ seed: 1, startAt: MONDAY, burstExtra: [2, 1] })).toThrow(/burstExtra/);
  });
});
