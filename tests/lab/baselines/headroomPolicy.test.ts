import { describe, expect, it } from '@jest/globals';
import type { KpiSample, PolicyObservation, ScalingPolicy } from '@headroom/core';
import { DEFAULT_SLO } from '@headroom/core';
import { forecastFloorFor, headroomPolicy, liveRatioOf } from '@headroom/core/policies/headroomPolicy';
import { capacityForLoad } from '@headroom/core/policies/headroomPolicyCapacity';
import { aFleet, HOUR, MINUTE, minutes, T0, webService as service } from './observations.js';

/** A reactive stand-in that always answers 42, so tests see when it decides. */
const fortyTwoReactive: ScalingPolicy = { name: 'reactive', decide: () => 42 };

/** 3,000 requests/min, 9,000 from 12:00 to 14:00 UTC every day. */
const load = (t: number) => {
  const hour = new Date(t).getUTCHours();
  return hour >= 12 && hour < 14 ? 9000 : 3000;
};

function decisions(to: number, desired = 40): Map<number, number> {
  const policy = headroomPolicy(service, { reactive: fortyTwoReactive, ratePerInstance: 10 });
  const out = new Map<number, number>();
  for (const obs of minutes(T0, to, load, () => ({ desired, inService: desired })))
    out.set(obs.at, policy.decide(obs));
  return out;
}

describe('headroom policy', () => {
  const run = decisions(T0 + 4 * 24 * HOUR);
  const need = (rpm: number) => capacityForLoad(rpm, 10, DEFAULT_SLO.p99LatencyMs);

  it('leaves the decision to the reactive part until the first hourly refit after an hour of load', () => {
    // The margin is learned at the refit, from its 5-minute series: at 01:00 that holds 12
    // intervals, 10 rises over the 2-interval lead (< an hour of them); at 02:00 it holds 24.
    expect(run.get(T0 + 90 * MINUTE)).toBe(42);
    expect(run.get(T0 + 2 * HOUR)).toBeLessThan(42);
  });

  it('before the forecast is trusted (24 h), covers the load measured with the learned margin', () => {
    // The load was flat all morning: no rise to cover, no forecast yet.
    expect(run.get(T0 + 11 * HOUR)).toBe(need(3000));
    expect(run.get(T0 + 23 * HOUR)).toBe(need(3000));
  });

  it('raises capacity for a forecast rise a lead time (boot + warm-up + 1 min) ahead of it', () => {
    const noon = T0 + 3 * 24 * HOUR + 12 * HOUR;
    // Boot 180 s + warm-up 120 s + one 60 s evaluation: at 11:54 the window reaches 12:00.
    expect(run.get(noon - 6 * MINUTE)).toBeGreaterThanOrEqual(need(9000));
    expect(run.get(noon - 20 * MINUTE)).toBeLessThan(need(9000));
  });

  it('scales in within minutes of the load going (3-minute hold), never below the need', () => {
    const twoPm = T0 + 3 * 24 * HOUR + 14 * HOUR;
    const after = run.get(twoPm + 5 * MINUTE) ?? 0;
    expect(after).toBeLessThan(need(9000));
    expect(after).toBeGreaterThanOrEqual(need(3000));
  });

  it('gives no floor when the forecast is not trusted, and a floor that names its reasons when it is', () => {
    const policy = headroomPolicy(service, { reactive: fortyTwoReactive, ratePerInstance: 10 });
    let last: PolicyObservation | undefined;
    for (const obs of minutes(T0, T0 + 30 * HOUR, load, () => ({ desired: 20, inService: 20 }))) {
      policy.decide(obs);
      last = obs;
    }
    const refit = policy.forecast();
    expect(refit?.verdict.use).toBe('forecast');
    const floor = forecastFloorFor(refit, service, last?.at ?? 0, 10, last?.history.slice(-15));
    // 06:00 on day 2: the load is flat at 3,000/min and the forecast knows it.
    expect(floor?.capacity).toBe(need(3000));
    expect(floor?.explanation).toMatch(/^up to 3000 requests\/min expected within the next 6 min/);
    expect(forecastFloorFor(refit, service, last?.at ?? 0, undefined)).toBeUndefined();
    const untrusted = refit && {
      ...refit,
      verdict: { use: 'reactive' as const, fallback: 'forecast-poor' as const, reason: 'x' },
    };
    expect(forecastFloorFor(untrusted, service, last?.at ?? 0, 10)).toBeUndefined();
  });

  it('corrects the forecast by the measured/forecast ratio of the latest samples, within [0.5, 2]', () => {
    const forecast = {
      madeAt: T0,
      model: 'seasonal-profile' as const,
      seasons: ['daily' as const],
      start: T0,
      stepMs: 5 * MINUTE,
      coverage: 0.95,
      point: [100, 100, 200],
      lower: [0, 0, 0],
      upper: [120, 120, 240],
      naiveScale: 10,
      historyHours: 48,
    };
    const at = (minute: number, rpm: number) => ({ at: T0 + minute * MINUTE, requestsPerMinute: rpm });
    expect(liveRatioOf(forecast, [at(1, 110), at(2, 120), at(11, 260)])).toBeCloseTo(1.2, 10);
    expect(liveRatioOf(forecast, [at(1, 1000)])).toBe(2);
    expect(liveRatioOf(forecast, [at(30, 1000)])).toBe(1);
  });
});

describe('headroom policy margin', () => {
  it('covers the rise the load has shown within the lead time, learned from its 5-minute series', () => {
    // 3,000/min with a step up to 3,600 for 10 minutes every 30. In 5-minute intervals (a sample
    // stamped at a minute's end belongs to the interval before it) that is 3,600, 3,480, 3,000,
    // 3,000, 3,000, 3,120; the rises to the higher of the next 2 intervals (the 6-minute lead,
    // rounded up) are -120, -480, 0, 120, 600, 480: the 90th percentile is 600 requests/min.
    const bursty = (t: number) => (Math.floor(t / MINUTE) % 30 < 10 ? 3600 : 3000);
    const policy = headroomPolicy(service, { reactive: fortyTwoReactive, ratePerInstance: 10 });
    const out = new Map<number, number>();
    for (const obs of minutes(T0, T0 + 3 * HOUR, bursty, () => ({ desired: 20, inService: 20 })))
      out.set(obs.at, policy.decide(obs));
    const need = (rpm: number) => capacityForLoad(rpm, 10, DEFAULT_SLO.p99LatencyMs);
    expect(need(3600)).toBeGreaterThan(need(3000));
    expect(need(4200)).toBeGreaterThan(need(3600));
    // At 02:55 the load is 3,000: capacity for 3,600.
    expect(out.get(T0 + 3 * HOUR - 5 * MINUTE)).toBe(need(3600));
    // At 03:00 it is 3,600: capacity for 4,200.
    expect(out.get(T0 + 3 * HOUR)).toBe(need(4200));
  });

  it('holds a scale-in until the lower want has lasted the hold', () => {
    // The margin is first learned at the 02:00 refit: the drop comes an hour after it.
    const drop = (t: number) => (t < T0 + 3 * HOUR ? 9000 : 3000);
    const held = headroomPolicy(service, {
      reactive: fortyTwoReactive,
      ratePerInstance: 10,
      scaleInHoldMinutes: 3,
    });
    const out: number[] = [];
    for (const obs of minutes(T0, T0 + 3 * HOUR + 3 * MINUTE, drop, () => ({ desired: 20, inService: 20 })))
      out.push(held.decide(obs));
    const need = (rpm: number) => capacityForLoad(rpm, 10, DEFAULT_SLO.p99LatencyMs);
    // 3,000/min from 03:00: wanted at 03:00, 03:01 and 03:02, taken at 03:02.
    expect(out.slice(-5)).toEqual([need(9000), need(9000), need(9000), need(3000), need(3000)]);
  });
});

describe('headroom policy rate reading', () => {
  it('reads the per-instance rate only from minutes whose fleet did not change', () => {
    // 3,000 requests/min (50 req/s) served at 10 req/s per instance; the count seen at each decision
    // differs from the one that served the minute in every minute but the stable stretch.
    const counts = [10, 20, 30];
    const policy = headroomPolicy(service, { reactive: fortyTwoReactive });
    const history: KpiSample[] = [];
    const wanted: number[] = [];
    for (let i = 0; i < 120; i++) {
      const at = T0 + (i + 1) * MINUTE;
      const servedBy = i < 90 ? (counts[i % 3] as number) : 10;
      const seenNow = i < 90 ? (counts[(i + 1) % 3] as number) : 10;
      const sample: KpiSample = {
        at,
        requestsPerMinute: 3000,
        cpuPct: (100 * 50) / (servedBy * 10),
        p99LatencyMs: 120,
        errorRatePct: 0,
      };
      history.push(sample);
      wanted.push(policy.decide({ at, fleet: aFleet({ inService: seenNow }), latest: sample, history }));
    }
    // No stable minute in the first 90: no rate, so the reactive part decides.
    expect(wanted[89]).toBe(42);
    // From minute 91 the fleet holds at 10 and the rate reads 10 req/s: capacity for 3,000/min.
    expect(wanted[119]).toBe(capacityForLoad(3000, 10, DEFAULT_SLO.p99LatencyMs));
  });
});
