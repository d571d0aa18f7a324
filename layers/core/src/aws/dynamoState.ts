/**
 * StateStore over one DynamoDB table (pk/sk):
 *   service#<id> / state                 per-service state, written only at the expected `version`
 *   service#<id> / decision#<at>#<rule>  decision records, expiring through the `expiresAt` TTL attribute
 *   service#<id> / forecast              the latest forecast (dynamoForecasts.ts)
 *   advisor      / kill-switch           the global kill switch (`on`: boolean)
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DecisionRecord } from '../model/decision.js';
import type { ServiceForecast } from '../forecast/serviceForecast.js';
import type { ServiceState, StateStore } from '../ports/index.js';
import { StateShapeError } from './errors.js';
import { DynamoForecastStore } from './dynamoForecasts.js';
import { readServiceState, serviceKey } from './serviceStateItem.js';

/** Name of the TTL attribute; template.yaml enables TTL on it. */
export const TTL_ATTRIBUTE = 'expiresAt';
export const KILL_SWITCH_KEY = { pk: 'advisor', sk: 'kill-switch' } as const;

export interface DynamoStateOptions {
  tableName: string;
  /** How long decision records are kept, days (default 90). */
  decisionRetentionDays?: number;
  /** Set by the deployment's KillSwitch parameter: when true no item is read, actions are off. */
  killSwitchForced?: boolean;
}

/** Zero-padded so that string order is time order. */
const decisionSortKey = (record: DecisionRecord) =>
  `decision#${String(record.decision.at).padStart(15, '0')}#${record.decision.rule}`;

export class DynamoStateStore implements StateStore {
  private readonly forecasts: DynamoForecastStore;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoStateOptions,
  ) {
    this.forecasts = new DynamoForecastStore(client, { tableName: options.tableName });
  }

  getServiceState(serviceId: string): Promise<ServiceState | undefined> {
    return readServiceState(this.client, this.options.tableName, serviceId, true);
  }

  /** The stored version becomes expectedVersion + 1, whatever `state.version` says. */
  async putServiceState(state: ServiceState, expectedVersion: number): Promise<boolean> {
    const first = expectedVersion === 0;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: marshall(
            { ...state, version: expectedVersion + 1, pk: serviceKey(state.serviceId), sk: 'state' },
            { removeUndefinedValues: true },
          ),
          ConditionExpression: first ? 'attribute_not_exists(pk)' : '#version = :expected',
          ...(first
            ? {}
            : {
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: marshall({ ':expected': expectedVersion }),
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordDecision(record: DecisionRecord): Promise<void> {
    const retentionDays = this.options.decisionRetentionDays ?? 90;
    const expiresAt = Math.floor(record.decision.at / 1000) + retentionDays * 86_400;
    await this.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: marshall(
          {
            pk: serviceKey(record.decision.serviceId),
            sk: decisionSortKey(record),
            [TTL_ATTRIBUTE]: expiresAt,
            ...record,
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  /** Newest first: the audit trail a person reads when asking "what did it do?". */
  async recentDecisions(serviceId: string, limit: number): Promise<DecisionRecord[]> {
    const response = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: marshall({ ':pk': serviceKey(serviceId), ':prefix': 'decision#' }),
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (response.Items ?? []).map((item) => {
      const { decision, outcome, guardrails } = unmarshall(item);
      return { decision, outcome, guardrails } as DecisionRecord;
    });
  }

  isKillSwitchOn(): Promise<boolean> {
    return readKillSwitch(this.client, this.options);
  }

  getForecast(serviceId: string): Promise<ServiceForecast | undefined> {
    return this.forecasts.getForecast(serviceId);
  }

  putForecast(forecast: ServiceForecast): Promise<void> {
    return this.forecasts.putForecast(forecast);
  }

  async setKillSwitch(on: boolean, changedAt: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: marshall({ ...KILL_SWITCH_KEY, on, changedAt }),
      }),
    );
  }
}

/**
 * Only the kill switch, for the functions that act (the scaling step, the invalidator) and must
 * look at it at the moment they act; their bundles then carry no other call on the table.
 */
export class DynamoKillSwitch {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: Pick<DynamoStateOptions, 'tableName' | 'killSwitchForced'>,
  ) {}

  isKillSwitchOn(): Promise<boolean> {
    return readKillSwitch(this.client, this.options);
  }
}

/** Consistent read: a switch turned on a moment ago must stop what starts now. */
async function readKillSwitch(
  client: DynamoDBClient,
  options: Pick<DynamoStateOptions, 'tableName' | 'killSwitchForced'>,
): Promise<boolean> {
  if (options.killSwitchForced === true) return true;
  const response = await client.send(
    new GetItemCommand({
      TableName: options.tableName,
      Key: marshall(KILL_SWITCH_KEY),
      ConsistentRead: true,
    }),
  );
  if (response.Item === undefined) return false;
  const { on } = unmarshall(response.Item);
  if (typeof on !== 'boolean')
    throw new StateShapeError('advisor/kill-switch', `"on" is ${JSON.stringify(on)}, not a boolean`);
  return on;
}
