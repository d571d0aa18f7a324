/**
 * The real change worker (functions/change-worker/worker.ts) on in-memory replica ports, fed SQS
 * FIFO records: what the concurrency and soak tests push change messages through.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type {
  AdvisorEvent,
  CacheGroup,
  CacheReplicaControl,
  ChangeTargets,
  DbInstance,
  DbReplicaControl,
  FollowUp,
  FollowUpQueue,
  ResourceChange,
} from '@headroom/core';
import { InMemoryChangeTargets } from '@headroom/lab/remediation/changeTargets.js';
import { makeChangeApplier } from '../../functions/change-worker/worker.js';
import { aService } from '../remediation/fixtures.js';

/** RDS as the worker sees it: a source instance and the replicas created from it. */
export class FakeDb implements DbReplicaControl {
  readonly instances = new Map<string, DbInstance>();
  creates = 0;
  deletes = 0;
  /** When set, describe waits for it: a change held mid-flight while another copy arrives. */
  hold: { entered: () => void; release: Promise<void> } | undefined;

  addSource(id: string, status = 'available'): void {
    this.instances.set(id, { id, status, tags: {}, replicaIds: [] });
  }

  async describe(id: string): Promise<DbInstance | undefined> {
    if (this.hold) {
      this.hold.entered();
      await this.hold.release;
    }
    const found = this.instances.get(id);
    return found && structuredClone(found);
  }

  async createReplica(sourceId: string, replicaId: string, tags: Record<string, string>) {
    if (this.instances.has(replicaId)) return 'exists' as const;
    this.creates += 1;
    this.instances.set(replicaId, {
      id: replicaId,
      status: 'available',
      tags,
      replicaIds: [],
      createdAt: this.creates,
    });
    this.instances.get(sourceId)!.replicaIds.push(replicaId);
    return 'created' as const;
  }

  async deleteReplica(replicaId: string) {
    if (!this.instances.delete(replicaId)) return 'gone' as const;
    this.deletes += 1;
    for (const i of this.instances.values()) i.replicaIds = i.replicaIds.filter((r) => r !== replicaId);
    return 'deleting' as const;
  }
}

export class FakeCache implements CacheReplicaControl {
  readonly groups = new Map<string, CacheGroup>();
  async describe(id: string) {
    const found = this.groups.get(id);
    return found && structuredClone(found);
  }
  async setReplicaCount(id: string, count: number) {
    const group = this.groups.get(id)!;
    group.replicasPerShard = group.replicasPerShard.map(() => count);
  }
}

/** Containers that share one RDS share one table of change targets too, as they do in AWS. */
const targetsOf = new WeakMap<FakeDb, ChangeTargets>();
function sharedTargets(db: FakeDb): ChangeTargets {
  const targets = targetsOf.get(db) ?? new InMemoryChangeTargets();
  targetsOf.set(db, targets);
  return targets;
}

export const lambdaContext = {
  functionName: 'change-worker',
  awsRequestId: 'req-reliability',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

let sequence = 0;

/** One FIFO record: the message group is the resource, as the workflow sends it. */
export function changeRecord(body: string, groupId: string, receiveCount = 1, messageId?: string): SQSRecord {
  sequence += 1;
  return {
    messageId: messageId ?? `m-${sequence}`,
    receiptHandle: `r-${sequence}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'states',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: groupId,
      MessageDeduplicationId: `d-${sequence}`,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:headroom-changes.fifo',
    awsRegion: 'eu-west-1',
  };
}

export function replicaChange(id: string, resourceId: string, delta = 1): ResourceChange {
  return {
    kind: 'db-read-replicas',
    id,
    serviceId: 'web',
    resourceId,
    delta,
    requestedAt: 0,
    reason: 'db saturated',
  };
}

export interface Worker {
  db: FakeDb;
  cache: FakeCache;
  followUps: FollowUp[];
  events: AdvisorEvent[];
  handle(records: SQSRecord[]): Promise<SQSBatchResponse>;
}

/**
 * A worker as one Lambda container runs it. Containers may share one RDS (`db`); `dbPort` puts
 * something between the worker and it, e.g. a FaultPlan.
 */
export function changeWorker(
  persistenceStore: BasePersistenceLayer,
  now: () => number,
  {
    db = new FakeDb(),
    dbPort,
    followUpPort,
    targets = sharedTargets(db),
    killSwitchOn = () => false,
  }: {
    db?: FakeDb;
    dbPort?: (db: FakeDb) => DbReplicaControl;
    /** Something between the worker and the follow-up queue, e.g. a FaultPlan. */
    followUpPort?: (queue: FollowUpQueue) => FollowUpQueue;
    targets?: ChangeTargets;
    /** The kill switch the worker reads before every write (the soak's own, where there is one). */
    killSwitchOn?: () => boolean;
  } = {},
): Worker {
  const cache = new FakeCache();
  const followUps: FollowUp[] = [];
  const followUpQueue: FollowUpQueue = { send: async (f) => void followUps.push(f) };
  const events: AdvisorEvent[] = [];
  const applier = makeChangeApplier({
    ports: {
      db: dbPort ? dbPort(db) : db,
      aurora: {
        describeCluster: async () => undefined,
        createReader: async () => 'created' as const,
        deleteReader: async () => 'gone' as const,
      },
      cache,
      followUps: followUpPort ? followUpPort(followUpQueue) : followUpQueue,
      events: { publish: async (e) => void events.push(...e) },
      targets,
      guard: { isKillSwitchOn: async () => killSwitchOn(), recordDecision: async () => {} },
      // Every database here carries headroom:service=web, the service of replicaChange.
      configured: [],
      owners: { serviceOf: async () => 'web' },
      services: { discover: async () => [{ ...aService(), id: 'web' }] },
    },
    persistenceStore,
    now,
    logger: new Logger({ serviceName: 'reliability', logLevel: 'SILENT' }),
  });
  return { db, cache, followUps, events, handle: (records) => applier({ Records: records }, lambdaContext) };
}

/** RDS as the resources' ledger sees it: each replica created or deleted is one effect on its source. */
export function recordedDb(db: FakeDb, record: (sourceId: string, size: number) => void): DbReplicaControl {
  return {
    describe: (id) => db.describe(id),
    createReplica: async (...args: Parameters<DbReplicaControl['createReplica']>) => {
      const result = await db.createReplica(...args);
      if (result === 'created') record(args[0], 1);
      return result;
    },
    deleteReplica: async (...args: Parameters<DbReplicaControl['deleteReplica']>) => {
      const source = [...db.instances.values()].find((i) => i.replicaIds.includes(args[0]));
      const result = await db.deleteReplica(...args);
      if (result === 'deleting') record(source?.id ?? args[0], 1);
      return result;
    },
  };
}
