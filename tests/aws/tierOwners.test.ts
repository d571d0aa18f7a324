/**
 * tierOwners loads its readers (and their RDS, ElastiCache and CloudFront clients) on the first
 * owner read: the answers are those of the AWS calls, each kind from its own API, kept per container.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CloudFrontClient,
  ListTagsForResourceCommand as ListDistributionTags,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand as ListCacheTags,
} from '@aws-sdk/client-elasticache';
import { DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { tierOwners } from '@headroom/core/aws/tierOwners.js';

// Mocked on the classes' prototypes, so the clients built on the first read answer too.
const rds = mockClient(RDSClient);
const elastiCache = mockClient(ElastiCacheClient);
const cloudFront = mockClient(CloudFrontClient);
afterEach(() => {
  rds.reset();
  elastiCache.reset();
  cloudFront.reset();
});

const account = { accountId: '123456789012', partition: 'aws' };
const serviceTag = (value: string) => [{ Key: 'headroom:service', Value: value }];

describe('tierOwners', () => {
  it("reads each kind's headroom:service tag from its own API on the first read", async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-db' })
      .resolves({ DBInstances: [{ DBInstanceIdentifier: 'orders-db', TagList: serviceTag('orders') }] })
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'gone' })
      .rejects(new DBInstanceNotFoundFault({ message: 'DBInstance gone not found', $metadata: {} }));
    elastiCache
      .on(DescribeReplicationGroupsCommand, { ReplicationGroupId: 'sessions' })
      .resolves({
        ReplicationGroups: [
          {
            ReplicationGroupId: 'sessions',
            ARN: 'arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:sessions',
          },
        ],
      })
      .on(ListCacheTags, {
        ResourceName: 'arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:sessions',
      })
      .resolves({ TagList: serviceTag('web') });
    cloudFront
      .on(ListDistributionTags, { Resource: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE' })
      .resolves({ Tags: { Items: serviceTag('web') } });
    const owners = tierOwners({ now: () => 0 }, account);

    expect(await owners.serviceOf('database', 'orders-db')).toBe('orders');
    expect(await owners.serviceOf('database', 'gone')).toBeUndefined();
    expect(await owners.serviceOf('cache', 'sessions')).toBe('web');
    expect(await owners.serviceOf('distribution', 'E2QWRUHEXAMPLE')).toBe('web');
    // CloudFront's API answers in us-east-1 whatever the stack's region.
    expect(await cloudFront.call(0).thisValue.config.region()).toBe('us-east-1');
  });

  it('keeps an answer per container, and reads again after a failure', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({ DBInstances: [{ TagList: serviceTag('orders') }] });
    const owners = tierOwners({ now: () => 0 }, account);

    await expect(owners.serviceOf('database', 'orders-db')).rejects.toThrow('Rate exceeded');
    expect(await owners.serviceOf('database', 'orders-db')).toBe('orders');
    expect(await owners.serviceOf('database', 'orders-db')).toBe('orders');
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
  });
});
