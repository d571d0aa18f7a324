/**
 * Replica and cache changes: what travels on the FIFO change queue from the remediation workflow
 * to the change worker. A change is relative ("one more read replica") because the worker, not
 * the planner, reads the resource's current shape just before acting; the limits are checked there.
 */
import { createHash } from 'node:crypto';

/** RDS allows 15 read replicas per source instance (MySQL, MariaDB, PostgreSQL). */
export const RDS_MAX_READ_REPLICAS = 15;
/** ElastiCache (Redis OSS / Valkey) allows 5 replicas per shard (node group). */
export const ELASTICACHE_MAX_REPLICAS_PER_SHARD = 5;
/** The tag Headroom puts on every replica it creates; only replicas carrying it may be deleted. */
export const CREATED_BY_TAG = { key: 'headroom:created-by', value: 'headroom' } as const;
export const CHANGE_ID_TAG = 'headroom:change-id';
/**
 * Every RDS replica Headroom creates is named with this prefix, and IAM grants create, tag and
 * delete only on `db:headroom-replica-*` (template.yaml): no existing database can be tagged or
 * deleted by Headroom, whatever tags it carries. RDS identifiers are at most 63 characters.
 */
export const REPLICA_NAME_PREFIX = 'headroom-replica-';

interface ChangeBase {
  /** Content hash: the SQS deduplication id and the idempotency key. */
  id: string;
  serviceId: string;
  /** The resource the change acts on; the SQS message group, so changes to it stay in order. */
  resourceId: string;
  /** Replicas to add (> 0) or remove (< 0). */
  delta: number;
  /** Epoch ms when the workflow asked for it. */
  requestedAt: number;
  reason: string;
}

export interface ReplicaChange extends ChangeBase {
  kind: 'db-read-replicas';
}

export interface CacheChange extends ChangeBase {
  kind: 'cache-replicas';
}

export type ResourceChange = ReplicaChange | CacheChange;

/**
 * Deterministic id: the same alarm (event id) asking the same thing of the same resource yields the
 * same id, so a re-run execution or a duplicate message is recognised rather than applied twice.
 */
export function changeId(
  origin: string,
  kind: ResourceChange['kind'],
  resourceId: string,
  delta: number,
): string {
  return contentHash([origin, kind, resourceId, String(delta)]).slice(0, 40);
}

/** Hex SHA-256 of the parts, newline-separated. */
export function contentHash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function describeChange(change: ResourceChange): string {
  const n = Math.abs(change.delta);
  const verb = change.delta > 0 ? 'add' : 'remove';
  const what = change.kind === 'db-read-replicas' ? 'read replica' : 'cache replica per shard';
  return `${verb} ${n} ${what}${n === 1 ? '' : 's'} on ${change.resourceId}`;
}

/** A change AWS would refuse, or one Headroom must not make; the message is done, not retried. */
export class ChangeRefusedError extends Error {
  constructor(
    readonly change: ResourceChange,
    readonly rule: string,
    problem: string,
  ) {
    super(`change ${change.id} (${describeChange(change)}) refused by ${rule}: ${problem}`);
    this.name = 'ChangeRefusedError';
  }
}

/** The new read-replica count, or the rule it would break. */
export function checkReplicaLimit(
  current: number,
  delta: number,
): { ok: true; target: number } | { ok: false; rule: string; problem: string } {
  const target = current + delta;
  if (target > RDS_MAX_READ_REPLICAS) {
    return {
      ok: false,
      rule: 'limit/rds-read-replicas',
      problem: `${current} + ${delta} exceeds ${RDS_MAX_READ_REPLICAS} read replicas per source`,
    };
  }
  if (target < 0)
    return { ok: false, rule: 'limit/rds-read-replicas', problem: `only ${current} read replicas exist` };
  return { ok: true, target };
}

/**
 * The new replicas-per-shard count. Every shard must stay within 5; with automatic failover a
 * shard keeps at least one replica, or ElastiCache refuses the decrease.
 */
export function checkCacheLimit(
  replicasPerShard: readonly number[],
  delta: number,
  automaticFailover: boolean,
): { ok: true; target: number } | { ok: false; rule: string; problem: string } {
  if (replicasPerShard.length === 0)
    return { ok: false, rule: 'limit/elasticache-shape', problem: 'the group has no shards' };
  const current = delta > 0 ? Math.max(...replicasPerShard) : Math.min(...replicasPerShard);
  const target = current + delta;
  if (target > ELASTICACHE_MAX_REPLICAS_PER_SHARD) {
    return {
      ok: false,
      rule: 'limit/elasticache-replicas-per-shard',
      problem: `${current} + ${delta} exceeds ${ELASTICACHE_MAX_REPLICAS_PER_SHARD} replicas per shard`,
    };
  }
  const floor = automaticFailover ? 1 : 0;
  if (target < floor) {
    return {
      ok: false,
      rule: 'limit/elasticache-replicas-per-shard',
      problem: `a shard would keep ${target} replicas; ${floor} is the least ${automaticFailover ? 'automatic failover needs' : 'possible'}`,
    };
  }
  return { ok: true, target };
}
