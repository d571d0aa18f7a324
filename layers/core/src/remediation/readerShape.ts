/**
 * Where a database's readers live and how one is added or removed: read replicas of an RDS
 * instance (CreateDBInstanceReadReplica), or reader instances of an Aurora cluster
 * (CreateDBInstance in the cluster, since Aurora has no read replicas of its own). The engine is
 * read before anything is sent; what Aurora cannot do is refused here, clearly.
 */
import { ChangeRefusedError, REPLICA_NAME_PREFIX, type ReplicaChange } from './changes.js';
import type { AuroraReaderControl, DbInstance, DbReplicaControl } from './ports.js';

/** Every Aurora reader Headroom creates is named with this prefix; IAM lets it create no other. */
export const AURORA_READER_PREFIX = REPLICA_NAME_PREFIX;

export interface ReaderShape {
  /** What the readers hang on, for messages: the instance or the cluster. */
  where: string;
  /** available, or busy with something else. */
  status: string;
  /** The readers there are now (for Aurora: every instance but the writer). */
  readerIds: string[];
  /** Identifiers of the readers a change adds, derived from its id so a retry finds its own. */
  newIds: string[];
  create(readerId: string, tags: Record<string, string>): Promise<unknown>;
  remove(readerId: string): Promise<unknown>;
}

/** Aurora scales readers inside its cluster; CreateDBInstanceReadReplica does not apply to it. */
export function isAurora(instance: DbInstance): boolean {
  return (instance.engine ?? '').startsWith('aurora');
}

/** RDS identifiers: at most 63 letters, digits and single hyphens, lower case, not ending in a hyphen. */
function identifier(stem: string, count: number): string[] {
  const clean = stem.toLowerCase().replace(/-+/g, '-');
  return Array.from({ length: count }, (_, i) => `${clean}-${i + 1}`);
}

/**
 * Replica identifiers derived from the change id, so a retried create finds its own replicas; the
 * prefix is what IAM lets Headroom create, tag and delete.
 */
export function replicaIdsFor(change: ReplicaChange): string[] {
  // 17 (prefix) + 24 + 1 + 12 + 1 + 2 = 57 <= 63; identifier() folds repeated hyphens.
  return identifier(
    `${REPLICA_NAME_PREFIX}${change.resourceId.slice(0, 24)}-${change.id.slice(0, 12)}`,
    Math.abs(change.delta),
  );
}

/** Aurora reader identifiers: Headroom's prefix, the cluster, the change. */
export function auroraReaderIdsFor(change: ReplicaChange, clusterId: string): string[] {
  return identifier(
    `${AURORA_READER_PREFIX}${clusterId.slice(0, 30)}-${change.id.slice(0, 12)}`,
    Math.abs(change.delta),
  );
}

export function rdsReaders(change: ReplicaChange, source: DbInstance, db: DbReplicaControl): ReaderShape {
  return {
    where: `RDS instance ${source.id}`,
    status: source.status,
    readerIds: source.replicaIds,
    newIds: change.delta > 0 ? replicaIdsFor(change) : [],
    create: (id, tags) => db.createReplica(source.id, id, tags),
    remove: (id) => db.deleteReplica(id),
  };
}

export async function auroraReaders(
  change: ReplicaChange,
  source: DbInstance,
  aurora: AuroraReaderControl,
): Promise<ReaderShape> {
  const refuse = (rule: string, problem: string) => new ChangeRefusedError(change, rule, problem);
  const cluster = source.clusterId === undefined ? undefined : await aurora.describeCluster(source.clusterId);
  if (cluster === undefined)
    throw refuse(
      'missing-resource',
      `${source.id} is ${source.engine ?? 'Aurora'} but its cluster was not found`,
    );
  if (cluster.engineMode === 'serverless')
    throw refuse(
      'unsupported/aurora-serverless-v1',
      `cluster ${cluster.id} is Aurora Serverless v1, which has no reader instances to add`,
    );
  const instanceClass = source.instanceClass;
  if (instanceClass === undefined)
    throw refuse('unsupported/aurora-instance-class', `the instance class of ${source.id} is not known`);
  const spec = { clusterId: cluster.id, engine: cluster.engine, instanceClass };
  return {
    where: `Aurora cluster ${cluster.id}`,
    status: cluster.status,
    // A reader that became the writer (a failover) is no longer a reader Headroom may remove.
    readerIds: cluster.members.filter((m) => !m.writer).map((m) => m.id),
    newIds: change.delta > 0 ? auroraReaderIdsFor(change, cluster.id) : [],
    create: (id, tags) => aurora.createReader(spec, id, tags),
    remove: (id) => aurora.deleteReader(id),
  };
}
