/**
 * The change worker's use case: apply one replica or cache change, within AWS's limits and never
 * to a replica Headroom did not create, then follow it until the resources are available and say
 * so on the advisor's bus. Refusals are answers, not failures: they are published and the message
 * is done. A busy resource is a failure: the message comes back after the visibility timeout.
 */
import type { AdvisorEvent, EventPublisher } from '../ports/index.js';
import {
  CHANGE_ID_TAG,
  CREATED_BY_TAG,
  ChangeRefusedError,
  checkCacheLimit,
  checkReplicaLimit,
  describeChange,
  type CacheChange,
  type ReplicaChange,
  type ResourceChange,
} from './changes.js';
import type { CacheReplicaControl, DbInstance, DbReplicaControl, FollowUp, FollowUpQueue } from './ports.js';

export interface WorkerPorts {
  db: DbReplicaControl;
  cache: CacheReplicaControl;
  followUps: FollowUpQueue;
  events: EventPublisher;
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
  | { changeId: string; status: 'started'; watch: string[] }
  | { changeId: string; status: 'refused'; rule: string; problem: string };

/** The resource is in the middle of something else; try again later. */
export class ResourceBusyError extends Error {
  override readonly name = 'ResourceBusyError';
}

export async function applyChange(
  change: ResourceChange,
  ports: WorkerPorts,
  now: number,
  policy = DEFAULT_FOLLOW_POLICY,
): Promise<ApplyResult> {
  try {
    const started =
      change.kind === 'db-read-replicas'
        ? await applyReplicaChange(change, ports.db)
        : await applyCacheChange(change, ports.cache);
    await ports.followUps.send(
      { change, watch: started.watch, target: started.target, attempt: 1, startedAt: now },
      policy.delaySeconds,
    );
    return { changeId: change.id, status: 'started', watch: started.watch };
  } catch (error) {
    if (!(error instanceof ChangeRefusedError)) throw error;
    await ports.events.publish([failed(change, now, error.rule, error.message)]);
    return { changeId: change.id, status: 'refused', rule: error.rule, problem: error.message };
  }
}

/** Replica identifiers derived from the change id, so a retried create finds its own replicas. */
export function replicaIdsFor(change: ReplicaChange): string[] {
  const stem = `${change.resourceId.slice(0, 40)}-hr-${change.id.slice(0, 12)}`.replace(/-+/g, '-');
  return Array.from({ length: Math.abs(change.delta) }, (_, i) => `${stem}-${i + 1}`);
}

export function isHeadroomReplica(tags: Record<string, string>): boolean {
  return tags[CREATED_BY_TAG.key] === CREATED_BY_TAG.value;
}

async function applyReplicaChange(
  change: ReplicaChange,
  db: DbReplicaControl,
): Promise<{ watch: string[]; target: number }> {
  const source = await db.describe(change.resourceId);
  if (source === undefined)
    throw new ChangeRefusedError(
      change,
      'missing-resource',
      `RDS instance ${change.resourceId} does not exist`,
    );
  if (source.status !== 'available')
    throw new ResourceBusyError(`RDS instance ${source.id} is ${source.status}, not available`);
  const ids =
    change.delta > 0 ? replicaIdsFor(change) : await replicasToRemove(change, db, source.replicaIds);
  // A retried create finds its own replicas among the existing ones; they count once.
  const others = source.replicaIds.filter((id) => !ids.includes(id));
  if (change.delta > 0) await refuseWhileOursProvision(change, db, others);
  const existing = others.length;
  const limit = checkReplicaLimit(change.delta > 0 ? existing : source.replicaIds.length, change.delta);
  if (!limit.ok) throw new ChangeRefusedError(change, limit.rule, limit.problem);
  const tags = {
    [CREATED_BY_TAG.key]: CREATED_BY_TAG.value,
    [CHANGE_ID_TAG]: change.id,
    'headroom:service': change.serviceId,
  };
  for (const id of ids) {
    if (change.delta > 0) await db.createReplica(source.id, id, tags);
    else await db.deleteReplica(id);
  }
  return { watch: ids, target: limit.target };
}

/**
 * One more replica while one of ours is still being created would answer the same alarm twice:
 * the first has not had its effect yet. The change is refused; the alarm, if still firing once
 * the replica serves, asks again.
 */
async function refuseWhileOursProvision(
  change: ReplicaChange,
  db: DbReplicaControl,
  replicaIds: readonly string[],
) {
  const replicas = await Promise.all(replicaIds.map((id) => db.describe(id)));
  const pending = replicas.find(
    (r) => r !== undefined && isHeadroomReplica(r.tags) && r.status !== 'available',
  );
  if (pending !== undefined) {
    throw new ChangeRefusedError(
      change,
      'wait/replica-in-progress',
      `replica ${pending.id} is ${pending.status}`,
    );
  }
}

/** Only replicas carrying Headroom's tag, newest first; never any other. */
async function replicasToRemove(
  change: ReplicaChange,
  db: DbReplicaControl,
  replicaIds: readonly string[],
): Promise<string[]> {
  const replicas = await Promise.all(replicaIds.map((id) => db.describe(id)));
  const ours = replicas
    .filter((r): r is DbInstance => r !== undefined && isHeadroomReplica(r.tags) && r.status === 'available')
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
    .map((r) => r.id);
  const wanted = Math.abs(change.delta);
  if (ours.length < wanted) {
    throw new ChangeRefusedError(
      change,
      'safety/created-by-headroom',
      `only ${ours.length} of ${replicaIds.length} replicas of ${change.resourceId} were created by Headroom and are available; ${wanted} asked`,
    );
  }
  return ours.slice(0, wanted);
}

async function applyCacheChange(
  change: CacheChange,
  cache: CacheReplicaControl,
): Promise<{ watch: string[]; target: number }> {
  const group = await cache.describe(change.resourceId);
  if (group === undefined)
    throw new ChangeRefusedError(
      change,
      'missing-resource',
      `replication group ${change.resourceId} does not exist`,
    );
  if (group.status !== 'available')
    throw new ResourceBusyError(`replication group ${group.id} is ${group.status}, not available`);
  const limit = checkCacheLimit(group.replicasPerShard, change.delta, group.automaticFailover);
  if (!limit.ok) throw new ChangeRefusedError(change, limit.rule, limit.problem);
  await cache.setReplicaCount(group.id, limit.target, change.delta > 0 ? 'increase' : 'decrease');
  return { watch: [group.id], target: limit.target };
}

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
      tier: change.kind === 'db-read-replicas' ? 'database' : 'cache',
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
      tier: change.kind === 'db-read-replicas' ? 'database' : 'cache',
    },
  };
}
