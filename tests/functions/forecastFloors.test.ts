/** The evaluate function's forecast hook: which service a floor is sized for. */
import { describe, expect, it } from '@jest/globals';
import {
  parseServiceConfig,
  type FleetControl,
  type ManagedService,
  type ServiceForecast,
} from '@headroom/core';
import { forecastFloors } from '../../functions/evaluate/forecastFloors.js';
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

const store = (forecasts: ServiceForecast[]) => ({
  getForecast: async (id: string) => forecasts.find((f) => f.serviceId === id),
});

describe('forecastFloors', () => {
  const forecasts = [storedForecast('web', NOW, 6_000), storedForecast('api', NOW, 6_000)];

  it('sizes the floor for the service the run discovered, and forgets it when a later run does not', async () => {
    const { fleet, forecasts: floorOf } = forecastFloors(
      fleetFinding([[service('web')], []]),
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
      store(forecasts),
      { now: () => NOW },
      [configured],
    );
    await fleet.discover();
    const fromConfig = await floorOf('api');
    const fromTags = await forecastFloors(fleetFinding([]), store(forecasts), { now: () => NOW }, [
      tagged,
    ]).forecasts('api');
    expect(fromConfig?.capacity).toBeGreaterThan(fromTags!.capacity);
  });

  it('has no floor for a service without a stored forecast', async () => {
    const { fleet, forecasts: floorOf } = forecastFloors(
      fleetFinding([[service('db')]]),
      store(forecasts),
      { now: () => NOW },
      [],
    );
    await fleet.discover();
    expect(await floorOf('db')).toBeUndefined();
  });
});
