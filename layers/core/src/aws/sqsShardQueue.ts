/**
 * ShardQueue over SQS: each shard is one message (retried and dead-lettered alone), sent with
 * SendMessageBatch, at most 10 entries and 256 KiB a call (SQS's limits on a batch). An entry SQS
 * refuses is sent again once; still refused, the send throws naming the shards, so the run fails
 * and its schedule retries it rather than a shard being dropped unseen.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ShardQueue } from '../shards/fanOut.js';
import { shardMessageBody } from '../shards/shardMessage.js';
import type { Shard } from '../shards/shardPlan.js';

/** SendMessageBatch: at most 10 entries, and 262,144 bytes for all of them together. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 262_144;

export class ShardsNotSentError extends Error {
  constructor(
    readonly shards: readonly number[],
    reasons: readonly string[],
  ) {
    super(`shard(s) ${shards.join(', ')} not queued: ${[...new Set(reasons)].join('; ')}`);
    this.name = 'ShardsNotSentError';
  }
}

interface Entry {
  id: string;
  body: string;
  delaySeconds: number;
}

export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly options: { queueUrl: string },
  ) {}

  async send(shards: readonly Shard[], startDelaysSeconds?: readonly number[]): Promise<void> {
    const bodies = shards.map((shard, i) => ({
      id: String(shard.index),
      body: shardMessageBody(shard),
      delaySeconds: startDelaysSeconds?.[i] ?? 0,
    }));
    for (const body of bodies) {
      if (Buffer.byteLength(body.body) > MAX_BATCH_BYTES)
        throw new ShardsNotSentError([Number(body.id)], ['message larger than 256 KiB: shards are too big']);
    }
    let refused = await this.sendAll(bodies);
    if (refused.length > 0) refused = await this.sendAll(refused.map((r) => r.entry));
    if (refused.length > 0) {
      throw new ShardsNotSentError(
        refused.map((r) => Number(r.entry.id)),
        refused.map((r) => r.reason),
      );
    }
  }

  private async sendAll(entries: readonly Entry[]) {
    const refused: { entry: Entry; reason: string }[] = [];
    for (const batch of batches(entries)) {
      const response = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: batch.map((e) => ({
            Id: e.id,
            MessageBody: e.body,
            ...(e.delaySeconds > 0 ? { DelaySeconds: e.delaySeconds } : {}),
          })),
        }),
      );
      for (const failed of response.Failed ?? []) {
        const entry = batch.find((e) => e.id === failed.Id);
        if (entry) refused.push({ entry, reason: `${failed.Code ?? 'unknown'}: ${failed.Message ?? ''}` });
      }
    }
    return refused;
  }
}

function* batches<T extends { body: string }>(entries: readonly T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.body);
    if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
