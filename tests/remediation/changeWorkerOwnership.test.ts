/**
 * The change worker acts only on the service's own resources (ServicesJson over tags, as every
 * flow: config/managedServices.ts), and deletes only replicas named with Headroom's prefix.
 */
import { describe, expect, it } from '@jest/globals';
import { DeleteDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeReplicationGroupsCommand, IncreaseReplicaCountCommand } from '@aws-sdk/client-elasticache';
import type { ResourceChange } from '@headroom/core';
import { makeChangeApplier } from '../../functions/change-worker/worker.js';
import {
  batch,
  cacheGroup,
  change,
  changeWorkerSetup,
  context,
  dbInstance,
  elastiCache,
  publishedDetail,
  rds,
  record,
} from './changeWorkerSetup.js';

const setup = changeWorkerSetup();
const withOwners = (serviceOf: (kind: string, id: string) => Promise<string | undefined>) => {
  const { deps } = setup.current();
  return { ...deps, ports: { ...deps.ports, owners: { serviceOf } } };
};

describe('change worker: only the service’s own resources', () => {
  it('never deletes a database that only carries Headroom’s tag: the name prefix is what IAM checks', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-db' })
      .resolves({ DBInstances: [dbInstance('orders-db', ['prod-replica'])] });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'prod-replica' })
      .resolves({ DBInstances: [dbInstance('prod-replica', [], { 'headroom:created-by': 'headroom' })] });
    rds.on(DeleteDBInstanceCommand).resolves({});
    await makeChangeApplier(setup.current().deps)(
      batch(record(change('db-read-replicas', 'orders-db', -1), 'orders-db')),
      context,
    );
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({ error: 'safety/created-by-headroom' });
  });

  it('refuses a resource a ServicesJson service did not declare, even one tagged for it', async () => {
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(1)] });
    await makeChangeApplier(withOwners(async () => 'orders'))(
      batch(record(change('cache-replicas', 'payments-cache'), 'payments-cache')),
      context,
    );
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({
      error: 'safety/not-the-service',
      cause: expect.stringContaining('payments-cache does not belong to orders'),
    });
  });

  it('acts for a tagged service only on a resource whose own headroom:service tag names it', async () => {
    const other = (resourceId: string): ResourceChange => ({
      ...change('cache-replicas', resourceId),
      serviceId: 'checkout',
    });
    // checkout is a tag-discovered service in apply mode, so only ownership can refuse its change.
    const { services } = setup.current();
    services.push({ ...services[0]!, id: 'checkout', mode: 'apply' });
    const apply = makeChangeApplier(
      withOwners(async (_k, id) => (id === 'checkout-cache' ? 'checkout' : 'orders')),
    );
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [cacheGroup(1)] });
    elastiCache.on(IncreaseReplicaCountCommand).resolves({});
    await apply(batch(record(other('orders-cache'), 'orders-cache')), context);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(0);
    expect(publishedDetail()).toMatchObject({
      error: 'safety/not-the-service',
      cause: expect.stringContaining('not tagged headroom:service=checkout'),
    });
    await apply(batch(record(other('checkout-cache'), 'checkout-cache')), context);
    expect(elastiCache.commandCalls(IncreaseReplicaCountCommand)).toHaveLength(1);
  });
});
