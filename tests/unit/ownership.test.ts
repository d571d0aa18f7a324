/**
 * One resolver, one precedence (config/managedServices.ts): ServicesJson over tags, and a database,
 * cache or distribution counts only when declared or tagged `headroom:service=<id>` itself. One
 * test per flow that resolves services here (evaluate, forecast, LoadContext); the change worker's
 * are in tests/remediation/changeWorker.test.ts, the invalidate flow's in tests/remediation/cdn*.
 */
import { describe, expect, it } from '@jest/globals';
import {
  evaluateServices,
  loadContext,
  managedServices,
  refreshForecasts,
  resolvedFleet,
  type EvaluationDeps,
  type FleetCapacity,
  type ManagedService,
  type ResourceOwners,
} from '@headroom/core';
import { aService, alarmEvent, FLEET, HEALTHY, NOW } from '../remediation/fixtures.js';

/** Tags on group `orders` say apply, and name orders-db, orders-cache and E2EXAMPLE. */
const tagged = aService();
/** The operator's entry for the same group, under another id: advise, its own database only. */
const pinned: ManagedService = {
  ...aService({ 'headroom:mode': 'advise', 'headroom:service-id': 'orders-central' }),
  tiers: { dbInstanceId: 'orders-db' },
  slo: { ...tagged.slo, cacheHitRatioMinPct: undefined, cdnHitRatioMinPct: undefined },
};

const owners = (tags: Record<string, string>): ResourceOwners & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    serviceOf: async (kind, id) => {
      asked.push(`${kind}/${id}`);
      return tags[id];
    },
  };
};
const fleetOf = (services: ManagedService[], fleet: FleetCapacity = FLEET) => ({
  discover: async () => services,
  describe: async () => new Map([[fleet.groupName, fleet]]),
  setDesiredCapacity: async () => {
    throw new Error('not in these tests');
  },
});
const noFailure = (stage: string, error: unknown) => {
  throw new Error(`${stage}: ${String(error)}`);
};

describe('managedServices: the one resolver', () => {
  it('keeps a tier named by the group only where the resource is tagged for the service', async () => {
    const who = owners({ 'orders-db': 'orders', 'orders-cache': 'payments' });
    const { services, unbound } = await managedServices(fleetOf([tagged]), [], noFailure, who);
    expect(services[0]?.tiers).toEqual({ dbInstanceId: 'orders-db', dbReadsOnReplicas: true });
    expect(services[0]?.slo.cacheHitRatioMinPct).toBeUndefined();
    expect(services[0]?.slo.dbConnectionsMaxPct).toBe(80);
    expect(unbound.map((u) => [u.kind, u.resourceId, u.taggedFor])).toEqual([
      ['cache', 'orders-cache', 'payments'],
      ['distribution', 'E2EXAMPLE', undefined],
    ]);
  });

  it('lets ServicesJson replace the tags of the same group (another id too) without asking tags', async () => {
    const who = owners({});
    const { services, overridden } = await managedServices(fleetOf([tagged]), [pinned], noFailure, who);
    expect(services.map((s) => [s.id, s.mode, s.tiers])).toEqual([
      ['orders-central', 'advise', { dbInstanceId: 'orders-db' }],
    ]);
    expect(overridden).toEqual(['orders']);
    expect(who.asked).toEqual([]);
  });

  it('leaves a tier out when its owner cannot be read, and says so (fails closed)', async () => {
    const failures: string[] = [];
    const broken: ResourceOwners = {
      serviceOf: async () => {
        throw new Error('AccessDenied');
      },
    };
    const { services } = await managedServices(fleetOf([tagged]), [], (s) => failures.push(s), broken);
    expect(services[0]?.tiers).toEqual({});
    expect(failures).toEqual([
      'ownership database orders-db',
      'ownership cache orders-cache',
      'ownership distribution E2EXAMPLE',
    ]);
  });
});

describe('every flow resolves services the same way', () => {
  it('evaluate: the ServicesJson advise pin wins over the group’s apply tag, and foreign tiers are left out', async () => {
    const read: ManagedService[] = [];
    const scaled: string[] = [];
    const deps: EvaluationDeps = {
      clock: { now: () => NOW },
      fleet: {
        ...fleetOf([tagged, { ...tagged, id: 'carts', autoScalingGroupName: 'carts' }]),
        describe: async (names) => new Map(names.map((n) => [n, { ...FLEET, groupName: n }])),
        setDesiredCapacity: async (group) => void scaled.push(group),
      },
      metrics: {
        readKpis: async (services) => {
          read.push(...services);
          return new Map(
            services.map((s) => [s.id, { serviceId: s.id, samples: [{ ...HEALTHY, cpuPct: 95 }] }]),
          );
        },
      },
      state: {
        getServiceState: async () => undefined,
        putServiceState: async () => true,
        recordDecision: async () => undefined,
        isKillSwitchOn: async () => false,
      },
      events: { publish: async () => undefined },
      owners: owners({ 'orders-db': 'orders' }),
    };
    const report = await evaluateServices(deps, {
      windowMinutes: 15,
      dailyActionBudget: 20,
      servicesFromConfig: [pinned],
    });
    expect(scaled).toEqual(['carts']);
    expect(read.find((s) => s.id === 'orders-central')?.mode).toBe('advise');
    expect(read.find((s) => s.id === 'carts')?.tiers).toEqual({});
    expect(report.notes).toContain('orders: the config parameter overrides its tags');
    expect(report.notes).toContain(
      'carts: database orders-db is tagged headroom:service=orders; it is left out (declare it in ServicesJson or tag it headroom:service=carts)',
    );
  });

  it('forecast: a service ServicesJson turns off is not refitted, whatever its tags say', async () => {
    const stored: string[] = [];
    const off = { ...pinned, mode: 'off' as const };
    const report = await refreshForecasts(
      {
        clock: { now: () => NOW },
        fleet: fleetOf([tagged]),
        metrics: { readKpis: async () => new Map() },
        state: {
          getForecast: async () => undefined,
          putForecast: async (f) => void stored.push(f.serviceId),
        },
        owners: owners({}),
      },
      { servicesFromConfig: [off] },
    );
    expect(report.services).toEqual([]);
    expect(stored).toEqual([]);
  });

  it('LoadContext: the alarm’s service is the ServicesJson entry, with only the tiers it declares', async () => {
    const fleet = resolvedFleet(fleetOf([tagged]), [pinned], owners({ 'orders-cache': 'orders' }), () => {});
    const context = await loadContext(
      alarmEvent('headroom-orders-central-db-connections'),
      {
        fleet,
        metrics: { readKpis: async () => new Map() },
        state: {
          getServiceState: async () => undefined,
          putServiceState: async () => true,
          recordDecision: async () => undefined,
          isKillSwitchOn: async () => false,
        },
      },
      { alarmPrefix: 'headroom-', now: NOW },
    );
    expect(context.service).toMatchObject({
      id: 'orders-central',
      mode: 'advise',
      tiers: { dbInstanceId: 'orders-db' },
    });
  });

  it('LoadContext: a group’s tag naming another team’s cache does not reach it', async () => {
    const warnings: string[] = [];
    const fleet = resolvedFleet(fleetOf([tagged]), [], owners({ 'orders-db': 'orders' }), (m) =>
      warnings.push(m),
    );
    const [service] = await fleet.discover();
    expect(service?.tiers).toEqual({ dbInstanceId: 'orders-db', dbReadsOnReplicas: true });
    expect(warnings[0]).toContain('cache orders-cache carries no headroom:service tag');
  });
});
