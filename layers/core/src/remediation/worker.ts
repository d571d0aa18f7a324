/**
 * The change worker's use case: apply one replica or cache change, within AWS's limits and never
 * to a replica Headroom did not create, then follow it until the resources are available and say
 * so on the advisor's bus. Refusals are answers, not failures: they are published and the message
 * is done. A busy resource is a failure: the message comes back after the visibility timeout.
 */
import { declares, SERVICE_TAG, type ResourceOwners, type TierKind } from '../config/managedServices.js';
import type { DecisionRecord } from '../model/decision.js';
import type { ManagedService } from '../model/service.js';
import type { AdvisorEvent, EventPublisher, FleetControl } from '../ports/index.js';
import { ChangeRefusedError, describeChange, type ResourceChange } from './changes.js';
import {
  ResourceRejectedError,
  type AuroraReaderControl,
  type CacheReplicaControl,
  type ChangeGuard,
  type ChangeTargets,
  type DbReplicaControl,
  type FollowUp,
  type FollowUpQueue,
} from './ports.js';
import { reachCacheTarget, reachReplicaTarget } from './reachTarget.js';

export { isHeadroomReplica, ResourceBusyError } from './reachTarget.js';

export interface WorkerPorts {
  db: DbReplicaControl;
  /** Readers of Aurora clusters, which have no read replicas of their own. */
  aurora: AuroraReaderControl;
  cache: CacheReplicaControl;
  followUps: FollowUpQueue;
  events: EventPublisher;
  /** Where each change's absolute target is kept across retries. */
  targets: ChangeTargets;
  /** The kill switch, read before every change, and the record of refusals. */
  guard: ChangeGuard;
  /** The services of ServicesJson: their declared tiers are theirs, and only those. */
  configured: readonly ManagedService[];
  /** For any other service, the resource's own `headroom:service` tag says whose it is. */
  owners: ResourceOwners;
  /** The managed services and their modes as they are now (SERVICES_JSON over tags), read before every change. */
  services: Pick<FleetControl, 'discover'>;
}

/** Following a change only reads the resources. */
export interface FollowPorts {
  db: Pick<DbReplicaControl, 'describe'>;
  cache: Pick<CacheReplicaControl, 'describe'>;
  followUps: FollowUpQueue;
  events: EventPublisher;
}

export interface FollowPolicy {
  /** Seconds between looks at a change in progress (SQS allows at most 900). */
  delaySeconds: number;
  /** Looks before the change is reported as not finishing. */
  maxAttempts: number;
}

/** RDS replicas take 10–30 minutes, ElastiCache replicas 5–15: every 2 minutes for up to 2 hours. */
export const DEFAULT_FOLLOW_POLICY: FollowPolicy = { delaySeconds: 120, maxAttempts: 60 };

export type ApplyResult =
  | { changeId: string; status: 'started'; watch: string[]; target: number }
  | { changeId: string; status: 'refused'; rule: string; problem: string };

/** Starts the change, then sends its first follow-up: what one delivery of a change does. */
export async function applyChange(
  change: ResourceChange,
  ports: WorkerPorts,
  now: number,
  policy = DEFAULT_FOLLOW_POLICY,
): Promise<ApplyResult> {
  const result = await startChange(change, ports, now);
  await sendFirstFollowUp(change, result, ports, now, policy);
  return result;
}

/**
 * Brings the resource to the change's absolute target, once the kill switch and the service's mode
 * say it may. Safe to run again after any failure: what already happened is not done twice. A
 * refusal (a limit, the kill switch, the mode, AWS saying no for good) is recorded and published,
 * and the message is done.
 */
export async function startChange(
  change: ResourceChange,
  ports: WorkerPorts,
  now: number,
): Promise<ApplyResult> {
  try {
    await refuseUnlessAllowedNow(change, ports);
    await checkOwnership(change, ports);
    const reached =
      change.kind === 'db-read-replicas'
        ? await reachReplicaTarget(change, ports.db, ports.aurora, ports.targets)
        : await reachCacheTarget(change, ports.cache, ports.targets);
    return { changeId: change.id, status: 'started', watch: reached.watch, target: reached.target };
  } catch (error) {
    const refusal =
      error instanceof ResourceRejectedError
        ? new ChangeRefusedError(change, `aws/${error.code}`, error.message)
        : error;
    if (!(refusal instanceof ChangeRefusedError)) throw error;
    await ports.guard.recordDecision(refusalRecord(change, now, refusal.rule, refusal.message));
    await ports.events.publish([failed(change, now, refusal.rule, refusal.message)]);
    return { changeId: change.id, status: 'refused', rule: refusal.rule, problem: refusal.message };
  }
}

/**
 * The precedence of managedServices (config/managedServices.ts), checked again just before acting:
 * a service of ServicesJson owns exactly the resources it declares; any other service owns a
 * resource only if the resource is tagged with its id. A message naming another team's database
 * or cache (however it got on the queue) is refused.
 */
async function checkOwnership(change: ResourceChange, ports: Pick<WorkerPorts, 'configured' | 'owners'>) {
  const kind: TierKind = change.kind === 'db-read-replicas' ? 'database' : 'cache';
  const declared = ports.configured.find((s) => s.id === change.serviceId);
  const owned =
    declared !== undefined
      ? declares(declared, kind, change.resourceId)
      : (await ports.owners.serviceOf(kind, change.resourceId)) === change.serviceId;
  if (!owned) {
    const how =
      declared !== undefined
        ? 'declared for it in ServicesJson'
        : `tagged ${SERVICE_TAG}=${change.serviceId}`;
    throw new ChangeRefusedError(
      change,
      'safety/not-the-service',
      `${kind} ${change.resourceId} does not belong to ${change.serviceId}: it is not ${how}`,
    );
  }
}

/**
 * The guardrails that still apply once the change is queued: the kill switch and the service's
 * mode, read now, since either may have changed since ClaimAction let the change through. The
 * cooldown and the daily budget are not looked at again: this change is the action they counted.
 * A service no longer managed is held as if it were `off`.
 */
async function refuseUnlessAllowedNow(change: ResourceChange, ports: WorkerPorts): Promise<void> {
  const [killSwitch, services] = await Promise.all([ports.guard.isKillSwitchOn(), ports.services.discover()]);
  if (killSwitch)
    throw new ChangeRefusedError(change, 'kill-switch', 'the kill switch is on; nothing was changed');
  const mode = services.find((s) => s.id === change.serviceId)?.mode ?? 'off';
  if (mode !== 'apply')
    throw new ChangeRefusedError(
      change,
      `mode-${mode}`,
      `service ${change.serviceId} is in mode ${mode}, not apply; nothing was changed`,
    );
}

/** The first look at a started change, sent apart so that a failed send never repeats the change. */
export async function sendFirstFollowUp(
  change: ResourceChange,
  result: ApplyResult,
  ports: Pick<WorkerPorts, 'followUps'>,
  now: number,
  policy = DEFAULT_FOLLOW_POLICY,
): Promise<void> {
  if (result.status !== 'started') return;
  await ports.followUps.send(
    { change, watch: result.watch, target: result.target, attempt: 1, startedAt: now },
    policy.delaySeconds,
  );
}

/** The decision record of a refused change: the reason, where people look for what Headroom did. */
function refusalRecord(change: ResourceChange, now: number, rule: string, problem: string): DecisionRecord {
  return {
    decision: {
      serviceId: change.serviceId,
      at: now,
      currentCapacity: 0,
      desiredCapacity: 0,
      action: 'hold',
      rule: `remediation/${tierOf(change)}`,
      reason: problem,
      evidence: { replicaDelta: change.delta },
      monthlyCostDeltaUsd: 0,
      risk: change.delta < 0 ? 'high' : 'medium',
      confidence: 1,
    },
    outcome: 'blocked',
    guardrails: [rule],
  };
}

const tierOf = (change: ResourceChange) => (change.kind === 'db-read-replicas' ? 'database' : 'cache');

export type FollowResult = 'completed' | 'waiting' | 'timed-out';

export async function followChange(
  followUp: FollowUp,
  ports: FollowPorts,
  now: number,
  policy = DEFAULT_FOLLOW_POLICY,
): Promise<FollowResult> {
  const { change } = followUp;
  if (await isDone(followUp, ports)) {
    await ports.events.publish([completed(change, now, followUp)]);
    return 'completed';
  }
  if (followUp.attempt >= policy.maxAttempts) {
    const waited = Math.round((now - followUp.startedAt) / 60_000);
    await ports.events.publish([
      failed(change, now, 'follow/timed-out', `${describeChange(change)} not finished after ${waited} min`),
    ]);
    return 'timed-out';
  }
  await ports.followUps.send({ ...followUp, attempt: followUp.attempt + 1 }, policy.delaySeconds);
  return 'waiting';
}

async function isDone(followUp: FollowUp, ports: FollowPorts): Promise<boolean> {
  const { change, watch } = followUp;
  if (change.kind === 'cache-replicas') {
    const group = await ports.cache.describe(change.resourceId);
    return (
      group !== undefined &&
      group.status === 'available' &&
      group.replicasPerShard.every((n) => n === followUp.target)
    );
  }
  const replicas = await Promise.all(watch.map((id) => ports.db.describe(id)));
  return change.delta > 0
    ? replicas.every((r) => r?.status === 'available')
    : replicas.every((r) => r === undefined);
}

function completed(change: ResourceChange, now: number, followUp: FollowUp): AdvisorEvent {
  return {
    type: 'RemediationCompleted',
    serviceId: change.serviceId,
    at: now,
    detail: {
      summary: describeChange(change),
      outcome: 'completed',
      changeId: change.id,
      resources: followUp.watch,
      minutes: Math.round((now - followUp.startedAt) / 60_000),
      tier: tierOf(change),
    },
  };
}

function failed(change: ResourceChange, now: number, rule: string, problem: string): AdvisorEvent {
  return {
    type: 'ActionFailed',
    serviceId: change.serviceId,
    at: now,
    detail: {
      summary: describeChange(change),
      error: rule,
      cause: problem,
      changeId: change.id,
      tier: tierOf(change),
    },
  };
}
