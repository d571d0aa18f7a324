/**
 * The stored forecast as evaluateServices' `forecasts` hook, wired the same by the evaluate function
 * and by the replay (lab/world/deployedHeadroom.ts). The hook is given a service id; the
 * floor (headroomFloor, as benchmarked) needs the service (its SLO and lead time) and its latest
 * load (the need now, and the measured/forecast ratio), so the fleet and the metrics reader
 * handed to evaluateServices remember what each run discovers, describes and reads (a calm read
 * has CPU but no request count: the load is then what CPU shows on the instances in service). Config entries win
 * over tags for the same id, as in evaluateServices.
 */
import type { LeadTime } from '../capacity/launchTiming.js';
import { forecastFloorFromStore } from '../forecast/refreshForecasts.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { Clock, FleetControl, MetricsReader, StateStore } from '../ports/index.js';
import type { ForecastFloor } from './decideScaling.js';

/** The stretch of load the floor is corrected by, as in the benchmarked policy (LIVE_WINDOW_MINUTES). */
export const LIVE_WINDOW_MS = 15 * 60_000;

export interface ForecastFloors {
  fleet: FleetControl;
  metrics: MetricsReader;
  forecasts: (serviceId: string, lead?: LeadTime) => Promise<ForecastFloor | undefined>;
}

export function forecastFloors(
  fleet: FleetControl,
  metrics: MetricsReader,
  state: Pick<StateStore, 'getForecast'>,
  clock: Clock,
  servicesFromConfig: readonly ManagedService[],
): ForecastFloors {
  const services = new Map<string, ManagedService>();
  const recent = new Map<string, readonly KpiSample[]>();
  const inService = new Map<string, number>();
  const configured = new Map(servicesFromConfig.map((s) => [s.id, s]));
  return {
    fleet: {
      discover: async () => {
        const discovered = await fleet.discover();
        services.clear();
        recent.clear();
        for (const service of discovered) services.set(service.id, service);
        return discovered;
      },
      describe: async (groupNames, settling) => {
        const described = await fleet.describe(groupNames, settling);
        for (const [group, capacity] of described) inService.set(group, capacity.inService);
        return described;
      },
      setDesiredCapacity: (groupName, desired, honorCooldown) =>
        fleet.setDesiredCapacity(groupName, desired, honorCooldown),
    },
    metrics: {
      readKpis: async (toRead, window, kpis) => {
        const read = await metrics.readKpis(toRead, window, kpis);
        for (const [id, series] of read) recent.set(id, series.samples);
        return read;
      },
    },
    forecasts: async (serviceId, lead) => {
      const service = configured.get(serviceId) ?? services.get(serviceId);
      // Only a service the run knows can be evaluated; without it there is nothing to size.
      if (service === undefined) return undefined;
      const now = clock.now();
      const live = (recent.get(serviceId) ?? []).filter((s) => s.at > now - LIVE_WINDOW_MS);
      const serving = inService.get(service.autoScalingGroupName);
      return forecastFloorFromStore(state, service, now, live, serving, lead);
    },
  };
}
