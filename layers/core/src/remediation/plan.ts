/**
 * From a diagnosis to the actions that would relieve the bottleneck: scale the fleet, add a read
 * replica, or add a cache replica per shard. A CDN bottleneck has no capacity to add (its cure is
 * a cache policy), so it is advised, never applied.
 */
import type { Evidence, Risk } from '../model/decision.js';
import type { FleetCapacity } from '../model/fleet.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import { evaluateKpis } from '../kpi/evaluateKpis.js';
import { stepLimit, withinLimits } from '../policies/guardrailsLimits.js';
import type { Diagnosis } from '../diagnosis/bottleneck.js';
import { changeId, describeChange, type ResourceChange } from './changes.js';

const HOURS_PER_MONTH = 730;

export interface FleetScale {
  groupName: string;
  from: number;
  to: number;
}

export interface ProposedActions {
  /** Zero or one fleet change: a list so the workflow maps over it without a Choice. */
  scales: FleetScale[];
  changes: ResourceChange[];
  risk: Risk;
  /** What would be done, for people; empty when nothing would. */
  summary: string;
  monthlyCostDeltaUsd: number;
  evidence: Evidence;
  /** Why nothing is proposed, when nothing is (e.g. "limit/max-capacity"). */
  blockedBy?: string;
}

export interface PlanInput {
  service: ManagedService;
  fleet: FleetCapacity;
  latest: KpiSample;
  diagnosis: Diagnosis;
  /** The alarm event's id: changes asked for by the same alarm event get the same ids. */
  origin: string;
  now: number;
  /** Set when the alarm says a tier is idle (`…-db-idle`, `…-cache-idle`): a replica may go. */
  idleTier?: IdleTier;
}

export type IdleTier = 'database' | 'cache';

export function proposeActions(input: PlanInput): ProposedActions {
  const { diagnosis, service } = input;
  const evidence = { ...diagnosis.evidence };
  if (input.idleTier !== undefined) return oneReplicaLess(input, input.idleTier, evidence);
  switch (diagnosis.tier) {
    case 'compute':
      return scaleFleet(input, evidence);
    case 'database':
      if (service.tiers.dbInstanceId !== undefined && service.tiers.dbReadsOnReplicas !== true)
        return replicaWouldIdle(service.tiers.dbInstanceId, evidence);
      return oneMoreReplica(input, 'db-read-replicas', service.tiers.dbInstanceId, 'high', evidence);
    case 'cache':
      return oneMoreReplica(
        input,
        'cache-replicas',
        service.tiers.cacheReplicationGroupId,
        'medium',
        evidence,
      );
    case 'cdn':
      return nothing(evidence, 'advice/cdn-cache-policy');
    case 'none':
      return nothing(evidence, 'advice/recovered');
  }
}

/**
 * Proportional to CPU over its target, as target tracking is; latency is not linear in capacity,
 * so a latency or error breach alone asks for one step more.
 */
function scaleFleet(input: PlanInput, evidence: Evidence): ProposedActions {
  const { service, fleet, latest } = input;
  const cpu = evaluateKpis(service, latest).breaches.find((b) => b.kpi === 'cpuPct');
  const oneStep = fleet.desired + stepLimit(fleet.desired, service.capacity);
  const wanted =
    cpu !== undefined && Number.isFinite(cpu.ratio) ? Math.ceil(fleet.desired * cpu.ratio) : oneStep;
  // The group's own MinSize/MaxSize bind too: Auto Scaling refuses a desired capacity outside them.
  const limits = {
    ...service.capacity,
    min: Math.max(service.capacity.min, fleet.min),
    max: Math.min(service.capacity.max, fleet.max),
  };
  const to = withinLimits(fleet.desired, Math.max(wanted, fleet.desired + 1), limits);
  if (to <= fleet.desired) return nothing(evidence, 'limit/max-capacity');
  const monthlyCostDeltaUsd = round((to - fleet.desired) * service.pricePerInstanceHourUsd * HOURS_PER_MONTH);
  return {
    scales: [{ groupName: service.autoScalingGroupName, from: fleet.desired, to }],
    changes: [],
    risk: 'low',
    summary: `scale ${service.autoScalingGroupName} from ${fleet.desired} to ${to} instances`,
    monthlyCostDeltaUsd,
    evidence: { ...evidence, currentCapacity: fleet.desired, desiredCapacity: to },
  };
}

/**
 * A read replica serves only reads the application sends it: its own read routing, or an Aurora
 * cluster's reader endpoint. Without the operator's word for either, adding one costs money and
 * relieves nothing, so it is advised, and the advice says what would make it help.
 */
function replicaWouldIdle(dbInstanceId: string, evidence: Evidence): ProposedActions {
  return {
    ...nothing({ ...evidence, dbReadsOnReplicas: 0 }, 'advice/db-replica-takes-no-reads'),
    summary:
      `no read replica for ${dbInstanceId}: a replica takes load only if the application reads from it, ` +
      'and it is not declared to (tag headroom:db-reads-on-replicas=true once reads go to replicas or an ' +
      'Aurora reader endpoint); relieve the database by its queries, instance class or connections instead',
  };
}

function oneMoreReplica(
  input: PlanInput,
  kind: ResourceChange['kind'],
  resourceId: string | undefined,
  risk: Risk,
  evidence: Evidence,
): ProposedActions {
  if (resourceId === undefined) return nothing(evidence, `advice/${kind}-not-configured`);
  const change: ResourceChange = {
    kind,
    id: changeId(input.origin, kind, resourceId, 1),
    serviceId: input.service.id,
    resourceId,
    delta: 1,
    requestedAt: input.now,
    reason: input.diagnosis.reason,
  };
  // Replica prices depend on instance classes Headroom is not told; the cost is left to the approver.
  return {
    scales: [],
    changes: [change],
    risk,
    summary: describeChange(change),
    monthlyCostDeltaUsd: 0,
    evidence,
  };
}

/**
 * An idle tier gives back one replica, only while no KPI is past its objective and (for the
 * database) connections are under half of theirs. The worker removes only a replica Headroom
 * created; removing capacity always waits for a person.
 */
function oneReplicaLess(input: PlanInput, tier: IdleTier, evidence: Evidence): ProposedActions {
  const { service, latest, diagnosis } = input;
  if (diagnosis.tier !== 'none') return nothing(evidence, `advice/not-idle-${diagnosis.tier}`);
  const objective = service.slo.dbConnectionsMaxPct;
  const connections = latest.dbConnectionsPct;
  if (
    tier === 'database' &&
    (objective === undefined || connections === undefined || connections >= objective / 2)
  ) {
    return nothing(
      { ...evidence, ...(connections === undefined ? {} : { dbConnectionsPct: connections }) },
      'advice/not-idle-database',
    );
  }
  const [kind, resourceId] =
    tier === 'database'
      ? (['db-read-replicas', service.tiers.dbInstanceId] as const)
      : (['cache-replicas', service.tiers.cacheReplicationGroupId] as const);
  if (resourceId === undefined) return nothing(evidence, `advice/${kind}-not-configured`);
  const change: ResourceChange = {
    kind,
    id: changeId(input.origin, kind, resourceId, -1),
    serviceId: service.id,
    resourceId,
    delta: -1,
    requestedAt: input.now,
    reason: `the ${tier} tier is idle`,
  };
  return {
    scales: [],
    changes: [change],
    risk: 'high',
    summary: describeChange(change),
    monthlyCostDeltaUsd: 0,
    evidence,
  };
}

function nothing(evidence: Evidence, blockedBy: string): ProposedActions {
  return { scales: [], changes: [], risk: 'low', summary: '', monthlyCostDeltaUsd: 0, evidence, blockedBy };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
