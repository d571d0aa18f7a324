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
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast';
import { DAY, START, trueLoad } from './synthetic.js';

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

/** Five-minute samples of the synthetic load, CPU as 12 instances serving 10 req/s each would show. */
function history(window: MetricsWindow, days: number): KpiSample[] {
  const out: KpiSample[] = [];
  const from = Math.max(window.start, window.end - days * DAY);
  for (let at = from + 300_000; at <= window.end; at += 300_000) {
    const rpm = trueLoad(at);
    out.push({ at, requestsPerMinute: rpm, cpuPct: (100 * rpm) / 60 / 120 });
  }
  return out;
}

function fakes(services: ManagedService[], days: Record<string, number>) {
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
          { groupName: n, desired: 12, inService: 12, warmingUp: 0, min: 1, max: 100 },
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
  it('reads 14 days of load and CPU for every service in one read, and stores a 48 h forecast per service', async () => {
    const services = [service('web'), service('api'), service('batch', 'off')];
    const { deps, stored, reads } = fakes(services, { web: 10, api: 0.5 });
    const report = await refreshForecasts(deps);

    expect(reads).toHaveLength(1);
    expect(reads[0]?.services).toBe(2);
    expect(reads[0]?.window).toEqual({ start: START - 4 * DAY, end: START + 10 * DAY, periodSeconds: 300 });
    expect(reads[0]?.kpis).toEqual(['requestsPerMinute', 'cpuPct']);

    expect(report.services.map((s) => [s.serviceId, s.status])).toEqual([
      ['web', 'forecast'],
      ['api', 'reactive'],
    ]);
    expect(report.services[1]?.message).toMatch(/^history-short: only 12\.0 h of history/);
    expect(stored.get('web')?.forecast?.point).toHaveLength(576);
    expect(stored.get('web')?.ratePerInstance).toBeCloseTo(10, 6);
    expect(stored.has('batch')).toBe(false);
  });

  it('the stored forecast comes back as a floor for the evaluate function', async () => {
    const { deps } = fakes([service('web')], { web: 10 });
    await refreshForecasts(deps);
    const floor = await forecastFloorFromStore(deps.state, service('web'), START + 10 * DAY);
    expect(floor?.capacity).toBeGreaterThan(0);
    expect(floor?.explanation).toMatch(/requests\/min expected within the next 6 min/);
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
