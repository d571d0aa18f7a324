/** The state store against dynalite, a DynamoDB implementation, on 127.0.0.1 and a random port. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoStateStore, StateShapeError, TTL_ATTRIBUTE, type DecisionRecord } from '@headroom/core';
import { T0, MINUTE } from './fixtures.js';
import { STATE_TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';

const TableName = STATE_TABLE;
let dynamo: LocalDynamo;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client;
});

afterAll(async () => dynamo.close());

const store = () => new DynamoStateStore(client, { tableName: TableName, decisionRetentionDays: 30 });

function decision(serviceId: string, at: number, desiredCapacity: number): DecisionRecord {
  return {
    decision: {
      serviceId,
      at,
      currentCapacity: 4,
      desiredCapacity,
      action: desiredCapacity > 4 ? 'scale-out' : 'hold',
      rule: 'target-tracking/scale-out',
      reason: 'CPU 84% is above the 70% target.',
      evidence: { cpuPct: 84, p99LatencyMs: 612 },
      monthlyCostDeltaUsd: 60.74,
      risk: 'low',
      confidence: 0.8,
    },
    outcome: 'recommended',
    guardrails: [],
  };
}

describe('DynamoStateStore', () => {
  it('creates state only where none exists, then writes only at the expected version', async () => {
    const s = store();
    expect(await s.getServiceState('web')).toBeUndefined();
    expect(await s.putServiceState({ serviceId: 'web', version: 1, lastActionAt: T0 }, 0)).toBe(true);
    // A second "first write" loses: another run created it meanwhile.
    expect(await s.putServiceState({ serviceId: 'web', version: 1 }, 0)).toBe(false);
    expect(await s.getServiceState('web')).toEqual({ serviceId: 'web', version: 1, lastActionAt: T0 });

    const next = {
      serviceId: 'web',
      version: 2,
      actionsDay: 20416,
      actionsToday: 1,
      recentRecommendations: [{ at: T0, desired: 6 }],
    };
    expect(await s.putServiceState(next, 1)).toBe(true);
    // A run that read version 1 before that write must not overwrite it.
    expect(await s.putServiceState({ serviceId: 'web', version: 2, actionsToday: 9 }, 1)).toBe(false);
    expect(await s.getServiceState('web')).toEqual(next);
  });

  it('stores decision records with a TTL and returns them newest first', async () => {
    const s = store();
    await s.recordDecision(decision('api', T0, 5));
    await s.recordDecision(decision('api', T0 + MINUTE, 6));
    await s.recordDecision(decision('other', T0, 9));
    const records = await s.recentDecisions('api', 10);
    expect(records.map((r) => r.decision.desiredCapacity)).toEqual([6, 5]);
    expect(records[1]).toEqual(decision('api', T0, 5));

    const { Item } = await client.send(
      new GetItemCommand({
        TableName,
        Key: marshall({
          pk: 'service#api',
          sk: `decision#${String(T0).padStart(15, '0')}#target-tracking/scale-out`,
        }),
      }),
    );
    expect(unmarshall(Item!)[TTL_ATTRIBUTE]).toBe(T0 / 1000 + 30 * 86_400);
  });

  it('reads the kill switch from its item, off when absent, and forced on by the deployment', async () => {
    const s = store();
    expect(await s.isKillSwitchOn()).toBe(false);
    await s.setKillSwitch(true, T0);
    expect(await s.isKillSwitchOn()).toBe(true);
    await s.setKillSwitch(false, T0 + MINUTE);
    expect(await s.isKillSwitchOn()).toBe(false);
    const forced = new DynamoStateStore(client, { tableName: TableName, killSwitchForced: true });
    expect(await forced.isKillSwitchOn()).toBe(true);
  });

  it('names the item when the kill switch was written by hand with the wrong type', async () => {
    await client.send(
      new PutItemCommand({ TableName, Item: marshall({ pk: 'advisor', sk: 'kill-switch', on: 'yes' }) }),
    );
    await expect(store().isKillSwitchOn()).rejects.toThrow(StateShapeError);
    await expect(store().isKillSwitchOn()).rejects.toThrow(
      'advisor/kill-switch: "on" is "yes", not a boolean',
    );
    await store().setKillSwitch(false, T0);
  });
});
