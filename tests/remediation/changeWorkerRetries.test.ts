/**
 * The change worker under faults that strike after the write: the call took effect but its answer
 * was lost, the follow-up send failed after it, the function timed out right after it. Every
 * retry must aim at the same absolute target, so the resource ends where the decision said, once.
 * And permanent AWS errors and the kill switch stop a change at once, recorded and published.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CreateDBInstanceReadReplicaCommand,
  DBInstanceAlreadyExistsFault,
  DeleteDBInstanceCommand,
  InstanceQuotaExceededFault,
  InvalidDBInstanceStateFault,
  type DBInstance,
} from '@aws-sdk/client-rds';
import {
  DescribeReplicationGroupsCommand,
  IncreaseReplicaCountCommand,
  NodeQuotaForCustomerExceededFault,
} from '@aws-sdk/client-elasticache';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startChange } from '@headroom/core';
import { makeChangeApplier } from '../../functions/change-worker/worker.js';
import { NOW } from './fixtures.js';
import {
  answerLost,
  batch,
  cacheGroup,
  change,
  changeWorkerSetup,
  context,
  dbInstance,
  elastiCache,
  publishedDetail,
  publishedTypes,
  rds,
  rdsDescribes,
  record,
  sqs,
} from './changeWorkerSetup.js';

const setup = changeWorkerSetup();
const OURS = { 'headroom:created-by': 'headroom' };

/**
 * A replication group as ElastiCache keeps it: IncreaseReplicaCount sets the count and leaves the
 * group `modifying` for the next describe; `loseAnswer` makes the next increase take effect and throw.
 */
function cacheOf(replicas: number) {
  const group = { replicas, status: 'available', loseAnswer: false };
  elastiCache.on(DescribeReplicationGroupsCommand).callsFake(() => {
    const seen = cacheGroup(group.replicas, group.status);
    group.status = 'available';
    return { ReplicationGroups: [seen] };
  });
  elastiCache.on(IncreaseReplicaCountCommand).callsFake((input: { NewReplicaCount?: number }) => {
    group.replicas = input.NewReplicaCount ?? group.replicas;
    group.status = 'modifying';
    if (group.loseAnswer) {
      group.loseAnswer = false;
      throw answerLost();
    }
    return { ReplicationGroup: cacheGroup(group.replicas, 'modifying') };
  });
  return group;
}

/** Delivers the batch until the change is done or `max` deliveries, as SQS redelivers a failed one. */
async function deliverUntilDone(body: unknown, group: string, max = 4): Promise<number> {
  const apply = makeChangeApplier(setup.current().deps);
  for (let delivery = 1; delivery <= max; delivery += 1) {
    try {
      const response = await apply(batch(record(body, group)), context);
      if (response.batchItemFailures.length === 0) return delivery;
    } catch {
      // Every record failed: the invocation fails and SQS delivers the message again.
    }
  }
  return max;
}

describe('change worker: one effect per decision under faults after the write', () => {
  it('a follow-up send that fails after IncreaseReplicaCount does not add a second cache replica', async () => {
    const group = cacheOf(1);
    sqs
      .on(SendMessageCommand)
      .rejectsOnce(
        Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server' }),
      )
      .resolves({ MessageId: 'follow-1' });
    const c = change('cache-replicas', 'orders-cache');
    expect(await deliverUntilDone(c, 'orders-cache')).toBe(2);
    expect(group.replicas).toBe(2);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('IncreaseReplicaCount that took effect but whose answer was lost is not repeated', async () => {
    const group = cacheOf(1);
    group.loseAnswer = true;
    const c = change('cache-replicas', 'orders-cache');
    await deliverUntilDone(c, 'orders-cache');
    expect(group.replicas).toBe(2);
    expect(
      elastiCache.commandCalls(IncreaseReplicaCountCommand).map((x) => x.args[0].input.NewReplicaCount),
    ).toEqual([2]);
  });

  it('a function that timed out right after the write (its idempotency record gone) changes nothing more', async () => {
    const group = cacheOf(1);
    const c = change('cache-replicas', 'orders-cache');
    const { ports } = setup.current().deps;
    // Without the idempotency layer: the second run is what a retry after a lost record does.
    await startChange(c, ports, NOW);
    const again = await startChange(c, ports, NOW + 400_000);
    expect(again).toMatchObject({ status: 'started', target: 2 });
    expect(group.replicas).toBe(2);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(1);
  });

  it('DeleteDBInstance that took effect but whose answer was lost deletes no second replica', async () => {
    const instances: DBInstance[] = [
      dbInstance('orders-db', ['headroom-replica-orders-1', 'headroom-replica-orders-2']),
      { ...dbInstance('headroom-replica-orders-1', [], OURS), InstanceCreateTime: new Date(NOW - 7_200_000) },
      { ...dbInstance('headroom-replica-orders-2', [], OURS), InstanceCreateTime: new Date(NOW - 3_600_000) },
    ];
    rdsDescribes(() => instances);
    let lose = true;
    rds.on(DeleteDBInstanceCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
      const replica = instances.find((i) => i.DBInstanceIdentifier === input.DBInstanceIdentifier);
      if (replica === undefined) throw new Error('test: unknown replica');
      if (replica.DBInstanceStatus === 'deleting')
        throw new InvalidDBInstanceStateFault({
          message: 'Instance is already being deleted.',
          $metadata: {},
        });
      replica.DBInstanceStatus = 'deleting';
      if (lose) {
        lose = false;
        throw answerLost();
      }
      return { DBInstance: replica };
    });
    await deliverUntilDone(change('db-read-replicas', 'orders-db', -1), 'orders-db');
    expect(instances.map((i) => [i.DBInstanceIdentifier, i.DBInstanceStatus])).toEqual([
      ['orders-db', 'available'],
      ['headroom-replica-orders-1', 'available'],
      ['headroom-replica-orders-2', 'deleting'],
    ]);
  });

  it('a read replica created although the answer was lost is created once, and its follow-up sent', async () => {
    const instances: DBInstance[] = [dbInstance('orders-db')];
    rdsDescribes(() => instances);
    let lose = true;
    rds.on(CreateDBInstanceReadReplicaCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
      const id = input.DBInstanceIdentifier ?? '';
      if (instances.some((i) => i.DBInstanceIdentifier === id))
        throw new DBInstanceAlreadyExistsFault({ message: 'DB instance already exists', $metadata: {} });
      instances.push(dbInstance(id, [], OURS, 'creating'));
      instances[0]?.ReadReplicaDBInstanceIdentifiers?.push(id);
      if (lose) {
        lose = false;
        throw answerLost();
      }
      return {};
    });
    expect(await deliverUntilDone(change('db-read-replicas', 'orders-db'), 'orders-db')).toBe(2);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(publishedTypes()).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });
});

describe('change worker: clear failure, never false success', () => {
  it.each([
    [
      'an instance in the wrong state',
      () =>
        new InvalidDBInstanceStateFault({
          message: 'Automated backups are not enabled for this database instance.',
          $metadata: {},
        }),
      'aws/InvalidDBInstanceStateFault',
    ],
    [
      'a quota',
      () => new InstanceQuotaExceededFault({ message: 'DB instance quota exceeded', $metadata: {} }),
      'aws/InstanceQuotaExceededFault',
    ],
  ])('stops at once on %s: no retry, ActionFailed and a record with the reason', async (_, fault, rule) => {
    rdsDescribes(() => [dbInstance('orders-db')]);
    rds.on(CreateDBInstanceReadReplicaCommand).rejects(fault());
    const response = await makeChangeApplier(setup.current().deps)(
      batch(record(change('db-read-replicas', 'orders-db'), 'orders-db')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(publishedTypes()).toEqual(['ActionFailed']);
    expect(publishedDetail()).toMatchObject({ error: rule, cause: expect.stringContaining(fault().message) });
    const [stored] = await setup.current().state.recentDecisions('orders', 5);
    expect(stored).toMatchObject({ outcome: 'blocked', guardrails: [rule] });
    expect(stored?.decision.reason).toContain(fault().message);
  });

  it('a cache node quota stops at once too', async () => {
    cacheOf(1);
    elastiCache
      .on(IncreaseReplicaCountCommand)
      .rejects(new NodeQuotaForCustomerExceededFault({ message: 'Node quota exceeded', $metadata: {} }));
    const response = await makeChangeApplier(setup.current().deps)(
      batch(record(change('cache-replicas', 'orders-cache'), 'orders-cache')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(publishedDetail()).toMatchObject({ error: 'aws/NodeQuotaForCustomerExceededFault' });
  });

  it('throttling is not permanent: the message comes back', async () => {
    rdsDescribes(() => [dbInstance('orders-db')]);
    rds
      .on(CreateDBInstanceReadReplicaCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }));
    await expect(
      makeChangeApplier(setup.current().deps)(
        batch(record(change('db-read-replicas', 'orders-db'), 'orders-db')),
        context,
      ),
    ).rejects.toThrow('All records failed processing');
    expect(publishedTypes()).toEqual([]);
  });
});

describe('change worker: the kill switch at the point of action', () => {
  it('a change queued before the switch was turned on is not applied, and says so', async () => {
    cacheOf(1);
    await setup.current().state.setKillSwitch(true, NOW);
    const response = await makeChangeApplier(setup.current().deps)(
      batch(record(change('cache-replicas', 'orders-cache'), 'orders-cache')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({ error: 'kill-switch' });
    const [stored] = await setup.current().state.recentDecisions('orders', 5);
    expect(stored?.guardrails).toEqual(['kill-switch']);
  });
});

describe('change worker: the service’s mode at the point of action', () => {
  it.each(['advise', 'off'] as const)(
    'a change queued before the service was turned to %s is not applied, and says so',
    async (mode) => {
      cacheOf(1);
      const { services, deps, state } = setup.current();
      services[0] = { ...services[0]!, mode };
      const response = await makeChangeApplier(deps)(
        batch(record(change('cache-replicas', 'orders-cache'), 'orders-cache')),
        context,
      );
      expect(response.batchItemFailures).toEqual([]);
      expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
      expect(publishedTypes()).toEqual(['ActionFailed']);
      expect(publishedDetail()).toMatchObject({
        error: `mode-${mode}`,
        cause: expect.stringContaining(mode),
      });
      const [stored] = await state.recentDecisions('orders', 5);
      expect(stored?.guardrails).toEqual([`mode-${mode}`]);
    },
  );

  it('a service no longer managed gets no write either', async () => {
    cacheOf(1);
    setup.current().services.length = 0;
    const response = await makeChangeApplier(setup.current().deps)(
      batch(record(change('cache-replicas', 'orders-cache'), 'orders-cache')),
      context,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({ error: 'mode-off' });
  });

  it('a retry after the service was turned to advise writes nothing more', async () => {
    cacheOf(1);
    const { services, deps } = setup.current();
    const apply = makeChangeApplier(deps);
    const c = change('cache-replicas', 'orders-cache');
    // The first delivery fails before its write (the group is busy); meanwhile a person turns it to advise.
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .resolves({ ReplicationGroups: [cacheGroup(1, 'modifying')] });
    await expect(apply(batch(record(c, 'orders-cache')), context)).rejects.toThrow(
      'All records failed processing',
    );
    services[0] = { ...services[0]!, mode: 'advise' };
    cacheOf(1);
    const response = await apply(batch(record(c, 'orders-cache', 2)), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({ error: 'mode-advise' });
  });
});
