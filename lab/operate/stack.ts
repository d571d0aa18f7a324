/**
 * A deployed stack as the operator's commands see it: its names come from the stack's outputs
 * (CloudFormation DescribeStacks), and its state through the same DynamoDB adapter the Lambdas use.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AutoScalingFleetReader } from '@headroom/core/aws/autoScalingFleetReader.js';
import { DynamoStateStore } from '@headroom/core/aws/dynamoState.js';
import { parseServicesJson } from '@headroom/core/config/serviceConfig.js';
import type { ManagedService } from '@headroom/core/model/service.js';

export interface OperateClients {
  cloudFormation: CloudFormationClient;
  dynamo: DynamoDBClient;
  autoScaling: AutoScalingClient;
  cloudWatch: CloudWatchClient;
  secretsManager: SecretsManagerClient;
}

export const awsClients = (): OperateClients => ({
  cloudFormation: new CloudFormationClient({}),
  dynamo: new DynamoDBClient({}),
  autoScaling: new AutoScalingClient({}),
  cloudWatch: new CloudWatchClient({}),
  secretsManager: new SecretsManagerClient({}),
});

export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface StackDescription {
  outputs: Record<string, string>;
  parameters: Record<string, string>;
}

/** The stack's outputs by key (StateTableName, AdvisorEventBusName, …). */
export async function stackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  return (await describeStack(client, stackName)).outputs;
}

/** The stack's outputs and parameters (ServicesJson, KillSwitch, …). */
export async function describeStack(
  client: CloudFormationClient,
  stackName: string,
): Promise<StackDescription> {
  let response;
  try {
    response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (e) {
    throw new StackError(`stack "${stackName}": ${(e as Error).message}`);
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new StackError(`stack "${stackName}" not found`);
  const pairs = (list: { key?: string; value?: string }[]) =>
    Object.fromEntries(list.flatMap((x) => (x.key && x.value !== undefined ? [[x.key, x.value]] : [])));
  return {
    outputs: pairs((stack.Outputs ?? []).map((o) => ({ key: o.OutputKey, value: o.OutputValue }))),
    parameters: pairs(
      (stack.Parameters ?? []).map((p) => ({ key: p.ParameterKey, value: p.ParameterValue })),
    ),
  };
}

/** The state store of the stack named `stackName` (its StateTableName output). */
export async function stackStateStore(clients: OperateClients, stackName: string): Promise<DynamoStateStore> {
  return stateStoreOf(clients, stackName, await stackOutputs(clients.cloudFormation, stackName));
}

export function stateStoreOf(
  clients: OperateClients,
  stackName: string,
  outputs: Record<string, string>,
): DynamoStateStore {
  const table = outputs['StateTableName'];
  if (table === undefined)
    throw new StackError(`stack "${stackName}" has no StateTableName output: is it a Headroom stack?`);
  return new DynamoStateStore(clients.dynamo, { tableName: table });
}

/** Where a managed service was found: the stack's ServicesJson parameter or a group's tags. */
export interface FoundService {
  service: ManagedService;
  from: 'ServicesJson' | 'tags';
}

/**
 * The services the advisor manages, found as it finds them: the stack's ServicesJson entries, then
 * the groups tagged headroom:managed (through the same Auto Scaling adapter), an entry winning
 * over a tag for the same id.
 */
export async function stackServices(
  reader: AutoScalingFleetReader,
  parameters: Record<string, string>,
): Promise<FoundService[]> {
  const listed = parseServicesJson(parameters['ServicesJson'] ?? '[]');
  const tagged = await reader.discover();
  return [
    ...listed.map((service) => ({ service, from: 'ServicesJson' as const })),
    ...tagged
      .filter((t) => !listed.some((l) => l.id === t.id))
      .map((service) => ({ service, from: 'tags' as const })),
  ];
}
