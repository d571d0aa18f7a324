/**
 * The routine events a digest has already posted, one small item each (`notifier#posted#<event
 * id>`, gone after a day by the table's TTL). EventBridge and SQS deliver at least once, and a batch
 * whose invocation ended after some posts comes back whole: without these marks its services would
 * be posted again. A post whose answer was lost is not marked and posts again on the next
 * delivery: Slack's webhooks take no idempotency key, so once is the aim and twice the worst case.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { chunk } from './metricQueries.js';

/** BatchGetItem takes 100 keys a call, BatchWriteItem 25 items. */
const GET_KEYS_PER_CALL = 100;
const PUTS_PER_CALL = 25;
/** Rounds for what DynamoDB leaves unprocessed (it does so under throttling) before giving up. */
const MAX_ROUNDS = 4;
const KEEP_SECONDS = 24 * 3600;

export interface PostedEventsOptions {
  tableName: string;
  /** Waits between rounds of unprocessed keys (tests pass none). */
  sleep?: (ms: number) => Promise<void>;
}

export class DynamoPostedEvents {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: PostedEventsOptions,
  ) {}

  /** Which of `eventIds` were posted already (eventually consistent: a mark is a day old or a batch old). */
  async posted(eventIds: readonly string[]): Promise<Set<string>> {
    const { tableName } = this.options;
    const found = new Set<string>();
    for (const ids of chunk([...new Set(eventIds)], GET_KEYS_PER_CALL)) {
      let keys: Record<string, AttributeValue>[] | undefined = ids.map((id) => ({ id: { S: keyOf(id) } }));
      for (let round = 0; keys !== undefined && keys.length > 0; round += 1) {
        if (round === MAX_ROUNDS)
          throw new Error(`posted events: ${keys.length} keys left unread by DynamoDB`);
        if (round > 0) await this.pause(round);
        const response: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'id' } },
          }),
        );
        for (const item of response.Responses?.[tableName] ?? []) {
          const key = item['id']?.S;
          if (key !== undefined) found.add(key.slice(PREFIX.length));
        }
        keys = response.UnprocessedKeys?.[tableName]?.Keys;
      }
    }
    return found;
  }

  /** Marks `eventIds` posted at `nowMs`; they are forgotten a day later. */
  async markPosted(eventIds: readonly string[], nowMs: number): Promise<void> {
    const { tableName } = this.options;
    const expiration = String(Math.floor(nowMs / 1000) + KEEP_SECONDS);
    for (const ids of chunk([...new Set(eventIds)], PUTS_PER_CALL)) {
      let requests: WriteRequest[] | undefined = ids.map((id) => ({
        PutRequest: { Item: { id: { S: keyOf(id) }, expiration: { N: expiration } } },
      }));
      for (let round = 0; requests !== undefined && requests.length > 0; round += 1) {
        if (round === MAX_ROUNDS)
          throw new Error(`posted events: ${requests.length} marks left unwritten by DynamoDB`);
        if (round > 0) await this.pause(round);
        const response: BatchWriteItemCommandOutput = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = response.UnprocessedItems?.[tableName];
      }
    }
  }

  private pause(round: number): Promise<void> {
    const ms = 50 * 2 ** round;
    return (this.options.sleep ?? ((wait) => new Promise((resolve) => setTimeout(resolve, wait))))(ms);
  }
}

/** The notifier may touch only `notifier#*` keys of the table (template.yaml's condition). */
const PREFIX = 'notifier#posted#';
const keyOf = (eventId: string) => `${PREFIX}${eventId}`;
