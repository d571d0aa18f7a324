/**
 * The services the advisor manages, as every flow sees them (evaluate, forecast, remediation
 * context, change worker, invalidate): ONE precedence, the operator's `ServicesJson` over tags.
 *
 * - A config entry replaces a discovered group's tags when it names the same service id or the
 *   same Auto Scaling group: tags can never undo the operator's central entry (an `advise` pin).
 * - A database, cache or distribution counts for a service only when the operator declared it
 *   (`ServicesJson`) or the resource itself carries `headroom:service=<service id>`. A tag on the
 *   group alone names a resource; it never binds one, so it cannot aim Headroom at another team's.
 *
 * A failed discovery is reported through `fail`, and the configured services are still managed.
 */
import type { ManagedService, ServiceTiers } from '../model/service.js';
import type { FleetControl } from '../ports/index.js';

/** The tag a database, cache or distribution carries to say which service it belongs to. */
export const SERVICE_TAG = 'headroom:service';

export type TierKind = 'database' | 'cache' | 'distribution';

/** Reads the `headroom:service` tag a resource carries (undefined: no tag, or no such resource). */
export interface ResourceOwners {
  serviceOf(kind: TierKind, resourceId: string): Promise<string | undefined>;
}

export interface UnboundTier {
  serviceId: string;
  kind: TierKind;
  resourceId: string;
  /** What the resource's own tag says (undefined: it carries none). */
  taggedFor?: string;
}

export interface ManagedServices {
  services: ManagedService[];
  /** Ids whose config entry replaced the tags a discovered group carries. */
  overridden: string[];
  /** Tiers named by a group's tags that the resource does not confirm; left out. */
  unbound: UnboundTier[];
}

/** The tier each kind names, and what an unbound tier takes with it (its objective). */
const TIERS: readonly {
  kind: TierKind;
  id: keyof ServiceTiers;
  drop: readonly (keyof ServiceTiers)[];
  slo: keyof ManagedService['slo'];
}[] = [
  {
    kind: 'database',
    id: 'dbInstanceId',
    drop: ['dbMaxConnections', 'dbReadsOnReplicas'],
    slo: 'dbConnectionsMaxPct',
  },
  { kind: 'cache', id: 'cacheReplicationGroupId', drop: [], slo: 'cacheHitRatioMinPct' },
  { kind: 'distribution', id: 'cdnDistributionId', drop: [], slo: 'cdnHitRatioMinPct' },
];

/** Why a tier a group's tags name is left out, in the words of the evaluation report. */
export function unboundNote(u: UnboundTier): string {
  const says =
    u.taggedFor === undefined ? `carries no ${SERVICE_TAG} tag` : `is tagged ${SERVICE_TAG}=${u.taggedFor}`;
  return `${u.serviceId}: ${u.kind} ${u.resourceId} ${says}; it is left out (declare it in ServicesJson or tag it ${SERVICE_TAG}=${u.serviceId})`;
}

/** Config over tags, by service id and by group name. Pure. */
export function withPrecedence(
  discovered: readonly ManagedService[],
  configured: readonly ManagedService[],
): { services: ManagedService[]; fromConfig: Set<string>; overridden: string[] } {
  const configuredIds = new Set(configured.map((s) => s.id));
  const configuredGroups = new Set(configured.map((s) => s.autoScalingGroupName));
  const overridden = discovered
    .filter((s) => configuredIds.has(s.id) || configuredGroups.has(s.autoScalingGroupName))
    .map((s) => s.id);
  const tagged = discovered.filter(
    (s) => !configuredIds.has(s.id) && !configuredGroups.has(s.autoScalingGroupName),
  );
  return { services: [...tagged, ...configured], fromConfig: configuredIds, overridden };
}

/** The resource ids a service declares, by kind. */
export function tierIds(service: ManagedService): { kind: TierKind; resourceId: string }[] {
  return TIERS.flatMap((tier) => {
    const resourceId = service.tiers[tier.id];
    return typeof resourceId === 'string' ? [{ kind: tier.kind, resourceId }] : [];
  });
}

/**
 * Whether `resourceId` of `kind` belongs to the service: declared by the operator, or tagged by the
 * resource itself. The check the change worker and the invalidate flow make just before acting.
 */
export function declares(service: ManagedService, kind: TierKind, resourceId: string): boolean {
  return tierIds(service).some((t) => t.kind === kind && t.resourceId === resourceId);
}

/**
 * The distributions deploy events may invalidate: the CDN parameter's and those ServicesJson
 * declares. Configuration only: a deploy event is sent by anyone the account lets publish, so a
 * tag (which the sender might have set) never makes a distribution a target.
 */
export function configuredDistributions(
  configured: readonly ManagedService[],
  parameter: string | undefined,
): Set<string> {
  const ids = configured.flatMap((s) => tierIds(s).filter((t) => t.kind === 'distribution'));
  return new Set([...ids.map((t) => t.resourceId), ...(parameter ? [parameter] : [])]);
}

/** The service without the tiers its resources do not confirm. */
async function boundTiers(
  service: ManagedService,
  owners: ResourceOwners,
  fail: (stage: string, error: unknown) => void,
): Promise<{ service: ManagedService; unbound: UnboundTier[] }> {
  const tiers = { ...service.tiers };
  const slo = { ...service.slo };
  const unbound: UnboundTier[] = [];
  for (const tier of TIERS) {
    const resourceId = service.tiers[tier.id];
    if (typeof resourceId !== 'string') continue;
    let taggedFor: string | undefined;
    try {
      taggedFor = await owners.serviceOf(tier.kind, resourceId);
    } catch (error) {
      // Fail closed: a resource whose owner cannot be read is not the service's this run.
      fail(`ownership ${tier.kind} ${resourceId}`, error);
    }
    if (taggedFor === service.id) continue;
    unbound.push({ serviceId: service.id, kind: tier.kind, resourceId, ...(taggedFor ? { taggedFor } : {}) });
    for (const key of [tier.id, ...tier.drop]) delete tiers[key];
    delete slo[tier.slo];
  }
  return { service: { ...service, tiers, slo }, unbound };
}

/**
 * Discovered groups and config entries, config first; the tiers of tag-discovered services only
 * where `owners` confirms them. Without `owners` (the simulated account of the lab, which holds
 * no other team's resources) tiers are taken as the tags name them.
 */
export async function managedServices(
  fleet: Pick<FleetControl, 'discover'>,
  configured: readonly ManagedService[] = [],
  fail: (stage: string, error: unknown) => void,
  owners?: ResourceOwners,
): Promise<ManagedServices> {
  let discovered: ManagedService[] = [];
  try {
    discovered = await fleet.discover();
  } catch (error) {
    fail('discover', error);
  }
  const { services, fromConfig, overridden } = withPrecedence(discovered, configured);
  if (owners === undefined) return { services, overridden, unbound: [] };
  const checked = await Promise.all(
    services.map((s) =>
      fromConfig.has(s.id) || tierIds(s).length === 0
        ? { service: s, unbound: [] }
        : boundTiers(s, owners, fail),
    ),
  );
  return {
    services: checked.map((c) => c.service),
    overridden,
    unbound: checked.flatMap((c) => c.unbound),
  };
}

/**
 * A fleet whose discovery is managedServices: for a flow that takes a fleet port rather than the
 * service list (the remediation workflow's LoadContext). A failed discovery throws, so the step
 * fails rather than acting on half a list; an owner that cannot be read leaves its tier out.
 */
export function resolvedFleet(
  fleet: Pick<FleetControl, 'discover' | 'describe'>,
  configured: readonly ManagedService[],
  owners: ResourceOwners,
  warn: (message: string, detail: unknown) => void,
): Pick<FleetControl, 'discover' | 'describe'> {
  return {
    discover: async () => {
      const fail = (stage: string, error: unknown) => {
        if (stage === 'discover') throw error instanceof Error ? error : new Error(String(error));
        warn(`${stage} could not be read`, error);
      };
      const { services, unbound } = await managedServices(fleet, configured, fail, owners);
      for (const u of unbound) warn(unboundNote(u), u);
      return services;
    },
    describe: (groupNames) => fleet.describe(groupNames),
  };
}
