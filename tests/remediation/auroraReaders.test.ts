/**
 * Aurora has no read replicas: its readers are instances of the cluster. The change worker adds
 * one with CreateDBInstance in the cluster (the cluster's engine, a member's instance class,
 * Headroom's name prefix and tag), aims at the kept set of readers so a retry after a lost answer
 * creates nothing more, removes only readers Headroom created, and refuses what Aurora cannot do
 * before anything is sent.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DBInstanceAlreadyExistsFault,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  type DBCluster,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { AURORA_READER_PREFIX, auroraReaderIdsFor, type ReplicaChange } from '@headroom/core';
import { makeChangeApplier } from '../../functions/change-worker/worker.js';
import { NOW } from './fixtures.js';
import {
  answerLost,
  batch,
  change,
  changeWorkerSetup,
  context,
  dbInstance,
  publishedDetail,
  publishedTypes,
  rds,
  rdsDescribes,
  record,
  sqs,
} from './changeWorkerSetup.js';

const setup = changeWorkerSetup();
const OURS = { 'headroom:created-by': 'headroom' };
const CLUSTER = 'orders-cluster';

const auroraInstance = (
  id: string,
  tags: Record<string, string> = {},
  createdAgo = 86_400_000,
): DBInstance => ({
  ...dbInstance(id, [], tags),
  Engine: 'aurora-postgresql',
  DBClusterIdentifier: CLUSTER,
  DBInstanceClass: 'db.r6g.large',
  InstanceCreateTime: new Date(NOW - createdAgo),
});

/**
 * An Aurora cluster as RDS keeps it: `orders-db` the writer, readers as listed. CreateDBInstance
 * adds a member (and, with `loseAnswer`, throws after it took effect); DeleteDBInstance removes one.
 */
function auroraCluster(readers: DBInstance[], engineMode = 'provisioned') {
  const world = { instances: [auroraInstance('orders-db'), ...readers], loseAnswer: false };
  rdsDescribes(() => world.instances);
  rds.on(DescribeDBClustersCommand).callsFake((): { DBClusters: DBCluster[] } => ({
    DBClusters: [
      {
        DBClusterIdentifier: CLUSTER,
        Engine: 'aurora-postgresql',
        EngineMode: engineMode,
        Status: 'available',
        DBClusterMembers: world.instances.map((i) => ({
          DBInstanceIdentifier: i.DBInstanceIdentifier ?? '',
          IsClusterWriter: i.DBInstanceIdentifier === 'orders-db',
        })),
      },
    ],
  }));
  rds
    .on(CreateDBInstanceCommand)
    .callsFake((input: { DBInstanceIdentifier?: string; Tags?: { Key?: string; Value?: string }[] }) => {
      const id = input.DBInstanceIdentifier ?? '';
      if (world.instances.some((i) => i.DBInstanceIdentifier === id))
        throw new DBInstanceAlreadyExistsFault({ message: 'DB instance already exists', $metadata: {} });
      world.instances.push({
        ...auroraInstance(id, {}, 0),
        DBInstanceStatus: 'creating',
        TagList: input.Tags,
      });
      if (world.loseAnswer) {
        world.loseAnswer = false;
        throw answerLost();
      }
      return { DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: 'creating' } };
    });
  rds.on(DeleteDBInstanceCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
    world.instances = world.instances.filter((i) => i.DBInstanceIdentifier !== input.DBInstanceIdentifier);
    return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'deleting' } };
  });
  return world;
}

const apply = (body: unknown, receive = 1) =>
  makeChangeApplier(setup.current().deps)(batch(record(body, 'orders-db', receive)), context);

describe('change worker: Aurora readers', () => {
  it('adds a reader with CreateDBInstance in the cluster: its engine, a member’s class, Headroom’s prefix and tag', async () => {
    auroraCluster([]);
    const c = change('db-read-replicas', 'orders-db');
    const response = await apply(c);
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    const [create] = rds.commandCalls(CreateDBInstanceCommand).map((call) => call.args[0].input);
    const readerId = auroraReaderIdsFor(c as ReplicaChange, CLUSTER)[0] ?? '';
    expect(readerId.startsWith(AURORA_READER_PREFIX)).toBe(true);
    expect(readerId.length).toBeLessThanOrEqual(63);
    expect(create).toEqual({
      DBInstanceIdentifier: readerId,
      DBClusterIdentifier: CLUSTER,
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.r6g.large',
      Tags: expect.arrayContaining([{ Key: 'headroom:created-by', Value: 'headroom' }]),
    });
    // No storage parameters: the cluster volume is shared.
    expect(create).not.toHaveProperty('AllocatedStorage');
    const followUp = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '{}');
    expect(followUp).toMatchObject({ watch: [readerId], target: 1 });
  });

  it('a CreateDBInstance that took effect but whose answer was lost creates no second reader', async () => {
    const world = auroraCluster([]);
    world.loseAnswer = true;
    const c = change('db-read-replicas', 'orders-db');
    await expect(apply(c)).rejects.toThrow('All records failed processing');
    const again = await apply(c, 2);
    expect(again.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(1);
    expect(
      world.instances.filter((i) => i.DBInstanceIdentifier?.startsWith(AURORA_READER_PREFIX)),
    ).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('removes only a reader Headroom created, never another, and never the writer', async () => {
    const ours = `${AURORA_READER_PREFIX}orders-cluster-abc-1`;
    auroraCluster([auroraInstance('orders-reader-1', {}, 1_000), auroraInstance(ours, OURS, 86_400_000)]);
    const response = await apply(change('db-read-replicas', 'orders-db', -1));
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((call) => call.args[0].input)).toEqual([
      { DBInstanceIdentifier: ours },
    ]);
  });

  it('refuses to remove a reader when none is Headroom’s: nothing deleted, ActionFailed says why', async () => {
    auroraCluster([auroraInstance('orders-reader-1')]);
    const response = await apply(change('db-read-replicas', 'orders-db', -1));
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({ error: 'safety/created-by-headroom' });
  });

  it('refuses Aurora Serverless v1 (no reader instances), checked before anything is sent', async () => {
    auroraCluster([], 'serverless');
    const response = await apply(change('db-read-replicas', 'orders-db'));
    expect(response.batchItemFailures).toEqual([]);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    expect(publishedTypes()).toEqual(['ActionFailed']);
    expect(publishedDetail()).toMatchObject({
      error: 'unsupported/aurora-serverless-v1',
      cause: expect.stringContaining(CLUSTER),
    });
  });
});
