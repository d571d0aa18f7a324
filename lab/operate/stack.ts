/**
 * A deployed stack as the operator's commands see it: its names come from the stack's outputs
 * (CloudFormation DescribeStacks), and its state through the same DynamoDB adapter the Lambdas use.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '@headroom/core/aws/dynamoState.js';

export interface OperateClients {
  cloudFormation: CloudFormationClient;
  dynamo: DynamoDBClient;
}

export const awsClients = (): OperateClients => ({
  cloudFormation: new CloudFormationClient({}),
  dynamo: new DynamoDBClient({}),
});

export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The stack's outputs by key (StateTableName, AdvisorEventBusName, …). */
export async function stackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  let response;
  try {
    response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (e) {
    throw new StackError(`stack "${stackName}": ${(e as Error).message}`);
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new StackError(`stack "${stackName}" not found`);
  return Object.fromEntries(
    (stack.Outputs ?? []).flatMap((o) =>
      o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
    ),
  );
}

/** The state store of the stack named `stackName` (its StateTableName output). */
export async function stackStateStore(clients: OperateClients, stackName: string): Promise<DynamoStateStore> {
  const outputs = await stackOutputs(clients.cloudFormation, stackName);
  const table = outputs['StateTableName'];
  if (table === undefined)
    throw new StackError(`stack "${stackName}" has no StateTableName output: is it a Headroom stack?`);
  return new DynamoStateStore(clients.dynamo, { tableName: table });
}
