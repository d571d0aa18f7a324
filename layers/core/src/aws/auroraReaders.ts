/**
 * AuroraReaderControl over RDS: DescribeDBClusters, CreateDBInstance in the cluster (tagged; no
 * storage parameters, the cluster volume is shared), DeleteDBInstance.
 */
import {
  CreateDBInstanceCommand,
  DBClusterNotFoundFault,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { AuroraCluster, AuroraReaderControl, AuroraReaderSpec } from '../remediation/ports.js';
import { rejectionOf } from './errors.js';

export class RdsAuroraReaders implements AuroraReaderControl {
  constructor(private readonly client: RDSClient) {}

  async describeCluster(clusterId: string): Promise<AuroraCluster | undefined> {
    try {
      const out = await this.client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }));
      const cluster = out.DBClusters?.[0];
      if (cluster === undefined) return undefined;
      const found: AuroraCluster = {
        id: cluster.DBClusterIdentifier ?? clusterId,
        engine: cluster.Engine ?? 'unknown',
        status: cluster.Status ?? 'unknown',
        members: (cluster.DBClusterMembers ?? []).map((m) => ({
          id: m.DBInstanceIdentifier ?? '',
          writer: m.IsClusterWriter === true,
        })),
      };
      if (cluster.EngineMode !== undefined) found.engineMode = cluster.EngineMode;
      return found;
    } catch (error) {
      if (error instanceof DBClusterNotFoundFault) return undefined;
      throw error;
    }
  }

  async createReader(
    spec: AuroraReaderSpec,
    readerId: string,
    tags: Record<string, string>,
  ): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: readerId,
          DBClusterIdentifier: spec.clusterId,
          Engine: spec.engine,
          DBInstanceClass: spec.instanceClass,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof DBInstanceAlreadyExistsFault) return 'exists';
      throw rejectionOf(error);
    }
  }

  async deleteReader(readerId: string): Promise<'deleting' | 'gone'> {
    try {
      // An Aurora instance has no snapshot of its own: the cluster keeps the data.
      await this.client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: readerId }));
      return 'deleting';
    } catch (error) {
      if (error instanceof DBInstanceNotFoundFault) return 'gone';
      throw rejectionOf(error);
    }
  }
}
