/**
 * The notifier's digest path end to end: routine events as the digest queue delivers them (SQS
 * batches of up to 1,000), Slack as a real HTTP server on 127.0.0.1, the shared pace in dynalite.
 * The pace is raised (SLACK_DIGEST_PER_SECOND) so that no test waits on the clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, SendTaskHeartbeatCommand } from '@aws-sdk/client-sfn';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { mockClient } from 'aws-sdk-client-mock';
import type { AdvisorEvent } from '@headroom/core';
import {
  approvalRequest,
  busEvent,
  decision,
  recommendation,
  startFakeSlack,
  type Answer,
  type FakeSlack,
} from './fixtures.js';
import { IDEMPOTENCY_TABLE, STATE_TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:headroom/slack-webhook-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
let slack: FakeSlack;
let answers: (Answer | undefined)[] = [];
let handler: (event: unknown, context: Context) => Promise<unknown>;
let channel = 0;

const context = {
  functionName: 'headroom-notifier',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 50_000,
} as unknown as Context;

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await startFakeSlack((_r, i) => answers[i] ?? { status: 200 });
  Object.assign(process.env, {
    SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
    STATE_TABLE,
    IDEMPOTENCY_TABLE,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    SLACK_DIGEST_PER_SECOND: '1000',
  });
  const module = await import('../../functions/notifier/handler.js');
  handler = (event, ctx) => module.handler(event as never, ctx);
});

beforeEach(() => {
  channel += 1;
  clearCaches();
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ url: slack.url, channel: `#ops-${channel}` }) });
  sfn.reset();
  sfn.on(SendTaskHeartbeatCommand).resolves({});
  slack.received.length = 0;
  answers = [];
});

afterAll(async () => {
  secrets.restore();
  sfn.restore();
  await slack.close();
  await dynamo.close();
});

const serviceId = (i: number) => `svc-${String(i).padStart(5, '0')}`;

/** The digest queue's delivery of services [from, to): one record per Recommendation, as the rule sends it. */
function batch(from: number, to: number): SQSEvent {
  const Records = [];
  for (let i = from; i < to; i++) {
    const id = serviceId(i);
    const event: AdvisorEvent = {
      ...recommendation,
      serviceId: id,
      detail: {
        ...recommendation.detail,
        decision: { ...decision, serviceId: id },
        autoScalingGroupName: id,
      },
    };
    Records.push({ messageId: `m-${i}`, body: JSON.stringify(busEvent(event)) });
  }
  return { Records } as SQSEvent;
}

const failuresOf = (response: unknown) =>
  (response as SQSBatchResponse).batchItemFailures.map((f) => f.itemIdentifier);

describe('notifier digests', () => {
  it('posts a first advise-mode run over 10,000 services in 100 posts, every service once', async () => {
    let again: string[] = [];
    // Delivered as the event source does: batches of 1,000.
    for (let from = 0; from < 10_000; from += 1_000)
      again = [...again, ...failuresOf(await handler(batch(from, from + 1_000), context))];
    expect(again).toEqual([]);
    expect(slack.received).toHaveLength(100);
    const posted = slack.received.map((r) => r.body).join('\n');
    for (let i = 0; i < 10_000; i += 1) {
      const id = serviceId(i);
      expect([id, posted.split(`*${id}*`).length - 1]).toEqual([id, 1]);
    }
    // 10,000 notices and 100 posts take a while on a busy machine; nothing here depends on time.
  }, 180_000);

  it('returns the events of a post Slack refused, and only those, to the queue', async () => {
    answers = [{ status: 200 }, { status: 400, body: 'invalid_blocks' }, { status: 200 }];
    const delivery = batch(0, 250);
    const response = await handler(delivery, context);
    expect(slack.received).toHaveLength(3);
    // Posts hold services in id order: the second post is services 100 to 199.
    expect(failuresOf(response)).toEqual(Array.from({ length: 100 }, (_, i) => `m-${100 + i}`));
    // Delivered again whole (as after an invocation that ended early): only the refused ones post.
    const again = await handler(delivery, context);
    expect(failuresOf(again)).toEqual([]);
    expect(slack.received).toHaveLength(4);
    expect(slack.received[3]?.body).toContain(`*${serviceId(100)}*`);
    expect(slack.received[3]?.body).not.toContain(`*${serviceId(99)}*`);
  });

  it('posts each event once, delivered twice in one batch or in two batches', async () => {
    const first = batch(300, 310);
    const twice = {
      Records: [...first.Records, ...first.Records.map((r) => ({ ...r, messageId: `${r.messageId}-again` }))],
    };
    expect(failuresOf(await handler(twice, context))).toEqual([]);
    expect(slack.received).toHaveLength(1);
    const posted = slack.received[0]?.body ?? '';
    expect(posted.split(`*${serviceId(300)}*`).length - 1).toBe(1);
    expect(failuresOf(await handler(first, context))).toEqual([]);
    expect(slack.received).toHaveLength(1);
  });

  it('posts an approval at once while routine advice waits for its pace, and loses none of the advice', async () => {
    // Other invocations' digest posts have taken the channel's digest slots for the next minute.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: IDEMPOTENCY_TABLE,
        Item: {
          id: { S: `notifier#digest-rate##ops-${channel}` },
          tokens: { N: '-60000' },
          updatedAt: { N: String(Date.now()) },
        },
      }),
    );
    const digest = await handler(batch(0, 150), context);
    await handler(busEvent(approvalRequest), context);
    // The approval went out; the digest posted nothing and gave every event back for later.
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]?.body).toContain('Approval needed');
    expect(failuresOf(digest)).toHaveLength(150);
  });
});
