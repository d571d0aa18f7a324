/**
 * The readers of each tier's owner over its AWS API: the `headroom:service` tag a database
 * (DescribeDBInstances' TagList), cache (ListTagsForResource on the replication group's ARN) or
 * distribution (ListTagsForResource) carries. The change worker builds the database and cache
 * readers on its own clients; evaluate, forecast and LoadContext load this module on their first
 * owner read (tierOwners.ts). It imports nothing but the SDK clients it calls: esbuild keeps every
 * export of every module that a module loaded late imports, so the rest of a bundle stays as lean.
 */
import {
  CloudFrontClient,
  ListTagsForResourceCommand as ListDistributionTags,
  NoSuchResource,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand as ListCacheTags,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { SERVICE_TAG, type TierKind } from '../config/managedServices.js';
import type { clientConfig } from './clients.js';
import type { OwnerReader } from './resourceOwners.js';

type Tags = { Key?: string; Value?: string }[] | undefined;
const serviceIn = (tags: Tags) => tags?.find((t) => t.Key === SERVICE_TAG)?.Value;

export function databaseOwner(rds: RDSClient): OwnerReader {
  return async (id) => {
    try {
      const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      return serviceIn(out.DBInstances?.[0]?.TagList);
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return undefined;
      throw error;
    }
  };
}

export function cacheOwner(elastiCache: ElastiCacheClient): OwnerReader {
  return async (id) => {
    try {
      const out = await elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
      const arn = out.ReplicationGroups?.[0]?.ARN;
      if (arn === undefined) return undefined;
      return serviceIn((await elastiCache.send(new ListCacheTags({ ResourceName: arn }))).TagList);
    } catch (error) {
      if (error instanceof ReplicationGroupNotFoundFault) return undefined;
      throw error;
    }
  };
}

/** CloudFront is global: the client's region should be us-east-1. */
export function distributionOwner(
  cloudFront: CloudFrontClient,
  account: { accountId: string; partition: string },
): OwnerReader {
  return async (id) => {
    const arn = `arn:${account.partition}:cloudfront::${account.accountId}:distribution/${id}`;
    try {
      return serviceIn((await cloudFront.send(new ListDistributionTags({ Resource: arn }))).Tags?.Items);
    } catch (error) {
      if (error instanceof NoSuchResource) return undefined;
      throw error;
    }
  };
}

/** Every tier's reader, each on its own client (CloudFront's in us-east-1), with the settings given. */
export function tierReaders(
  account: { accountId: string; partition: string },
  config: typeof clientConfig,
): Record<TierKind, OwnerReader> {
  return {
    database: databaseOwner(new RDSClient(config())),
    cache: cacheOwner(new ElastiCacheClient(config())),
    distribution: distributionOwner(new CloudFrontClient(config({ region: 'us-east-1' })), account),
  };
}
