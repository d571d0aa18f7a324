/**
 * The shard queue over SQS: shards go out ten to a SendMessageBatch, each held back as long as the
 * planner asks (DelaySeconds), an entry SQS refuses is sent again once, and one still refused
 * fails the send naming the shard (the run is retried, no shard dropped unseen).
 */
import { describe, expect, it, beforeEach } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import {
  planShards,
  readShardMessage,
  SqsShardQueue,
  ShardsNotSentError,
  type ManagedService,
} from '@headroom/core';
import { DEFAULT_TIMING } from '@headroom/core/model/service.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-EvaluateShardQueue';
const service = (id: string): ManagedService => ({
  id,
  autoScalingGroupName: id,
  mode: 'advise',
  slo: { p99LatencyMs: 500, errorRatePct: 1, cpuTargetPct: 70 },
  capacity: { min: 1, max: 20, maxStepPct: 50, maxStepInstances: 4 },
  timing: DEFAULT_TIMING,
  pricePerInstanceHourUsd: 0.05,
  slowMinuteCostUsd: 10,
  tiers: {},
});
const shards = planShards(
  'evaluate',
  Array.from({ length: 12 }, (_, i) => service(`svc-${String(i).padStart(2, '0')}`)),
  60_000,
  1,
);
const sqs = mockClient(SQSClient);
const entriesOf = (i: number) =>
  (sqs.commandCalls(SendMessageBatchCommand)[i]!.args[0].input as SendMessageBatchCommandInput).Entries ?? [];

describe('SqsShardQueue', () => {
  beforeEach(() => {
    sqs.reset();
  });

  it('sends ten shards a batch, each with the delay asked for (none when 0)', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: (input.Entries ?? []).map((e) => ({
        Id: e.Id,
        MessageId: `m-${e.Id}`,
        MD5OfMessageBody: 'x',
      })),
      Failed: [],
    }));
    const delays = shards.map((_, i) => (i < 2 ? 0 : i));
    await new SqsShardQueue(new SQSClient({ region: 'us-east-1' }), { queueUrl: QUEUE }).send(shards, delays);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    const entries = [...entriesOf(0), ...entriesOf(1)];
    expect(entries.map((e) => e.DelaySeconds)).toEqual([
      undefined,
      undefined,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
    ]);
    expect(entries.map((e) => readShardMessage(e.MessageBody!).services[0]!.id)).toEqual(
      shards.map((s) => s.services[0]!.id),
    );
  });

  it('sends a refused entry again once, with its delay; still refused, fails naming the shard', async () => {
    let round = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      round += 1;
      const entries = input.Entries ?? [];
      const refused = entries.filter((e) => e.Id === '3' || (round === 1 && e.Id === '4'));
      return {
        Successful: entries
          .filter((e) => !refused.includes(e))
          .map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
        Failed: refused.map((e) => ({
          Id: e.Id,
          Code: 'InternalError',
          SenderFault: false,
          Message: 'try again',
        })),
      };
    });
    const queue = new SqsShardQueue(new SQSClient({ region: 'us-east-1' }), { queueUrl: QUEUE });
    const sent = queue.send(shards.slice(0, 6), [0, 1, 2, 3, 4, 5]);
    await expect(sent).rejects.toThrow(ShardsNotSentError);
    await expect(sent).rejects.toThrow(/shard\(s\) 3 not queued: InternalError: try again/);
    const retried = entriesOf(1);
    expect(retried.map((e) => [e.Id, e.DelaySeconds])).toEqual([
      ['3', 3],
      ['4', 4],
    ]);
  });
});
