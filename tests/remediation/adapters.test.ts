/** The replica, cache and CloudFront adapters against recorded response shapes (aws-sdk-client-mock). */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateDBInstanceReadReplicaCommand,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  DecreaseReplicaCountCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import {
  CloudFrontClient,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  CloudFrontInvalidations,
  ElastiCacheReplicaControl,
  RdsReplicaControl,
  SqsFollowUpQueue,
} from '@headroom/core';

const rds = mockClient(RDSClient);
const elastiCache = mockClient(ElastiCacheClient);
const cloudFront = mockClient(CloudFrontClient);
const sqs = mockClient(SQSClient);
afterEach(() => [rds, elastiCache, cloudFront, sqs].forEach((m) => m.reset()));
const meta = { $metadata: {} };

describe('RdsReplicaControl', () => {
  const control = new RdsReplicaControl(new RDSClient({ region: 'us-east-1' }));

  it('reads an existing instance as "exists" (a retried create) and a missing one as "gone"', async () => {
    rds
      .on(CreateDBInstanceReadReplicaCommand)
      .rejects(new DBInstanceAlreadyExistsFault({ message: 'DB instance already exists', ...meta }));
    rds
      .on(DeleteDBInstanceCommand)
      .rejects(new DBInstanceNotFoundFault({ message: 'DBInstance r1 not found.', ...meta }));
    expect(await control.createReplica('db', 'r1', { 'headroom:created-by': 'headroom' })).toBe('exists');
    expect(await control.deleteReplica('r1')).toBe('gone');
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0]?.args[0].input).toMatchObject({
      SkipFinalSnapshot: true,
    });
  });

  it('passes other errors on', async () => {
    rds
      .on(CreateDBInstanceReadReplicaCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(control.createReplica('db', 'r1', {})).rejects.toThrow('Rate exceeded');
  });
});

describe('ElastiCacheReplicaControl', () => {
  const control = new ElastiCacheReplicaControl(new ElastiCacheClient({ region: 'us-east-1' }));

  it('counts replicas per shard, the primary left out', async () => {
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          ReplicationGroupId: 'c1',
          Status: 'available',
          AutomaticFailover: 'enabled',
          NodeGroups: [
            {
              NodeGroupId: '0001',
              NodeGroupMembers: [{ CacheClusterId: 'a' }, { CacheClusterId: 'b' }, { CacheClusterId: 'c' }],
            },
            { NodeGroupId: '0002', NodeGroupMembers: [{ CacheClusterId: 'd' }, { CacheClusterId: 'e' }] },
          ],
        },
      ],
    });
    expect(await control.describe('c1')).toEqual({
      id: 'c1',
      status: 'available',
      replicasPerShard: [2, 1],
      automaticFailover: true,
    });
  });

  it('reads a missing group as undefined and decreases with DecreaseReplicaCount', async () => {
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({ message: 'not found', ...meta }));
    expect(await control.describe('nope')).toBeUndefined();
    elastiCache.on(DecreaseReplicaCountCommand).resolves({});
    await control.setReplicaCount('c1', 1, 'decrease');
    expect(elastiCache.commandCalls(DecreaseReplicaCountCommand)[0]?.args[0].input).toEqual({
      ReplicationGroupId: 'c1',
      NewReplicaCount: 1,
      ApplyImmediately: true,
    });
  });
});

describe('CloudFrontInvalidations.inProgress', () => {
  const NOW = Date.parse('2026-03-02T10:00:00Z');
  const minutesAgo = (m: number) => new Date(NOW - m * 60_000);
  const invalidation = (id: string, paths: string[]) => ({
    Invalidation: {
      Id: id,
      Status: 'InProgress',
      CreateTime: minutesAgo(1),
      InvalidationBatch: { CallerReference: id, Paths: { Quantity: paths.length, Items: paths } },
    },
  });

  it('pages through ListInvalidations and counts the paths of those in progress only', async () => {
    cloudFront
      .on(ListInvalidationsCommand)
      .resolvesOnce({
        InvalidationList: {
          Items: [
            { Id: 'I1', Status: 'InProgress', CreateTime: minutesAgo(1) },
            { Id: 'I2', Status: 'Completed', CreateTime: minutesAgo(5) },
          ],
          IsTruncated: true,
          NextMarker: 'I2',
          Marker: '',
          MaxItems: 2,
          Quantity: 2,
        },
      })
      .resolvesOnce({
        InvalidationList: {
          Items: [{ Id: 'I3', Status: 'InProgress', CreateTime: minutesAgo(20) }],
          IsTruncated: false,
          Marker: 'I2',
          MaxItems: 2,
          Quantity: 1,
        },
      });
    cloudFront.on(GetInvalidationCommand, { Id: 'I1' }).resolves(invalidation('I1', ['/a', '/b', '/img/*']));
    cloudFront.on(GetInvalidationCommand, { Id: 'I3' }).resolves(invalidation('I3', ['/*']));
    const counts = await new CloudFrontInvalidations(new CloudFrontClient({ region: 'us-east-1' }), {
      now: () => NOW,
    }).inProgress('E1');
    expect(counts).toEqual({ paths: 2, wildcards: 2 });
    expect(cloudFront.commandCalls(GetInvalidationCommand)).toHaveLength(2);
    expect(cloudFront.commandCalls(ListInvalidationsCommand)[0]!.args[0].input.MaxItems).toBe(100);
  });

  it('stops at the page that reaches back past an hour, however long the history', async () => {
    // Newest first: page n holds invalidations created 50 n minutes ago, all but the newest completed.
    cloudFront.on(ListInvalidationsCommand).callsFake((input: { Marker?: string }) => {
      const n = Number(input.Marker ?? 0);
      return {
        InvalidationList: {
          Items: [
            { Id: `N${n}`, Status: n === 0 ? 'InProgress' : 'Completed', CreateTime: minutesAgo(50 * n) },
          ],
          IsTruncated: true,
          NextMarker: String(n + 1),
          Marker: String(n),
          MaxItems: 100,
          Quantity: 1,
        },
      };
    });
    cloudFront.on(GetInvalidationCommand, { Id: 'N0' }).resolves(invalidation('N0', ['/index.html']));
    const counts = await new CloudFrontInvalidations(new CloudFrontClient({ region: 'us-east-1' }), {
      now: () => NOW,
    }).inProgress('E1');
    expect(counts).toEqual({ paths: 1, wildcards: 0 });
    // 0, 50 and 100 minutes ago: the third page is past the hour, and the last one read.
    expect(cloudFront.commandCalls(ListInvalidationsCommand)).toHaveLength(3);
  });
});

describe('SqsFollowUpQueue', () => {
  it('keeps the delay within SQS’s 15 minutes', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const queue = new SqsFollowUpQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/q');
    const followUp = { change: {} as never, watch: [], target: 0, attempt: 1, startedAt: 0 };
    await queue.send(followUp, 3600);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.DelaySeconds).toBe(900);
  });
});
