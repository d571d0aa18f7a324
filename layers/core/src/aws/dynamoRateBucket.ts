/**
 * A token bucket (slack/rateLimit.ts) kept in one DynamoDB item, so that concurrent Lambda
 * invocations share one rate: the digest posts of every notifier invocation together stay under
 * the rate they are given. Optimistic: read the bucket, reserve a slot, write it back only if no
 * one else wrote in between (else read again). A slot that would wait past the caller's deadline
 * is not taken, so an invocation about to time out never holds back the next one.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { reserveSlot, type RateLimit, type TokenBucket } from '../slack/rateLimit.js';

export interface DynamoRateBucketOptions {
  tableName: string;
  /** The item's key (attribute `id`); the notifier may write only `notifier#*` keys. */
  key: string;
  /** Conditional writes tried before giving up (each lost one means another invocation took a slot). */
  maxTries?: number;
}

/** The slot taken: wait this long, then send. */
export type RateSlot = { waitMs: number } | { waitMs: undefined; why: string };

export class DynamoRateBucket {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoRateBucketOptions,
  ) {}

  async reserve(nowMs: number, limit: RateLimit, latestSendAtMs: number): Promise<RateSlot> {
    const { tableName, key } = this.options;
    for (let tries = 0; tries < (this.options.maxTries ?? 5); tries += 1) {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }),
      );
      const stored: TokenBucket | undefined = Item?.['tokens']?.N
        ? { tokens: Number(Item['tokens'].N), updatedAt: Number(Item['updatedAt']?.N) }
        : undefined;
      const slot = reserveSlot(stored, nowMs, limit);
      if (nowMs + slot.waitMs > latestSendAtMs) {
        return { waitMs: undefined, why: `the next slot is ${slot.waitMs} ms away, past the deadline` };
      }
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              id: { S: key },
              tokens: { N: String(slot.bucket.tokens) },
              updatedAt: { N: String(slot.bucket.updatedAt) },
            },
            ...(stored
              ? {
                  ConditionExpression: 'tokens = :tokens AND updatedAt = :updatedAt',
                  ExpressionAttributeValues: {
                    ':tokens': { N: String(stored.tokens) },
                    ':updatedAt': { N: String(stored.updatedAt) },
                  },
                }
              : { ConditionExpression: 'attribute_not_exists(id)' }),
          }),
        );
        return { waitMs: slot.waitMs };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return { waitMs: undefined, why: 'other senders kept taking the slot' };
  }
}
