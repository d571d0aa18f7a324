/** The month's invalidation path count, one DynamoDB item per month, added to atomically. */
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PathLedger } from '../cdn/ports.js';

export class DynamoPathLedger implements PathLedger {
  /** `keyAttribute` is the table's partition key (the idempotency table's is `id`). */
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly keyAttribute = 'id',
  ) {}

  async add(month: string, paths: number): Promise<number> {
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { [this.keyAttribute]: { S: `cdn-invalidation-paths#${month}` } },
        UpdateExpression: 'ADD #paths :n',
        ExpressionAttributeNames: { '#paths': 'paths' },
        ExpressionAttributeValues: { ':n': { N: String(paths) } },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Number(out.Attributes?.paths?.N ?? '0');
  }
}
