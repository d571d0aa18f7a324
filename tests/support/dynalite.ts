/**
 * dynalite (a DynamoDB implementation) on 127.0.0.1 and a random port, with the state table exactly
 * as template.yaml declares it, and an idempotency table (`id` key) as Powertools' DynamoDB
 * persistence layer expects. Every test that needs DynamoDB starts it here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import {
  CreateTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { loadTemplate } from '../template/template.js';

export const STATE_TABLE = 'headroom-state';
export const IDEMPOTENCY_TABLE = 'headroom-idempotency';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** The state table's key schema and attributes from template.yaml (dynalite takes no TTL or SSE here). */
function stateTableFromTemplate(tableName: string): CreateTableCommandInput {
  const table = loadTemplate().Resources['StateTable'];
  if (table?.Type !== 'AWS::DynamoDB::Table') throw new Error('template.yaml declares no StateTable');
  const props = table.Properties as unknown as Pick<
    CreateTableCommandInput,
    'AttributeDefinitions' | 'KeySchema' | 'BillingMode'
  >;
  return {
    TableName: tableName,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    BillingMode: props.BillingMode,
  };
}

/** `stateTable` names the state table (a function reads its name from the environment). */
export async function startDynalite(stateTable = STATE_TABLE): Promise<LocalDynamo> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(new CreateTableCommand(stateTableFromTemplate(stateTable)));
  await client.send(
    new CreateTableCommand({
      TableName: IDEMPOTENCY_TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (const TableName of [stateTable, IDEMPOTENCY_TABLE])
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
