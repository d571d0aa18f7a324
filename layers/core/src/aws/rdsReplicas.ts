/** DbReplicaControl over RDS: DescribeDBInstances, CreateDBInstanceReadReplica (tagged), DeleteDBInstance. */
import {
  CreateDBInstanceReadReplicaCommand,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { DbInstance, DbReplicaControl } from '../remediation/ports.js';
import { rejectionOf } from './errors.js';

/** Reads only: what following a change needs, so the follow-up function is granted no more. */
export class RdsReplicaReader implements Pick<DbReplicaControl, 'describe'> {
  constructor(protected readonly client: RDSClient) {}

  async describe(dbInstanceId: string): Promise<DbInstance | undefined> {
    try {
      const out = await this.client.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbInstanceId }),
      );
      const db = out.DBInstances?.[0];
      if (db === undefined) return undefined;
      const instance: DbInstance = {
        id: db.DBInstanceIdentifier ?? dbInstanceId,
        status: db.DBInstanceStatus ?? 'unknown',
        tags: Object.fromEntries((db.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        replicaIds: db.ReadReplicaDBInstanceIdentifiers ?? [],
      };
      if (db.InstanceCreateTime !== undefined) instance.createdAt = db.InstanceCreateTime.getTime();
      if (db.Engine !== undefined) instance.engine = db.Engine;
      if (db.DBClusterIdentifier !== undefined) instance.clusterId = db.DBClusterIdentifier;
      if (db.DBInstanceClass !== undefined) instance.instanceClass = db.DBInstanceClass;
      return instance;
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return undefined;
      throw error;
    }
  }
}

export class RdsReplicaControl extends RdsReplicaReader implements DbReplicaControl {
  async createReplica(
    sourceId: string,
    replicaId: string,
    tags: Record<string, string>,
  ): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: replicaId,
          SourceDBInstanceIdentifier: sourceId,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof DBInstanceAlreadyExistsFault) return 'exists';
      throw rejectionOf(error);
    }
  }

  async deleteReplica(replicaId: string): Promise<'deleting' | 'gone'> {
    try {
      // A read replica has no final snapshot of its own; its source keeps the data.
      await this.client.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: replicaId,
          SkipFinalSnapshot: true,
          DeleteAutomatedBackups: true,
        }),
      );
      return 'deleting';
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return 'gone';
      throw rejectionOf(error);
    }
  }
}
