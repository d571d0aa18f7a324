/**
 * ChangeTargets in the remediation table (key `id`): one item `change-target#<change id>` per
 * change, written once with a condition, so the first attempt's target is the one every retry
 * aims at. It outlives the change queue's retries and the idempotency records (2 days, TTL).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ChangeTarget, ChangeTargets } from '../remediation/ports.js';
import { StateShapeError } from './errors.js';

const KEEP_SECONDS = 2 * 24 * 3600;

export class DynamoChangeTargets implements ChangeTargets {
  /** `expiryAttribute` is the table's TTL attribute (the idempotency table's is `expiration`). */
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: { now(): number },
    private readonly expiryAttribute = 'expiration',
  ) {}

  async get(changeId: string): Promise<ChangeTarget | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ id: keyOf(changeId) }),
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : targetOf(keyOf(changeId), unmarshall(out.Item));
  }

  async keep(changeId: string, target: ChangeTarget): Promise<ChangeTarget> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            id: keyOf(changeId),
            target: target.target,
            watch: target.watch,
            [this.expiryAttribute]: Math.floor(this.clock.now() / 1000) + KEEP_SECONDS,
          }),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return target;
    } catch (error) {
      // Another copy of the change (or this one, whose answer was lost) kept a target first.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const kept = await this.get(changeId);
      if (kept === undefined) throw error;
      return kept;
    }
  }
}

const keyOf = (changeId: string) => `change-target#${changeId}`;

function targetOf(key: string, item: Record<string, unknown>): ChangeTarget {
  const { target, watch } = item;
  if (typeof target !== 'number') throw new StateShapeError(key, 'target is not a number');
  if (!Array.isArray(watch) || !watch.every((w) => typeof w === 'string'))
    throw new StateShapeError(key, 'watch is not a list of strings');
  return { target, watch: watch as string[] };
}
