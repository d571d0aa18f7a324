/**
 * Replica and cache changes as absolute targets. The first time a change is applied, its end state
 * (the replicas to exist or be gone, the replicas per shard) is computed from the resource's
 * current shape, checked against AWS's limits and kept (`ChangeTargets`). Every later attempt
 * (the write's answer lost, the function timed out after it, the message delivered again) aims
 * at that kept state and writes only what is still missing, so a retry changes nothing more.
 */
import {
  CHANGE_ID_TAG,
  CREATED_BY_TAG,
  REPLICA_NAME_PREFIX,
  ChangeRefusedError,
  checkCacheLimit,
  checkReplicaLimit,
  type CacheChange,
  type ReplicaChange,
} from './changes.js';
import { auroraReaders, isAurora, rdsReaders, type ReaderShape } from './readerShape.js';
import type {
  AuroraReaderControl,
  CacheGroup,
  CacheReplicaControl,
  ChangeTarget,
  ChangeTargets,
  DbInstance,
  DbReplicaControl,
} from './ports.js';

/** The resource is in the middle of something else; try again later. */
export class ResourceBusyError extends Error {
  override readonly name = 'ResourceBusyError';
}

/** Headroom's own replica: its name prefix (what IAM checks) and its created-by tag, both. */
export function isHeadroomReplica(instance: Pick<DbInstance, 'id' | 'tags'>): boolean {
  return (
    instance.id.startsWith(REPLICA_NAME_PREFIX) && instance.tags[CREATED_BY_TAG.key] === CREATED_BY_TAG.value
  );
}

/**
 * Database readers: RDS read replicas of the instance, or, for Aurora, reader instances of its
 * cluster. Either way the kept target names the readers to exist (or be gone), and only the
 * missing writes are made.
 */
export async function reachReplicaTarget(
  change: ReplicaChange,
  db: DbReplicaControl,
  aurora: AuroraReaderControl,
  targets: ChangeTargets,
): Promise<ChangeTarget> {
  const source = await db.describe(change.resourceId);
  if (source === undefined)
    throw new ChangeRefusedError(
      change,
      'missing-resource',
      `RDS instance ${change.resourceId} does not exist`,
    );
  // The engine decides the calls, before anything is sent: Aurora refuses read replicas.
  const readers = isAurora(source)
    ? await auroraReaders(change, source, aurora)
    : rdsReaders(change, source, db);
  const kept = (await targets.get(change.id)) ?? (await keepNewTarget(change, readers, db, targets));
  const pending = await stillToDo(change, db, kept.watch);
  if (pending.length > 0 && readers.status !== 'available')
    throw new ResourceBusyError(`${readers.where} is ${readers.status}, not available`);
  const tags = {
    [CREATED_BY_TAG.key]: CREATED_BY_TAG.value,
    [CHANGE_ID_TAG]: change.id,
    'headroom:service': change.serviceId,
  };
  for (const replica of pending) {
    if (change.delta > 0) await readers.create(replica.id, tags);
    else await readers.remove(replica.id);
  }
  return kept;
}

async function keepNewTarget(
  change: ReplicaChange,
  readers: ReaderShape,
  db: DbReplicaControl,
  targets: ChangeTargets,
): Promise<ChangeTarget> {
  if (readers.status !== 'available')
    throw new ResourceBusyError(`${readers.where} is ${readers.status}, not available`);
  const watch = change.delta > 0 ? readers.newIds : await replicasToRemove(change, db, readers.readerIds);
  // A replica of this change that already exists counts once.
  const others = readers.readerIds.filter((id) => !watch.includes(id));
  if (change.delta > 0) await refuseWhileOursProvision(change, db, others);
  const limit = checkReplicaLimit(change.delta > 0 ? others.length : readers.readerIds.length, change.delta);
  if (!limit.ok) throw new ChangeRefusedError(change, limit.rule, limit.problem);
  return targets.keep(change.id, { target: limit.target, watch });
}

/** The replicas of the kept target whose write has not happened (or not been accepted) yet. */
async function stillToDo(
  change: ReplicaChange,
  db: DbReplicaControl,
  watch: readonly string[],
): Promise<{ id: string }[]> {
  const pending: { id: string }[] = [];
  for (const id of watch) {
    const replica = await db.describe(id);
    if (change.delta > 0) {
      if (replica === undefined) pending.push({ id });
      continue;
    }
    if (replica === undefined || replica.status === 'deleting') continue;
    if (!isHeadroomReplica(replica))
      throw new ChangeRefusedError(change, 'safety/created-by-headroom', `replica ${id} is not Headroom's`);
    pending.push({ id });
  }
  return pending;
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
  const pending = replicas.find((r) => r !== undefined && isHeadroomReplica(r) && r.status !== 'available');
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
    .filter((r): r is DbInstance => r !== undefined && isHeadroomReplica(r) && r.status === 'available')
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

const reached = (group: CacheGroup, target: number) => group.replicasPerShard.every((n) => n === target);

export async function reachCacheTarget(
  change: CacheChange,
  cache: CacheReplicaControl,
  targets: ChangeTargets,
): Promise<ChangeTarget> {
  const group = await cache.describe(change.resourceId);
  if (group === undefined)
    throw new ChangeRefusedError(
      change,
      'missing-resource',
      `replication group ${change.resourceId} does not exist`,
    );
  const known = await targets.get(change.id);
  // Already there (perhaps still settling): a retry of a write that took effect writes nothing.
  if (known !== undefined && reached(group, known.target)) return known;
  if (group.status !== 'available')
    throw new ResourceBusyError(`replication group ${group.id} is ${group.status}, not available`);
  const kept = known ?? (await targets.keep(change.id, newCacheTarget(change, group)));
  if (reached(group, kept.target)) return kept;
  const direction = Math.min(...group.replicasPerShard) < kept.target ? 'increase' : 'decrease';
  await cache.setReplicaCount(group.id, kept.target, direction);
  return kept;
}

function newCacheTarget(change: CacheChange, group: CacheGroup): ChangeTarget {
  const limit = checkCacheLimit(group.replicasPerShard, change.delta, group.automaticFailover);
  if (!limit.ok) throw new ChangeRefusedError(change, limit.rule, limit.problem);
  return { target: limit.target, watch: [group.id] };
}
