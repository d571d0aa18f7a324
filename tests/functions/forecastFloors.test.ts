/** The evaluate function's forecast hook: which service a floor is sized for, and by what measured load. */
import { describe, expect, it } from '@jest/globals';
import {
  parseServiceConfig,
  type FleetControl,
  type KpiSample,
  type ManagedService,
  type MetricsReader,
  type ServiceForecast,
  forecastFloors,
} from '@headroom/core';
import { storedForecast } from './forecastFixtures.js';

const NOW = Date.UTC(2026, 10, 24, 10);
const service = (id: string, tags: Record<string, string> = {}): ManagedService =>
  parseServiceConfig('test', { 'headroom:managed': 'true', ...tags }, id);

function fleetFinding(found: ManagedService[][]): FleetControl {
  return {
    discover: async () => found.shift() ?? [],
    describe: async () => new Map(),
    setDesiredCapacity: async () => undefined,
  };
}

/** A reader that returns `samples` for every service asked for. */
const readerOf = (samples: KpiSample[] = []): MetricsReader => ({
  readKpis: async (services) => new Map(services.map((s) => [s.id, { serviceId: s.id, samples }])),
});

const store = (forecasts: ServiceForecast[]) => ({
  getForecast: async (id: string) => forecasts.find((f) => f.serviceId === id),
});

describe('forecastFloors', () => {
  const forecasts = [storedForecast('web', NOW, 6_000), storedForecast('api', NOW, 6_000)];

  it('sizes the floor for the service the run discovered, and forgets it when a later run does not', async () => {
    const { fleet, forecasts: floorOf } = forecastFloors(
      fleetFinding([[service('web')], []]),
      readerOf(),
      store(forecasts),
      { now: () => NOW },
      [],
    );
    expect(await floorOf('web')).toBeUndefined();
    await fleet.discover();
    expect((await floorOf('web'))?.capacity).toBeGreaterThan(0);
    await fleet.discover();
    expect(await floorOf('web')).toBeUndefined();
  });

  it('uses the config entry over the tags for the same id, as evaluateServices does', async () => {
    const tagged = service('api', { 'headroom:p99-latency-ms': '2000' });
    const configured = service('api', { 'headroom:p99-latency-ms': '150' });
    const { fleet, forecasts: floorOf } = forecastFloors(
      fleetFinding([[tagged]]),
      readerOf(),
      store(forecasts),
      { now: () => NOW },
      [configured],
    );
    await fleet.discover();
    const fromConfig = await floorOf('api');
    const fromTags = await forecastFloors(
      fleetFinding([]),
      readerOf(),
      store(forecasts),
      { now: () => NOW },
      [tagged],
    ).forecasts('api');
    expect(fromConfig?.capacity).toBeGreaterThan(fromTags!.capacity);
  });

  it('has no floor for a service without a stored forecast', async () => {
    const { fleet, forecasts: floorOf } = forecastFloors(
      fleetFinding([[service('db')]]),
      readerOf(),
      store(forecasts),
      { now: () => NOW },
      [],
    );
    await fleet.discover();
    expect(await floorOf('db')).toBeUndefined();
  });

  it("corrects the floor by the load measured in the last 15 minutes of the run's read", async () => {
    const web = service('web');
    const floorWith = async (samples: KpiSample[]) => {
      const floors = forecastFloors(
        fleetFinding([[web]]),
        readerOf(samples),
        store(forecasts),
        { now: () => NOW },
        [],
      );
      await floors.fleet.discover();
      await floors.metrics.readKpis([web], { start: NOW - 3_600_000, end: NOW, periodSeconds: 60 });
      return floors.forecasts('web');
    };
    // The forecast's point is 4,800 requests/min; half of it was measured.
    const half = (minutesAgo: number) => ({ at: NOW - minutesAgo * 60_000, requestsPerMinute: 2_400 });
    const unmeasured = await floorWith([]);
    const measured = await floorWith([half(10), half(5), half(1)]);
    const stale = await floorWith([half(40), half(30), half(20)]);
    expect(measured!.capacity).toBeLessThan(unmeasured!.capacity);
    expect(measured!.explanation).toContain('× 0.50 measured/forecast');
    expect(stale).toEqual(unmeasured);
  });
});
