/**
 * ResourceOwners over AWS: the `headroom:service` tag a database (DescribeDBInstances' TagList),
 * cache (ListTagsForResource on the replication group's ARN) or distribution (ListTagsForResource)
 * carries. Answers are kept for a while per container: ownership changes by a person's hand, and
 * evaluate runs every minute.
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
import { SERVICE_TAG, type ResourceOwners, type TierKind } from '../config/managedServices.js';
import type { Clock } from '../ports/index.js';
import { clientConfig } from './clients.js';

/** Reads one kind's `headroom:service` tag; a function builds only the readers it needs (and so is granted only those calls). */
export type OwnerReader = (resourceId: string) => Promise<string | undefined>;

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

/**
 * ResourceOwners from the readers given; a kind without a reader has no owner (fails closed).
 * Answers are kept `keepMs` (default 10 minutes) per container; failures are not kept.
 */
export function keptOwners(
  readers: Partial<Record<TierKind, OwnerReader>>,
  clock: Clock,
  keepMs = 600_000,
): ResourceOwners {
  const kept = new Map<string, { at: number; service: string | undefined }>();
  return {
    serviceOf: async (kind, resourceId) => {
      const key = `${kind}/${resourceId}`;
      const now = clock.now();
      const hit = kept.get(key);
      if (hit !== undefined && now - hit.at < keepMs) return hit.service;
      const read = readers[kind];
      const service = read === undefined ? undefined : await read(resourceId);
      kept.set(key, { at: now, service });
      return service;
    },
  };
}

/** Every tier's owner: what the flows that resolve services (evaluate, forecast, LoadContext) read. */
export function tierOwners(clock: Clock, account: { accountId: string; partition: string }): ResourceOwners {
  return keptOwners(
    {
      database: databaseOwner(new RDSClient(clientConfig())),
      cache: cacheOwner(new ElastiCacheClient(clientConfig())),
      distribution: distributionOwner(new CloudFrontClient(clientConfig({ region: 'us-east-1' })), account),
    },
    clock,
  );
}

/** The account and partition template.yaml passes as ACCOUNT_ID and PARTITION. */
export function accountFromEnvironment(env: Readonly<Record<string, string | undefined>>): {
  accountId: string;
  partition: string;
} {
  const accountId = env.ACCOUNT_ID;
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
    throw new Error(`environment variable ACCOUNT_ID "${accountId ?? ''}" is not a 12-digit account id`);
  }
  return { accountId, partition: env.PARTITION || 'aws' };
}
