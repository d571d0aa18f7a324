/**
 * What the change worker tests share: RDS, ElastiCache, SQS and EventBridge mocked
 * (aws-sdk-client-mock), the idempotency, change-target and state tables in a real DynamoDB
 * implementation (dynalite on 127.0.0.1, fresh tables per test), and SQS FIFO records.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  RDSClient,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { ElastiCacheClient, type ReplicationGroup } from '@aws-sdk/client-elasticache';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  changeId,
  DynamoChangeTargets,
  DynamoStateStore,
  ElastiCacheReplicaControl,
  EventBridgePublisher,
  RdsAuroraReaders,
  RdsReplicaControl,
  SqsChangeDeadLetters,
  SqsFollowUpQueue,
  type ManagedService,
  type ResourceChange,
  parseServicesJson,
} from '@headroom/core';
import type { WorkerDeps } from '../../functions/change-worker/worker.js';
import { aService, NOW } from './fixtures.js';

export const FOLLOW_UP_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-follow-ups';
export const CHANGE_DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-changes-dlq.fifo';
export const rds = mockClient(RDSClient);
export const elastiCache = mockClient(ElastiCacheClient);
export const sqs = mockClient(SQSClient);
export const eventBridge = mockClient(EventBridgeClient);

export const context = {
  functionName: 'change-worker',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

export interface Setup {
  deps: WorkerDeps;
  logger: Logger;
  dynamo: DynamoDBClient;
  state: DynamoStateStore;
  /** The services the worker discovers, as they are now: a test may turn one to `advise`. */
  services: ManagedService[];
}

/** Registers the hooks; `current()` is the setup of the running test. */
export function changeWorkerSetup(): { current: () => Setup } {
  let server: Server;
  let dynamo: DynamoDBClient;
  let tableNumber = 0;
  let setup: Setup | undefined;

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
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  afterEach(() => {
    rds.reset();
    elastiCache.reset();
    sqs.reset();
    eventBridge.reset();
  });

  beforeEach(async () => {
    // Fresh tables per test: idempotency records and kept targets must not leak between tests.
    tableNumber += 1;
    const tableName = `idempotency-${tableNumber}`;
    const stateTable = `state-${tableNumber}`;
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamo.send(
      new CreateTableCommand({
        TableName: stateTable,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'follow-1' });
    const clock = { now: () => NOW };
    const state = new DynamoStateStore(dynamo, { tableName: stateTable });
    const services = [aService()];
    const deps: WorkerDeps = {
      ports: {
        db: new RdsReplicaControl(new RDSClient({ region: 'us-east-1' })),
        aurora: new RdsAuroraReaders(new RDSClient({ region: 'us-east-1' })),
        cache: new ElastiCacheReplicaControl(new ElastiCacheClient({ region: 'us-east-1' })),
        followUps: new SqsFollowUpQueue(new SQSClient({ region: 'us-east-1' }), FOLLOW_UP_QUEUE),
        events: new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), {
          eventBusName: 'advisor',
        }),
        targets: new DynamoChangeTargets(dynamo, tableName, clock),
        guard: state,
        // The operator declared orders' database and cache (ServicesJson).
        configured: parseServicesJson(
          '[{"autoScalingGroup":"orders","dbInstance":"orders-db","cacheGroup":"orders-cache"}]',
        ),
        owners: { serviceOf: async () => undefined },
        services: { discover: async () => services },
      },
      deadLetters: new SqsChangeDeadLetters(new SQSClient({ region: 'us-east-1' }), CHANGE_DLQ),
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamo }),
      now: clock.now,
      logger,
    };
    setup = { deps, logger, dynamo, state, services };
  });

  return {
    current: () => {
      if (setup === undefined) throw new Error('the change worker setup runs in beforeEach');
      return setup;
    },
  };
}

export function change(
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
export function record(body: unknown, groupId: string, receiveCount = 1): SQSRecord {
  messageNumber += 1;
  return {
    messageId: `m-${messageNumber}`,
    receiptHandle: `r-${messageNumber}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
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

export const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export function dbInstance(
  id: string,
  replicaIds: string[] = [],
  tags: Record<string, string> = {},
  status = 'available',
): DBInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceStatus: status,
    Engine: 'postgres',
    ReadReplicaDBInstanceIdentifiers: replicaIds,
    TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    InstanceCreateTime: new Date(NOW - 86_400_000),
  };
}

export function cacheGroup(replicas: number, status = 'available'): ReplicationGroup {
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

export const publishedTypes = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.DetailType));
export const publishedDetail = (i = 0) =>
  JSON.parse(eventBridge.commandCalls(PutEventsCommand)[i]?.args[0].input.Entries?.[0]?.Detail ?? '{}');

/** DescribeDBInstances as RDS answers it: the instance asked for, or DBInstanceNotFound. */
export function rdsDescribes(instances: () => readonly DBInstance[]): void {
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
    const found = instances().find((i) => i.DBInstanceIdentifier === input.DBInstanceIdentifier);
    if (found === undefined)
      throw new DBInstanceNotFoundFault({
        message: `DBInstance ${input.DBInstanceIdentifier ?? ''} not found.`,
        $metadata: { httpStatusCode: 404 },
      });
    return { DBInstances: [found] };
  });
}

/** What the worker kept in the change dead-letter queue itself. */
export const deadLettered = () =>
  sqs
    .commandCalls(SendMessageCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.QueueUrl === CHANGE_DLQ);

/** The SDK's error when the connection dies after the request was sent: the call may have taken effect. */
export const answerLost = () =>
  Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: { attempts: 3 } });
