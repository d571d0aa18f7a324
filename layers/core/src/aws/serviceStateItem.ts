/**
 * Reading a service's state item (service#<id> / state), shared by the evaluate function's store
 * (DynamoStateStore, which also writes it) and the forecast function's (DynamoForecastStore, which
 * only reads the launch time evaluate learned), so both read it one way.
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ServiceState } from '../ports/index.js';
import { StateShapeError } from './errors.js';

export const serviceKey = (serviceId: string): string => `service#${serviceId}`;

/** `consistent`: the evaluate function's read is its lock; a reader of what was learned need not be. */
export async function readServiceState(
  client: DynamoDBClient,
  tableName: string,
  serviceId: string,
  consistent: boolean,
): Promise<ServiceState | undefined> {
  const response = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: marshall({ pk: serviceKey(serviceId), sk: 'state' }),
      ...(consistent ? { ConsistentRead: true } : {}),
    }),
  );
  if (response.Item === undefined) return undefined;
  return stateOf(serviceKey(serviceId), unmarshall(response.Item));
}

function stateOf(key: string, item: Record<string, unknown>): ServiceState {
  const { pk: _pk, sk: _sk, ...state } = item;
  if (typeof state.serviceId !== 'string') throw new StateShapeError(key, 'serviceId is not a string');
  if (typeof state.version !== 'number') throw new StateShapeError(key, 'version is not a number');
  return state as unknown as ServiceState;
}
