import { describe, expect, it } from '@jest/globals';
import { demandFor, demandSeries, erlangB, erlangC, mmc } from '@headroom/lab/world/queueing';

/** Erlang C by its textbook closed form, to check the recursion against an independent route. */
function erlangCDirect(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

describe('Erlang B and C', () => {
  it('matches hand-computed values', () => {
    // B(1,1) = 1/2; B(2,1) = (1/2)/(1+1+1/2) = 1/5; B(3,2) = (4/3)/(1+2+2+4/3) = 4/19.
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12);
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
    expect(erlangB(3, 2)).toBeCloseTo(4 / 19, 12);
    // M/M/1: P(wait) = ρ. C(2,1) = 1/3. C(3,2) = 4/9 (the classic textbook example).
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(erlangC(3, 2)).toBeCloseTo(4 / 9, 12);
  });

  it('agrees with the closed form where the closed form is still safe', () => {
    for (const [c, a] of [
      [5, 4.2],
      [10, 8],
      [20, 17.5],
      [50, 45],
    ] as const) {
      expect(erlangC(c, a)).toBeCloseTo(erlangCDirect(c, a), 10);
    }
  });

  it('stays finite and in [0, 1] for fleets whose factorials would overflow', () => {
    const c = erlangC(2000, 1950);
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
  });

  it('is 1 when the offered load reaches the servers, 0 when there is no load', () => {
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(0, 1)).toBe(1);
    expect(erlangC(4, 0)).toBe(0);
  });
});

describe('mmc', () => {
  it('M/M/1 p99 is ln(100ρ)/(μ−λ) plus the mean service time', () => {
    // μ = 10/s, λ = 8/s: ρ = 0.8, wait p99 = ln(80)/2 s = 2.191 s; plus 100 ms.
    const r = mmc({ lambda: 8, mu: 10, servers: 1 });
    expect(r.probabilityOfWaiting).toBeCloseTo(0.8, 12);
    expect(r.utilisation).toBeCloseTo(0.8, 12);
    expect(r.p99Ms).toBeCloseTo(1000 * (Math.log(80) / 2) + 100, 6);
  });

  it('p99 is just the service time when at most 1 % of requests wait', () => {
    // C(2, 0.5) = 0.1 > 0.01, but C(4, 0.5) ≈ 0.0018 ≤ 0.01.
    expect(mmc({ lambda: 5, mu: 10, servers: 4 }).p99Ms).toBeCloseTo(100, 9);
  });

  it('sheds the load beyond capacity and answers at the timeout when overloaded', () => {
    const r = mmc({ lambda: 150, mu: 10, servers: 10 }, 5000);
    expect(r.errorRatePct).toBeCloseTo((100 * 50) / 150, 9);
    expect(r.p99Ms).toBe(5000);
    expect(r.utilisation).toBe(1);
  });

  it('counts timeouts near saturation and none with room to spare', () => {
    const near = mmc({ lambda: 99.9, mu: 10, servers: 10 }, 10_000);
    expect(near.errorRatePct).toBeGreaterThan(0);
    expect(mmc({ lambda: 50, mu: 10, servers: 10 }).errorRatePct).toBe(0);
  });

  it('no instances and some load: everything fails', () => {
    expect(mmc({ lambda: 1, mu: 10, servers: 0 }).errorRatePct).toBe(100);
  });

  it('rejects nonsense parameters by name', () => {
    expect(() => mmc({ lambda: -1, mu: 10, servers: 1 })).toThrow(/lambda/);
    expect(() => mmc({ lambda: 1, mu: 0, servers: 1 })).toThrow(/mu/);
    expect(() => mmc({ lambda: 1, mu: 1, servers: 1.5 })).toThrow(/servers/);
  });
});

describe('demandFor', () => {
  it('hand case: μ = 10/s, λ = 5/s, SLO 500 ms needs 2 instances', () => {
    // c = 1: C = 0.5, wait p99 = ln(50)/5 = 782 ms > 400 ms budget. c = 2: C = 0.1, ln(10)/15 = 154 ms.
    expect(demandFor(5, 10, 500)).toBe(2);
  });

  it('is the smallest c that meets the SLO', () => {
    for (const lambda of [1, 37, 95, 180, 400, 1234]) {
      const c = demandFor(lambda, 5, 500);
      expect(mmc({ lambda, mu: 5, servers: c }).p99Ms).toBeLessThanOrEqual(500);
      expect(mmc({ lambda, mu: 5, servers: c - 1 }).p99Ms).toBeGreaterThan(500);
    }
  });

  it('needs no instance for no load, and refuses an SLO below the service time', () => {
    expect(demandFor(0, 5, 500)).toBe(0);
    expect(() => demandFor(10, 5, 150)).toThrow(/service time/);
  });

  it('demandSeries converts per-minute load to per-second and reuses equal loads', () => {
    expect(demandSeries([300, 300, 0, 600], 10, 500)).toEqual([2, 2, 0, demandFor(10, 10, 500)]);
  });
});
