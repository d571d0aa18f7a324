/**
 * The change worker end to end: SQS batches in, RDS / ElastiCache / SQS / EventBridge calls out
 * (aws-sdk-client-mock), idempotency records in a real DynamoDB implementation (dynalite on
 * 127.0.0.1).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateDBInstanceReadReplicaCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DBInstanceNotFoundFault,
  RDSClient,
  type DBInstance,
} from '@aws-sdk/client-rds';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  IncreaseReplicaCountCommand,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  changeId,
  ElastiCacheReplicaControl,
  EventBridgePublisher,
  RdsReplicaControl,
  replicaIdsFor,
  SqsFollowUpQueue,
  type FollowUp,
  type ReplicaChange,
  type ResourceChange,
} from '@headroom/core';
import {
  makeChangeApplier,
  makeChangeFollower,
  type WorkerDeps,
} from '../../functions/change-worker/worker.js';
import { NOW } from './fixtures.js';

const FOLLOW_UP_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-follow-ups';
const rds = mockClient(RDSClient);
const elastiCache = mockClient(ElastiCacheClient);
const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);

let server: Server;
let dynamo: DynamoDBClient;
let tableNumber = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dynamo = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  dynamo.destroy();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

afterEach(() => {
  rds.reset();
  elastiCache.reset();
  sqs.reset();
  eventBridge.reset();
});

const context = {
  functionName: 'change-worker',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

let deps: WorkerDeps;
let logger: Logger;

beforeEach(async () => {
  // A fresh table per test: idempotency records must not leak from one test into the next.
  tableNumber += 1;
  const tableName = `idempotency-${tableNumber}`;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'follow-1' });
  deps = {
    ports: {
      db: new RdsReplicaControl(new RDSClient({ region: 'us-east-1' })),
      cache: new ElastiCacheReplicaControl(new ElastiCacheClient({ region: 'us-east-1' })),
      followUps: new SqsFollowUpQueue(new SQSClient({ region: 'us-east-1' }), FOLLOW_UP_QUEUE),
      events: new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), {
        eventBusName: 'advisor',
      }),
    },
    persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamo }),
    now: () => NOW,
    logger,
  };
});

function change(
  kind: ResourceChange['kind'],
  resourceId: string,
  delta = 1,
  origin = 'evt-1',
): ResourceChange {
  return {
    kind,
    id: changeId(origin, kind, resourceId, delta),
    serviceId: 'orders',
    resourceId,
    delta,
    requestedAt: NOW,
    reason: 'test',
  };
}

let messageNumber = 0;
function record(body: unknown, groupId: string): SQSRecord {
  messageNumber += 1;
  return {
    messageId: `m-${messageNumber}`,
    receiptHandle: `r-${messageNumber}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(NOW),
      SenderId: 'states',
      ApproximateFirstReceiveTimestamp: String(NOW),
      MessageGroupId: groupId,
      MessageDeduplicationId: `d-${messageNumber}`,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:headroom-changes.fifo',
    awsRegion: 'us-east-1',
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

function dbInstance(
  id: string,
  replicaIds: string[] = [],
  tags: Record<string, string> = {},
  status = 'available',
): DBInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceStatus: status,
    ReadReplicaDBInstanceIdentifiers: replicaIds,
    TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    InstanceCreateTime: new Date(NOW - 86_400_000),
  };
}

function cacheGroup(replicas: number, status = 'available'): ReplicationGroup {
  const members = Array.from({ length: replicas + 1 }, (_, i) => ({
    CacheClusterId: `orders-cache-00${i + 1}`,
  }));
  return {
    ReplicationGroupId: 'orders-cache',
    Status: status,
    AutomaticFailover: 'enabled',
    NodeGroups: [{ NodeGroupId: '0001', NodeGroupMembers: members }],
  };
}

const publishedTypes = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.DetailType));
const publishedDetail = (i = 0) =>
  JSON.parse(eventBridge.commandCalls(PutEventsCommand)[i]?.args[0].input.Entries?.[0]?.Detail ?? '{}');

describe('change worker: applying', () => {
  it('creates a read replica tagged as Headroom’s, named from the change id, and follows it', async () => {
    const c = change('db-read-replicas', 'orders-db') as ReplicaChange;
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [dbInstance('orders-db', ['orders-db-manual-1'])] });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const response = await makeChangeApplier(deps)(batch(record(c, 'orders-db')), context);
    expect(response.batchItemFailures).toEqual([]);
    const create = rds.commandCalls(CreateDBInstanceReadReplicaCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      SourceDBInstanceIdentifier: 'orders-db',
      DBInstanceIdentifier: replicaIdsFor(c)[0],
    });
    expect(create?.DBInstanceIdentifier).toMatch(/^orders-db-hr-[0-9a-f]{12}-1$/);
    expect(create?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'headroom:created-by', Value: 'headroom' },
        { Key: 'headroom:change-id', Value: c.id },
      ]),
    );
    const follow = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(follow).toMatchObject({ QueueUrl: FOLLOW_UP_QUEUE, DelaySeconds: 120 });
    expect(JSON.parse(follow?.MessageBody ?? '{}')).toMatchObject({
      watch: replicaIdsFor(c),
      attempt: 1,
      change: { id: c.id },
    });
  });

  it('adds no read replica while one of Headroom’s is still being created', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-db' })
      .resolves({ DBInstances: [dbInstance('orders-db', ['hr-1', 'manual-1'])] });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'hr-1' }).resolves({
      DBInstances: [dbInstance('hr-1', [], { 'headroom:created-by': 'headroom' }, 'creating')],
    });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'manual-1' })
      .resolves({ DBInstances: [dbInstance('manual-1', [], {}, 'modifying')] });
    const response = await makeChangeApplier(deps)(
      batch(record(change('db-read-replicas', 'orders-db'), 'orders-db')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({
      error: 'wait/replica-in-progress',
      cause: expect.stringContaining('hr-1 is creating'),
    });
  });

  it('adds one cache replica per shard with IncreaseReplicaCount, applied immediately', async () => {
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(1)] });
    elastiCache.on(IncreaseReplicaCountCommand).resolves({});
    const response = await makeChangeApplier(deps)(
      batch(record(change('cache-replicas', 'orders-cache'), 'orders-cache')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)[0]?.args[0].input).toEqual({
      ReplicationGroupId: 'orders-cache',
      NewReplicaCount: 2,
      ApplyImmediately: true,
    });
  });

  it('applies a duplicate delivery of the same change once (idempotency on the change id)', async () => {
    const c = change('db-read-replicas', 'orders-db');
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('orders-db')] });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const apply = makeChangeApplier(deps);
    const first = await apply(batch(record(c, 'orders-db')), context);
    const again = await apply(batch(record(c, 'orders-db')), context);
    expect([first.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('fails only the bad messages of a batch, holds back the rest of their group, and logs why', async () => {
    const errors = jest.spyOn(logger, 'error');
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(1)] });
    elastiCache.on(IncreaseReplicaCountCommand).resolves({});
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('orders-db')] });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const bad = record({ ...change('db-read-replicas', 'orders-db'), delta: 0 }, 'orders-db');
    const heldBack = record(change('db-read-replicas', 'orders-db', 1, 'evt-2'), 'orders-db');
    const notJson = record('{"kind": "cache-repl', 'other-cache');
    const good = record(change('cache-replicas', 'orders-cache'), 'orders-cache');
    const response = await makeChangeApplier(deps)(batch(bad, good, heldBack, notJson), context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [bad.messageId, heldBack.messageId, notJson.messageId].sort(),
    );
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(1);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    const logged = errors.mock.calls.map((call) => JSON.stringify(call));
    expect(logged.some((line) => line.includes(bad.messageId) && line.includes('delta'))).toBe(true);
    expect(logged.some((line) => line.includes(notJson.messageId) && line.includes('JSON'))).toBe(true);
  });

  it('refuses a sixteenth read replica: nothing created, ActionFailed published, message done', async () => {
    const fifteen = Array.from({ length: 15 }, (_, i) => `orders-db-r${i}`);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('orders-db', fifteen)] });
    const response = await makeChangeApplier(deps)(
      batch(record(change('db-read-replicas', 'orders-db'), 'orders-db')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    expect(publishedTypes()).toEqual(['ActionFailed']);
    expect(publishedDetail()).toMatchObject({ error: 'limit/rds-read-replicas', serviceId: 'orders' });
  });

  it('refuses a sixth replica per cache shard', async () => {
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(5)] });
    const response = await makeChangeApplier(deps)(
      batch(record(change('cache-replicas', 'orders-cache'), 'orders-cache')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({ error: 'limit/elasticache-replicas-per-shard' });
  });

  it('deletes only a replica Headroom created, never another', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-db' })
      .resolves({ DBInstances: [dbInstance('orders-db', ['manual-1', 'hr-1'])] });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'manual-1' })
      .resolves({ DBInstances: [dbInstance('manual-1')] });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'hr-1' })
      .resolves({ DBInstances: [dbInstance('hr-1', [], { 'headroom:created-by': 'headroom' })] });
    rds.on(DeleteDBInstanceCommand).resolves({});
    const apply = makeChangeApplier(deps);
    await apply(batch(record(change('db-read-replicas', 'orders-db', -1), 'orders-db')), context);
    expect(
      rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier),
    ).toEqual(['hr-1']);
    // Asked for two, only one is Headroom's: refused as a whole, nothing more deleted.
    await apply(batch(record(change('db-read-replicas', 'orders-db', -2), 'orders-db')), context);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
    expect(publishedDetail()).toMatchObject({ error: 'safety/created-by-headroom' });
  });

  it('leaves a change on the queue while its resource is busy', async () => {
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .resolves({ ReplicationGroups: [cacheGroup(1, 'modifying')] });
    const busy = record(change('cache-replicas', 'orders-cache'), 'orders-cache');
    // A whole batch failing fails the invocation (Powertools' default): every message comes back.
    await expect(makeChangeApplier(deps)(batch(busy), context)).rejects.toThrow(
      'All records failed processing',
    );
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
  });
});

describe('change worker: following', () => {
  const c = change('db-read-replicas', 'orders-db') as ReplicaChange;
  const followUp = (attempt: number): FollowUp => ({
    change: c,
    watch: replicaIdsFor(c),
    target: 1,
    attempt,
    startedAt: NOW - 600_000,
  });
  const replicaId = replicaIdsFor(c)[0] ?? '';

  it('sends the follow-up back, one attempt on, while the replica is being created', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    const response = await makeChangeFollower(deps)(batch(record(followUp(3), 'n/a')), context);
    expect(response.batchItemFailures).toEqual([]);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(JSON.parse(sent?.MessageBody ?? '{}')).toMatchObject({ attempt: 4 });
    expect(publishedTypes()).toEqual([]);
  });

  it('re-queues a follow-up delivered twice only once', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    const follow = makeChangeFollower(deps);
    await follow(batch(record(followUp(2), 'n/a')), context);
    await follow(batch(record(followUp(2), 'n/a')), context);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('reports RemediationCompleted once the replica is available', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId)] });
    await makeChangeFollower(deps)(batch(record(followUp(5), 'n/a')), context);
    expect(publishedTypes()).toEqual(['RemediationCompleted']);
    expect(publishedDetail()).toMatchObject({
      changeId: c.id,
      resources: [replicaId],
      minutes: 10,
      outcome: 'completed',
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('reports a deletion complete once the replica is gone', async () => {
    const removal = change('db-read-replicas', 'orders-db', -1);
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(new DBInstanceNotFoundFault({ message: 'DBInstance hr-1 not found.', $metadata: {} }));
    await makeChangeFollower(deps)(
      batch(record({ ...followUp(1), change: removal, watch: ['hr-1'], target: 0 }, 'n/a')),
      context,
    );
    expect(publishedTypes()).toEqual(['RemediationCompleted']);
  });

  it('gives up after the last attempt and says so', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    await makeChangeFollower({ ...deps, policy: { delaySeconds: 60, maxAttempts: 3 } })(
      batch(record(followUp(3), 'n/a')),
      context,
    );
    expect(publishedTypes()).toEqual(['ActionFailed']);
    expect(publishedDetail()).toMatchObject({ error: 'follow/timed-out' });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('fails a follow-up that does not match its schema, naming the field', async () => {
    const errors = jest.spyOn(logger, 'error');
    const bad = record({ ...followUp(1), attempt: 0 }, 'n/a');
    const fine = record(followUp(1), 'n/a');
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    const response = await makeChangeFollower(deps)(batch(bad, fine), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(JSON.stringify(errors.mock.calls)).toContain('attempt');
  });
});
