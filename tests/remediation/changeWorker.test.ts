/**
 * The change worker end to end: SQS batches in, RDS / ElastiCache / SQS / EventBridge calls out
 * (aws-sdk-client-mock), idempotency records in a real DynamoDB implementation (dynalite on
 * 127.0.0.1).
 */
import { describe, expect, it, jest } from '@jest/globals';
import {
  CreateDBInstanceReadReplicaCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DBInstanceNotFoundFault,
} from '@aws-sdk/client-rds';
import { DescribeReplicationGroupsCommand, IncreaseReplicaCountCommand } from '@aws-sdk/client-elasticache';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { CHANGE_QUEUE_MAX_RECEIVES, replicaIdsFor, type FollowUp, type ReplicaChange } from '@headroom/core';
import { makeChangeApplier, makeChangeFollower } from '../../functions/change-worker/worker.js';
import { loadTemplate } from '../template/template.js';
import { NOW } from './fixtures.js';
import {
  batch,
  cacheGroup,
  change,
  changeWorkerSetup,
  context,
  dbInstance,
  deadLettered,
  elastiCache,
  FOLLOW_UP_QUEUE,
  publishedDetail,
  publishedTypes,
  rds,
  rdsDescribes,
  record,
  sqs,
} from './changeWorkerSetup.js';

const setup = changeWorkerSetup();

describe('change worker: applying', () => {
  it('creates a read replica tagged as Headroom’s, named from the change id, and follows it', async () => {
    const c = change('db-read-replicas', 'orders-db') as ReplicaChange;
    rdsDescribes(() => [dbInstance('orders-db', ['orders-db-manual-1'])]);
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const response = await makeChangeApplier(setup.current().deps)(batch(record(c, 'orders-db')), context);
    expect(response.batchItemFailures).toEqual([]);
    const create = rds.commandCalls(CreateDBInstanceReadReplicaCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      SourceDBInstanceIdentifier: 'orders-db',
      DBInstanceIdentifier: replicaIdsFor(c)[0],
    });
    expect(create?.DBInstanceIdentifier).toMatch(/^headroom-replica-orders-db-[0-9a-f]{12}-1$/);
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
      .resolves({ DBInstances: [dbInstance('orders-db', ['headroom-replica-orders-1', 'manual-1'])] });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'headroom-replica-orders-1' }).resolves({
      DBInstances: [
        dbInstance('headroom-replica-orders-1', [], { 'headroom:created-by': 'headroom' }, 'creating'),
      ],
    });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'manual-1' })
      .resolves({ DBInstances: [dbInstance('manual-1', [], {}, 'modifying')] });
    const response = await makeChangeApplier(setup.current().deps)(
      batch(record(change('db-read-replicas', 'orders-db'), 'orders-db')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({
      error: 'wait/replica-in-progress',
      cause: expect.stringContaining('headroom-replica-orders-1 is creating'),
    });
  });

  it('adds one cache replica per shard with IncreaseReplicaCount, applied immediately', async () => {
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(1)] });
    elastiCache.on(IncreaseReplicaCountCommand).resolves({});
    const response = await makeChangeApplier(setup.current().deps)(
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
    rdsDescribes(() => [dbInstance('orders-db')]);
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const apply = makeChangeApplier(setup.current().deps);
    const first = await apply(batch(record(c, 'orders-db')), context);
    const again = await apply(batch(record(c, 'orders-db')), context);
    expect([first.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    // The first follow-up is sent again (its send may be what failed); the follower, idempotent on
    // [change id, attempt], takes the copy as the same look.
    const bodies = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}'));
    expect(bodies.map((b) => [b.change.id, b.attempt])).toEqual([
      [c.id, 1],
      [c.id, 1],
    ]);
  });

  it('keeps poison messages in the dead-letter queue at once; the good messages of their group behind them are applied', async () => {
    const errors = jest.spyOn(setup.current().logger, 'error');
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(1)] });
    elastiCache.on(IncreaseReplicaCountCommand).resolves({});
    rdsDescribes(() => [dbInstance('orders-db')]);
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const bad = record({ ...change('db-read-replicas', 'orders-db'), delta: 0 }, 'orders-db');
    const behind = record(change('db-read-replicas', 'orders-db', 1, 'evt-2'), 'orders-db');
    const notJson = record('{"kind": "cache-repl', 'other-cache');
    const good = record(change('cache-replicas', 'orders-cache'), 'orders-cache');
    const response = await makeChangeApplier(setup.current().deps)(
      batch(bad, good, behind, notJson),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered().map((d) => [d.MessageGroupId, d.MessageDeduplicationId, d.MessageBody])).toEqual([
      ['orders-db', bad.messageId, bad.body],
      ['other-cache', notJson.messageId, notJson.body],
    ]);
    expect(deadLettered()[0]?.MessageAttributes?.error?.StringValue).toContain('delta');
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(1);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    const logged = errors.mock.calls.map((call) => JSON.stringify(call));
    expect(logged.some((line) => line.includes(bad.messageId) && line.includes('delta'))).toBe(true);
    expect(logged.some((line) => line.includes(notJson.messageId) && line.includes('JSON'))).toBe(true);
  });

  it('a message that may still succeed holds back the rest of its group, in order, and is not dead-lettered', async () => {
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .resolves({ ReplicationGroups: [cacheGroup(1, 'modifying')] });
    const first = record(change('cache-replicas', 'orders-cache'), 'orders-cache');
    const second = record(change('cache-replicas', 'orders-cache', 1, 'evt-2'), 'orders-cache');
    const good = record(change('db-read-replicas', 'orders-db'), 'orders-db');
    rdsDescribes(() => [dbInstance('orders-db')]);
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({});
    const response = await makeChangeApplier(setup.current().deps)(batch(first, second, good), context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      first.messageId,
      second.messageId,
    ]);
    expect(deadLettered()).toEqual([]);
  });

  it('on its last receive a failing message goes to the dead-letter queue and the message behind it is tried', async () => {
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .rejectsOnce(
        Object.assign(new Error('An internal error has occurred.'), {
          name: 'InternalFailure',
          $fault: 'server',
        }),
      )
      .resolves({ ReplicationGroups: [cacheGroup(1)] });
    elastiCache.on(IncreaseReplicaCountCommand).resolves({});
    const last = record(change('cache-replicas', 'orders-cache'), 'orders-cache', 5);
    const behind = record(change('cache-replicas', 'orders-cache', 1, 'evt-2'), 'orders-cache', 5);
    const response = await makeChangeApplier(setup.current().deps)(batch(last, behind), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered().map((d) => d.MessageDeduplicationId)).toEqual([last.messageId]);
    expect(deadLettered()[0]?.MessageAttributes?.error?.StringValue).toContain('InternalFailure');
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(1);
  });

  it('refuses a sixteenth read replica: nothing created, ActionFailed published, message done', async () => {
    const fifteen = Array.from({ length: 15 }, (_, i) => `orders-db-r${i}`);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('orders-db', fifteen)] });
    const response = await makeChangeApplier(setup.current().deps)(
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
    const response = await makeChangeApplier(setup.current().deps)(
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
      .resolves({ DBInstances: [dbInstance('orders-db', ['manual-1', 'headroom-replica-orders-1'])] });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'manual-1' })
      .resolves({ DBInstances: [dbInstance('manual-1')] });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'headroom-replica-orders-1' }).resolves({
      DBInstances: [dbInstance('headroom-replica-orders-1', [], { 'headroom:created-by': 'headroom' })],
    });
    rds.on(DeleteDBInstanceCommand).resolves({});
    const apply = makeChangeApplier(setup.current().deps);
    await apply(batch(record(change('db-read-replicas', 'orders-db', -1), 'orders-db')), context);
    expect(
      rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier),
    ).toEqual(['headroom-replica-orders-1']);
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
    await expect(makeChangeApplier(setup.current().deps)(batch(busy), context)).rejects.toThrow(
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
    const response = await makeChangeFollower(setup.current().deps)(
      batch(record(followUp(3), 'n/a')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(JSON.parse(sent?.MessageBody ?? '{}')).toMatchObject({ attempt: 4 });
    expect(publishedTypes()).toEqual([]);
  });

  it('re-queues a follow-up delivered twice only once', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    const follow = makeChangeFollower(setup.current().deps);
    await follow(batch(record(followUp(2), 'n/a')), context);
    await follow(batch(record(followUp(2), 'n/a')), context);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('reports RemediationCompleted once the replica is available', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId)] });
    await makeChangeFollower(setup.current().deps)(batch(record(followUp(5), 'n/a')), context);
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
    await makeChangeFollower(setup.current().deps)(
      batch(
        record({ ...followUp(1), change: removal, watch: ['headroom-replica-orders-1'], target: 0 }, 'n/a'),
      ),
      context,
    );
    expect(publishedTypes()).toEqual(['RemediationCompleted']);
  });

  it('gives up after the last attempt and says so', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    await makeChangeFollower({ ...setup.current().deps, policy: { delaySeconds: 60, maxAttempts: 3 } })(
      batch(record(followUp(3), 'n/a')),
      context,
    );
    expect(publishedTypes()).toEqual(['ActionFailed']);
    expect(publishedDetail()).toMatchObject({ error: 'follow/timed-out' });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('fails a follow-up that does not match its schema, naming the field', async () => {
    const errors = jest.spyOn(setup.current().logger, 'error');
    const bad = record({ ...followUp(1), attempt: 0 }, 'n/a');
    const fine = record(followUp(1), 'n/a');
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance(replicaId, [], {}, 'creating')] });
    const response = await makeChangeFollower(setup.current().deps)(batch(bad, fine), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(JSON.stringify(errors.mock.calls)).toContain('attempt');
  });
});

describe('change worker: the dead-letter queue it writes itself', () => {
  it('takes a message as poison on the same receive SQS would dead-letter it', () => {
    const queue = loadTemplate().Resources['ChangeQueue']?.Properties as
      { RedrivePolicy?: { maxReceiveCount?: number } } | undefined;
    expect(queue?.RedrivePolicy?.maxReceiveCount).toBe(CHANGE_QUEUE_MAX_RECEIVES);
  });
});
