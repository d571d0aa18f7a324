/** CacheReplicaControl over ElastiCache: DescribeReplicationGroups, IncreaseReplicaCount, DecreaseReplicaCount. */
import {
  DecreaseReplicaCountCommand,
  DescribeReplicationGroupsCommand,
  IncreaseReplicaCountCommand,
  ReplicationGroupNotFoundFault,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import type { CacheGroup, CacheReplicaControl } from '../remediation/ports.js';
import { rejectionOf } from './errors.js';

/** Reads only: what following a change needs. */
export class ElastiCacheReplicaReader implements Pick<CacheReplicaControl, 'describe'> {
  constructor(protected readonly client: ElastiCacheClient) {}

  async describe(replicationGroupId: string): Promise<CacheGroup | undefined> {
    try {
      const out = await this.client.send(
        new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
      );
      const group = out.ReplicationGroups?.[0];
      if (group === undefined) return undefined;
      return {
        id: group.ReplicationGroupId ?? replicationGroupId,
        status: group.Status ?? 'unknown',
        // Each node group lists its primary and its replicas.
        replicasPerShard: (group.NodeGroups ?? []).map((g) =>
          Math.max(0, (g.NodeGroupMembers ?? []).length - 1),
        ),
        automaticFailover: group.AutomaticFailover === 'enabled' || group.AutomaticFailover === 'enabling',
      };
    } catch (error) {
      if (error instanceof ReplicationGroupNotFoundFault) return undefined;
      throw error;
    }
  }
}

export class ElastiCacheReplicaControl extends ElastiCacheReplicaReader implements CacheReplicaControl {
  async setReplicaCount(
    replicationGroupId: string,
    newReplicaCount: number,
    direction: 'increase' | 'decrease',
  ): Promise<void> {
    const input = {
      ReplicationGroupId: replicationGroupId,
      NewReplicaCount: newReplicaCount,
      ApplyImmediately: true,
    };
    try {
      await this.client.send(
        direction === 'increase'
          ? new IncreaseReplicaCountCommand(input)
          : new DecreaseReplicaCountCommand(input),
      );
    } catch (error) {
      throw rejectionOf(error);
    }
  }
}
