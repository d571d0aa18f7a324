/**
 * Ports of the change worker: the database and cache replicas it changes, the queue it follows
 * changes on. `aws/` implements them with the RDS, ElastiCache and SQS clients; the simulation
 * with its own tiers. Adapters translate, they never decide.
 */
import type { StateStore } from '../ports/index.js';
import type { ResourceChange } from './changes.js';

export interface DbInstance {
  id: string;
  /** RDS DBInstanceStatus: available, creating, deleting, modifying, … */
  status: string;
  /** Epoch ms, when known. */
  createdAt?: number;
  tags: Record<string, string>;
  /** Read replicas of this instance, by identifier. */
  replicaIds: string[];
  /** RDS engine (mysql, postgres, aurora-mysql, …), when known: Aurora has no read replicas of its own. */
  engine?: string;
  /** The Aurora (or Multi-AZ) cluster the instance belongs to, if any. */
  clusterId?: string;
  /** DBInstanceClass, e.g. db.r6g.large: an Aurora reader Headroom adds takes its cluster member's. */
  instanceClass?: string;
}

export interface DbReplicaControl {
  /** The instance, or undefined when it does not exist. */
  describe(dbInstanceId: string): Promise<DbInstance | undefined>;
  /** 'exists' when an instance of that identifier is already there (a retried create). */
  createReplica(
    sourceId: string,
    replicaId: string,
    tags: Record<string, string>,
  ): Promise<'created' | 'exists'>;
  /** 'gone' when it no longer exists. */
  deleteReplica(replicaId: string): Promise<'deleting' | 'gone'>;
}

/** An Aurora cluster as DescribeDBClusters gives it: its engine and its instances (one writer). */
export interface AuroraCluster {
  id: string;
  /** aurora-mysql, aurora-postgresql. */
  engine: string;
  status: string;
  /** provisioned, serverless (v1: no instances of its own), … */
  engineMode?: string;
  members: { id: string; writer: boolean }[];
}

/** What CreateDBInstance needs to add a reader to an Aurora cluster (no storage: the cluster has it). */
export interface AuroraReaderSpec {
  clusterId: string;
  engine: string;
  instanceClass: string;
}

/** Aurora's readers are instances of its cluster: CreateDBInstance with DBClusterIdentifier, DeleteDBInstance. */
export interface AuroraReaderControl {
  describeCluster(clusterId: string): Promise<AuroraCluster | undefined>;
  /** 'exists' when an instance of that identifier is already there (a retried create). */
  createReader(
    spec: AuroraReaderSpec,
    readerId: string,
    tags: Record<string, string>,
  ): Promise<'created' | 'exists'>;
  /** 'gone' when it no longer exists. */
  deleteReader(readerId: string): Promise<'deleting' | 'gone'>;
}

export interface CacheGroup {
  id: string;
  /** ElastiCache replication group status: available, modifying, … */
  status: string;
  /** Replicas (members beyond the primary) of each shard. */
  replicasPerShard: number[];
  automaticFailover: boolean;
}

export interface CacheReplicaControl {
  describe(replicationGroupId: string): Promise<CacheGroup | undefined>;
  setReplicaCount(
    replicationGroupId: string,
    newReplicaCount: number,
    direction: 'increase' | 'decrease',
  ): Promise<void>;
}

/** A change being followed until its resources are available (or gone). */
export interface FollowUp {
  change: ResourceChange;
  /** Replica identifiers (RDS) or the replication group (ElastiCache) to watch. */
  watch: string[];
  /** Replicas per shard the cache group should end with (0 for RDS, where `watch` says it all). */
  target: number;
  attempt: number;
  startedAt: number;
}

export interface FollowUpQueue {
  /** Sends the follow-up back, visible again after `delaySeconds` (at most 900, SQS's limit). */
  send(followUp: FollowUp, delaySeconds: number): Promise<void>;
}

/**
 * The absolute target of a change, fixed the first time the change is applied and kept, so that a
 * retry (the answer of a write lost, the function timed out after it, the message delivered again)
 * aims at the same end state instead of adding its delta once more.
 */
export interface ChangeTarget {
  /** Replicas (RDS: of the source; ElastiCache: per shard) the resource ends with. */
  target: number;
  /** Replicas created or removed (RDS) or the replication group (ElastiCache). */
  watch: string[];
}

export interface ChangeTargets {
  get(changeId: string): Promise<ChangeTarget | undefined>;
  /** Keeps `target` unless the change already has one (a concurrent copy won); returns the kept one. */
  keep(changeId: string, target: ChangeTarget): Promise<ChangeTarget>;
}

/** What the worker needs of the state table: the kill switch, and a record of what it refused. */
export type ChangeGuard = Pick<StateStore, 'isKillSwitchOn' | 'recordDecision'>;

/**
 * AWS said no for good (a quota, a state the resource will not leave by itself, an operation the
 * engine does not support): retrying cannot help. Adapters translate such errors into this.
 */
export class ResourceRejectedError extends Error {
  override readonly name = 'ResourceRejectedError';
  constructor(
    /** AWS's error name, e.g. InstanceQuotaExceededFault. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
