import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SLO } from '@headroom/core';
import type { LoadForecast } from '@headroom/core/forecast/forecastLoad';
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast';
import { headroomFloor, liveRatioOf, type HeadroomFloorInput } from '@headroom/core/policies/headroomFloor';
import { capacityForLoad } from '@headroom/core/policies/headroomPolicyCapacity';
import { MINUTE, T0, webService as service } from './observations.js';

const need = (rpm: number) => capacityForLoad(rpm, 10, DEFAULT_SLO.p99LatencyMs);

/** Upper bound `upper` requests/min from T0 for an hour; point forecast 3,000. */
function forecastOf(upper: number, mape: number, use: 'forecast' | 'reactive' = 'forecast'): ServiceForecast {
  const forecast: LoadForecast = {
    madeAt: T0,
    model: 'seasonal-profile',
    seasons: ['daily'],
    start: T0,
    stepMs: 5 * MINUTE,
    coverage: 0.8,
    point: Array.from({ length: 12 }, () => 3000),
    lower: Array.from({ length: 12 }, () => 2000),
    upper: Array.from({ length: 12 }, () => upper),
    naiveScale: 100,
    historyHours: 72,
  };
  const verdict =
    use === 'forecast'
      ? { use, confidence: 0.7, mape, reason: `MAPE ${mape} %` }
      : { use, fallback: 'forecast-poor' as const, mape, reason: 'poor' };
  return { serviceId: 'web', at: T0, forecast, accuracy: { evaluations: [] }, verdict };
}

const base: HeadroomFloorInput = {
  service,
  now: T0 + 10 * MINUTE,
  latestLoad: 3000,
  ratePerInstance: 10,
  riseMargin: 600,
  recent: [],
  forecastMaxMapePct: 20,
  evaluationPeriodSeconds: 60,
};

describe('headroomFloor: the larger of the need now and the trusted forecast floor', () => {
  it.each<[string, Partial<HeadroomFloorInput>, number | undefined, RegExp | undefined]>([
    [
      'need now alone: load + margin',
      {},
      need(3600),
      /^need now \d+ instance\(s\): 3000 requests\/min measured \+ 600/,
    ],
    [
      'a higher trusted forecast wins',
      { forecast: forecastOf(9000, 10) },
      need(9000),
      /^forecast wins: up to 9000/,
    ],
    [
      'a lower trusted forecast loses, and is named',
      { forecast: forecastOf(3100, 10) },
      need(3600),
      /\(forecast floor \d+\)\.$/,
    ],
    [
      'a forecast with MAPE over 20 % is not used',
      { forecast: forecastOf(9000, 25) },
      need(3600),
      /forecast not used: MAPE 25\.0 % > 20 %/,
    ],
    [
      'an untrusted verdict is not used',
      { forecast: forecastOf(9000, 5, 'reactive') },
      need(3600),
      /^need now/,
    ],
    [
      'no margin: the trusted forecast alone',
      { riseMargin: undefined, forecast: forecastOf(9000, 10) },
      need(9000),
      /^up to 9000/,
    ],
    [
      'no measured load: the trusted forecast alone',
      { latestLoad: undefined, forecast: forecastOf(9000, 10) },
      need(9000),
      /^up to 9000/,
    ],
    ['no margin and no forecast: nothing to tell', { riseMargin: undefined }, undefined, undefined],
    [
      'no rate: nothing to tell',
      { ratePerInstance: undefined, forecast: forecastOf(9000, 10) },
      undefined,
      undefined,
    ],
    // 1,000 ms of service per request already breaks the 500 ms p99: a misread rate.
    [
      'a rate whose service time breaks the SLO is a misreading',
      { ratePerInstance: 1 },
      undefined,
      undefined,
    ],
  ])('%s', (_, over, capacity, explanation) => {
    const floor = headroomFloor({ ...base, ...over });
    expect(floor?.capacity).toBe(capacity);
    if (explanation) expect(floor?.explanation).toMatch(explanation);
  });

  it('the need now lowers no confidence; a winning forecast carries its own', () => {
    expect(headroomFloor(base)?.confidence).toBe(1);
    expect(headroomFloor({ ...base, forecast: forecastOf(9000, 10) })?.confidence).toBe(0.7);
  });

  it('a margin raises the floor over the measured load alone', () => {
    expect(need(3600)).toBeGreaterThan(need(3000));
    expect(headroomFloor({ ...base, riseMargin: 0 })?.capacity).toBe(need(3000));
  });
});

describe('the live correction of the forecast', () => {
  it('corrects the forecast by the measured/forecast ratio of the latest samples, within [0.5, 2]', () => {
    const forecast: LoadForecast = {
      madeAt: T0,
      model: 'seasonal-profile',
      seasons: ['daily'],
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
