/**
 * The stored forecast as evaluateServices' `forecasts` hook. The hook is given a service id; the
 * floor needs the service (its SLO and lead time), so the fleet handed to evaluateServices
 * remembers the services each run discovers, and config entries win for the same id as they do
 * in evaluateServices.
 */
import {
  forecastFloorFromStore,
  type Clock,
  type FleetControl,
  type ForecastFloor,
  type ManagedService,
  type StateStore,
} from '@headroom/core';

export interface ForecastFloors {
  fleet: FleetControl;
  forecasts: (serviceId: string) => Promise<ForecastFloor | undefined>;
}

export function forecastFloors(
  fleet: FleetControl,
  state: Pick<StateStore, 'getForecast'>,
  clock: Clock,
  servicesFromConfig: readonly ManagedService[],
): ForecastFloors {
  const services = new Map<string, ManagedService>();
  const configured = new Map(servicesFromConfig.map((s) => [s.id, s]));
  return {
    fleet: {
      discover: async () => {
        const discovered = await fleet.discover();
        services.clear();
        for (const service of discovered) services.set(service.id, service);
        return discovered;
      },
      describe: (groupNames) => fleet.describe(groupNames),
      setDesiredCapacity: (groupName, desired, honorCooldown) =>
        fleet.setDesiredCapacity(groupName, desired, honorCooldown),
    },
    forecasts: async (serviceId) => {
      const service = configured.get(serviceId) ?? services.get(serviceId);
      // Only a service the run knows can be evaluated; without it there is nothing to size.
      if (service === undefined) return undefined;
      return forecastFloorFromStore(state, service, clock.now());
    },
  };
}
