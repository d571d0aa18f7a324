import { riseQuantileFor } from '@headroom/core/policies/riskKnob.js';
import { describe, expect, it } from '@jest/globals';
import type {
  FleetCapacity,
  FleetControl,
  KpiSample,
  MetricsReader,
  MetricsWindow,
  StateStore,
} from '@headroom/core';
import { DEFAULT_SLO, DEFAULT_TIMING, type ManagedService } from '@headroom/core';
import { forecastFloorFromStore, refreshForecasts } from '@headroom/core/forecast/refreshForecasts';
import { MINUTE_READ_EVERY_HOURS, minuteReadDue } from '@headroom/core/forecast/historyReads';
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast';
import { headroomFloor } from '@headroom/core/policies/headroomFloor';
import { capacityForLoad, loadFromCpu, serviceRateOf } from '@headroom/core/policies/headroomPolicyCapacity';
import { DEFAULT_MARGIN_OPTIONS, riseMarginFromMinutes } from '@headroom/core/policies/headroomPolicyMargin';
import { EMPTY_CURVE, learnFrom, type LearnedCurve, type Reading } from '@headroom/core/capacity/learning.js';
import { DAY, START, trueLoad } from './synthetic.js';

const HOUR = 3_600_000;

const service = (id: string, mode: ManagedService['mode'] = 'apply'): ManagedService => ({
  id,
  autoScalingGroupName: id,
  mode,
  slo: DEFAULT_SLO,
  capacity: { min: 1, max: 100, maxStepPct: 100, maxStepInstances: 10 },
  timing: DEFAULT_TIMING,
  pricePerInstanceHourUsd: 0.05,
  slowMinuteCostUsd: 10,
  tiers: {},
});

/**
 * Samples of the synthetic load at the window's period, CPU as 12 instances of 10 req/s would show,
 * and a p99 that grows with the load each of the 12 serves.
 */
function history(window: MetricsWindow, days: number): KpiSample[] {
  const out: KpiSample[] = [];
  // The service has been measured for the last `days` before the run (START + 10 days).
  const from = Math.max(window.start, START + 10 * DAY - days * DAY);
  const step = window.periodSeconds * 1000;
  for (let at = from + step; at <= window.end; at += step) {
    const rpm = trueLoad(at);
    out.push({
      at,
      requestsPerMinute: rpm,
      cpuPct: (100 * rpm) / 60 / 120,
      p99LatencyMs: 80 + rpm / 60 / 12,
    });
  }
  return out;
}

function fakes(services: ManagedService[], days: Record<string, number>, group: Partial<FleetCapacity> = {}) {
  const stored = new Map<string, ServiceForecast>();
  const reads: { services: number; window: MetricsWindow; kpis: readonly string[] }[] = [];
  const metrics: MetricsReader = {
    async readKpis(asked, window, kpis = []) {
      reads.push({ services: asked.length, window, kpis });
      return new Map(
        asked.map((s) => [s.id, { serviceId: s.id, samples: history(window, days[s.id] ?? 0) }]),
      );
    },
  };
  const fleet: FleetControl = {
    discover: async () => services,
    describe: async (names) =>
      new Map(
        names.map((n): [string, FleetCapacity] => [
          n,
          { groupName: n, desired: 12, inService: 12, warmingUp: 0, min: 1, max: 100, ...group },
        ]),
      ),
    setDesiredCapacity: async () => undefined,
  };
  const state: StateStore = {
    getServiceState: async () => undefined,
    putServiceState: async () => true,
    recordDecision: async () => undefined,
    isKillSwitchOn: async () => false,
    getForecast: async (id) => stored.get(id),
    putForecast: async (f) => void stored.set(f.serviceId, f),
  };
  return { deps: { clock: { now: () => START + 10 * DAY }, metrics, fleet, state }, stored, reads };
}

describe('refreshForecasts: the hourly forecast run', () => {
  it('reads 14 days at 5 minutes, and the last 3 days at one minute when a service has no margin yet', async () => {
    const services = [service('web'), service('api'), service('batch', 'off')];
    const { deps, stored, reads } = fakes(services, { web: 10, api: 0.5 });
    const report = await refreshForecasts(deps);

    expect(reads).toHaveLength(2);
    expect(reads.map((r) => r.services)).toEqual([2, 2]);
    const now = START + 10 * DAY;
    // Load at the models' own 5-minute step: the buckets they made from one-minute data…
    expect(reads[0]?.window).toEqual({ start: now - 14 * DAY, end: now, periodSeconds: 300 });
    expect(reads[0]?.kpis).toEqual(['requestsPerMinute']);
    // …and, with no stored margin or rate yet, one-minute load, CPU and p99: the minute-scale
    // bursts, the rate per instance and the capacity curve learned from them.
    expect(reads[1]?.window).toEqual({ start: now - 3 * DAY, end: now, periodSeconds: 60 });
    expect(reads[1]?.kpis).toEqual(['requestsPerMinute', 'cpuPct', 'p99LatencyMs']);

    expect(report.services.map((s) => [s.serviceId, s.status])).toEqual([
      ['web', 'forecast'],
      ['api', 'reactive'],
    ]);
    expect(report.services[1]?.message).toMatch(/^history-short: only 12\.0 h of history/);
    expect(stored.get('web')?.forecast?.point).toHaveLength(576);
    expect(stored.get('web')?.ratePerInstance).toBeCloseTo(10, 6);
    expect(stored.has('batch')).toBe(false);
  });

  it('stores the rise margin the benchmarked policy learns: riseMarginFromMinutes on the minute history', async () => {
    const { deps, stored } = fakes([service('web'), service('api')], { web: 10, api: 0.5 });
    await refreshForecasts(deps);
    const now = START + 10 * DAY;
    for (const [id, days] of [
      ['web', 10],
      ['api', 0.5],
    ] as const) {
      const samples = history({ start: now - 14 * DAY, end: now, periodSeconds: 60 }, days);
      // Boot 180 s + warm-up 120 s + the 300 s to the service's next decision (its next hot read):
      // 10 minutes ahead, at the quantile the service's risk knob (its slow-minute cost against its
      // instance price) sets.
      const expected = riseMarginFromMinutes(samples, now, 10 * 60_000, {
        ...DEFAULT_MARGIN_OPTIONS,
        quantile: riseQuantileFor(service(id)),
      });
      expect([id, stored.get(id)?.riseMargin]).toEqual([id, expected]);
    }
    // The synthetic load rises and falls every day: a margin above 0 is learned even from 12 h.
    expect(stored.get('web')?.riseMargin).toBeGreaterThan(0);
    expect(stored.get('api')?.riseMargin).toBeGreaterThan(0);
  });

  it('learns the capacity curve from the minute read, each minute once, and keeps it between reads', async () => {
    const { deps, stored } = fakes([service('web')], { web: 10 });
    const now = START + 10 * DAY;
    await refreshForecasts(deps);
    const minutesOf = (f: ServiceForecast | undefined) =>
      f?.learned?.bins.reduce((n, b) => n + b.minutes, 0) ?? 0;
    // The first run reads the last 3 days at one minute: every one of them is learned.
    expect(minutesOf(stored.get('web'))).toBe(3 * 1440);
    expect(stored.get('web')?.learned?.learnedUntil).toBe(now);
    const hours = Array.from({ length: MINUTE_READ_EVERY_HOURS }, (_, i) => i + 1);
    const due = hours.find((h) => minuteReadDue('web', now + h * HOUR, stored.get('web')))!;
    const idle = hours.find((h) => !minuteReadDue('web', now + h * HOUR, stored.get('web')))!;
    // An hour without a minute read keeps the curve as it was.
    const first = stored.get('web')?.learned;
    await refreshForecasts({ ...deps, clock: { now: () => now + idle * HOUR } });
    expect(stored.get('web')?.learned).toEqual(first);
    // The next minute read learns only the minutes since the last one.
    await refreshForecasts({ ...deps, clock: { now: () => now + due * HOUR } });
    expect(minutesOf(stored.get('web'))).toBe(3 * 1440 + due * 60);
    expect(stored.get('web')?.learned?.learnedUntil).toBe(now + due * HOUR);
  });

  it('learns nothing while the group is warming, nor from minutes before its last activity settled', async () => {
    const now = START + 10 * DAY;
    const warming = fakes([service('web')], { web: 10 }, { warmingUp: 2 });
    await refreshForecasts(warming.deps);
    expect(warming.stored.get('web')?.learned?.bins ?? []).toEqual([]);
    // Scaled 2 hours ago: a minute is learned only if it began once boot (180 s) and warm-up (120 s)
    // had passed: the 115 minutes that end after settled + 1 min, none before.
    const scaled = fakes([service('web')], { web: 10 }, { lastActivityAt: now - 2 * HOUR });
    await refreshForecasts(scaled.deps);
    const minutes = scaled.stored.get('web')?.learned?.bins.reduce((n, b) => n + b.minutes, 0);
    expect(minutes).toBe(115);
  });

  it('stores no margin with less than an hour of history to learn it from', async () => {
    const { deps, stored } = fakes([service('new')], { new: 0.04 });
    await refreshForecasts(deps);
    expect(stored.get('new')?.riseMargin).toBeUndefined();
  });

  it('the stored forecast comes back as a floor for the evaluate function', async () => {
    const { deps } = fakes([service('web')], { web: 10 });
    await refreshForecasts(deps);
    const floor = await forecastFloorFromStore(deps.state, service('web'), START + 10 * DAY);
    expect(floor?.capacity).toBeGreaterThan(0);
    expect(floor?.explanation).toMatch(/requests\/min expected within the next 10 min/);
  });

  it('with the latest measured load, the floor is headroomFloor of the stored rate and margin', async () => {
    const { deps, stored } = fakes([service('web')], { web: 10 });
    await refreshForecasts(deps);
    const now = START + 10 * DAY;
    const web = stored.get('web');
    // Far above anything the forecast expects: the need now wins, and names its numbers.
    const recent = [{ at: now, requestsPerMinute: 50_000 }];
    const floor = await forecastFloorFromStore(deps.state, service('web'), now, recent);
    expect(floor).toEqual(
      headroomFloor({
        service: service('web'),
        now,
        latestLoad: 50_000,
        ratePerInstance: web?.ratePerInstance,
        riseMargin: web?.riseMargin,
        forecast: web,
        recent,
        forecastMaxMapePct: 20,
        // A service is decided for once per hot read, every 5 minutes.
        evaluationPeriodSeconds: 300,
      }),
    );
    const margin = Math.round(web?.riseMargin ?? 0);
    expect(floor?.explanation).toMatch(
      new RegExp(`^need now \\d+ instance\\(s\\): 50000 requests/min measured \\+ ${margin} `),
    );
    expect(floor?.capacity).toBe(
      capacityForLoad(50_000 + (web?.riseMargin ?? 0), web?.ratePerInstance ?? 0, DEFAULT_SLO.p99LatencyMs),
    );
  });

  it('a floor in another fleet-size band than the fleet is sized with that band’s learned capacity', async () => {
    const { deps, stored } = fakes([service('web')], { web: 10 });
    await refreshForecasts(deps);
    const now = START + 10 * DAY;
    // p99 = 100 + 2000 / (s − x): at the 500 ms SLO, x = s − 5 requests/s per instance; s is 30 on
    // fleets of 3 (25 within the SLO) and 40 on fleets of 20 (35).
    const readings = (fleet: number, s: number, from: number): Reading[] =>
      Array.from({ length: 2000 }, (_, m) => {
        const x = s * (0.3 + (0.65 * (m % 100)) / 100);
        return {
          at: from + m * 60_000,
          requestsPerMinute: x * 60 * fleet,
          p99LatencyMs: 100 + 2000 / (s - x),
          inService: fleet,
        };
      });
    const large = learnFrom(EMPTY_CURVE, readings(20, 40, now - 5 * DAY));
    const both = learnFrom(large, readings(3, 30, now - 3 * DAY));
    const floorWith = async (learned: LearnedCurve) => {
      stored.set('web', { ...stored.get('web')!, riseMargin: 0, learned });
      // 81 requests/s: 3 instances at 27 each, more than the 25 one of 3 serves within the SLO.
      return await forecastFloorFromStore(
        deps.state,
        service('web'),
        now,
        [{ at: now, requestsPerMinute: 81 * 60 }],
        20,
      );
    };
    // Only fleets of 20 seen: 3 would do. Fleets of 3 seen too: their own capacity says 4.
    expect((await floorWith(large))?.capacity).toBe(3);
    expect((await floorWith(both))?.capacity).toBe(4);
  });

  it.each([
    // cpu %, instances, rate (req/s), load (req/min) = cpu/100 × instances × rate × 60
    [50, 4, 10, 1200],
    [90, 40, 12.5, 27_000],
    [0, 10, 10, 0],
    [75, 0, 10, 0],
  ])(
    'loadFromCpu(%d %%, %d instances, %d req/s) = %d req/min, serviceRateOf turned around',
    (cpu, n, rate, load) => {
      expect(loadFromCpu(cpu, n, rate)).toBeCloseTo(load, 9);
      if (load > 0)
        expect(serviceRateOf([{ requestsPerMinute: load, cpuPct: cpu, inService: n }])).toBeCloseTo(rate, 9);
    },
  );

  it('on a calm read (CPU, no request count) the need now comes from the load CPU shows', async () => {
    const { deps, stored } = fakes([service('web')], { web: 10 });
    await refreshForecasts(deps);
    const now = START + 10 * DAY;
    const rate = stored.get('web')?.ratePerInstance ?? 0;
    // 90 % CPU on 40 instances: the load that rate gives, far above the forecast, so the need now wins.
    const fromCpu = await forecastFloorFromStore(
      deps.state,
      service('web'),
      now,
      [{ at: now, cpuPct: 90 }],
      40,
    );
    const measured = await forecastFloorFromStore(
      deps.state,
      service('web'),
      now,
      [{ at: now, requestsPerMinute: 0.9 * 40 * rate * 60 }],
      40,
    );
    expect(fromCpu?.capacity).toBe(measured?.capacity);
    expect(fromCpu?.explanation).toMatch(/^need now/);
    // Without the fleet size CPU says nothing about the load: only the forecast can set a floor.
    const withoutFleet = await forecastFloorFromStore(deps.state, service('web'), now, [
      { at: now, cpuPct: 90 },
    ]);
    expect(withoutFleet?.explanation ?? '').not.toMatch(/^need now/);
  });

  it('reports a failed metric read as a run error, and a store without forecasts as a clear error', async () => {
    const { deps } = fakes([service('web')], { web: 10 });
    const failing = { ...deps, metrics: { readKpis: async () => Promise.reject(new Error('Throttling')) } };
    const report = await refreshForecasts(failing);
    expect(report.errors).toEqual([{ stage: 'read metrics', message: 'Error: Throttling' }]);

    const { getForecast: _g, putForecast: _p, ...withoutForecasts } = deps.state;
    await expect(refreshForecasts({ ...deps, state: withoutForecasts })).rejects.toThrow(
      /state store cannot keep forecasts/,
    );
  });
});
