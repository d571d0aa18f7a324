/**
 * The notifier handler end to end: the secret from Secrets Manager (mocked), approvals in
 * dynalite, Slack as a real HTTP server on 127.0.0.1, the heartbeat to Step Functions (mocked).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, SendTaskHeartbeatCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { mockClient } from 'aws-sdk-client-mock';
import { AdvisorEventError, SlackPostError } from '@headroom/core';
import {
  TOKEN,
  approvalRequest,
  busEvent,
  recommendation,
  startFakeSlack,
  type Answer,
  type FakeSlack,
} from './fixtures.js';
import {
  IDEMPOTENCY_TABLE,
  STATE_TABLE as TABLE,
  startDynalite,
  type LocalDynamo,
} from '../support/dynalite.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:headroom/slack-webhook-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
let slack: FakeSlack;
let answers: Answer[] = [];
let notify: (event: unknown, context: Context) => Promise<void>;
let channel = 0;
let output = '';

const context = {
  functionName: 'headroom-notifier',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 20_000,
} as unknown as Context;

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await startFakeSlack((_r, i) => answers[i] ?? { status: 200 });
  Object.assign(process.env, {
    SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
    STATE_TABLE: TABLE,
    IDEMPOTENCY_TABLE,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  const module = await import('../../functions/notifier/handler.js');
  notify = async (event, ctx) => void (await module.handler(event as never, ctx));
});

beforeEach(() => {
  // A fresh channel per test keeps the per-channel pacing of one test from slowing the next.
  channel += 1;
  clearCaches();
  secrets.reset();
  sfn.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ url: slack.url, channel: `#ops-${channel}` }) });
  sfn.on(SendTaskHeartbeatCommand).resolves({});
  slack.received.length = 0;
  answers = [];
  output = '';
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    });
  }
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  secrets.restore();
  sfn.restore();
  await slack.close();
  await dynamo.close();
});

/** The keys of the idempotency records; template.yaml lets the notifier touch only `notifier#*`. */
async function idempotencyKeys(): Promise<string[]> {
  const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: IDEMPOTENCY_TABLE }));
  return Items.map((item) => String(unmarshall(item)['id']));
}

describe('notifier handler', () => {
  it('posts a recommendation as Block Kit to the webhook from Secrets Manager, and never logs the URL', async () => {
    await notify(busEvent(recommendation), context);
    expect(slack.received).toHaveLength(1);
    const body = JSON.parse(slack.received[0]?.body ?? '{}');
    expect(body.text).toMatch(/^Recommendation: Scale out web from 4 to 6 instances\./);
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':bulb: Recommendation: Scale out web from 4 to 6 instances',
        emoji: true,
      },
    });
    expect(output).toContain('posted to Slack');
    expect(output).not.toContain('s3cr3tW3bh00kP4th');
    expect(output).not.toContain(slack.url);
  });

  it('reads the secret once and serves the next event from the cache', async () => {
    await notify(busEvent(recommendation), context);
    await notify(busEvent({ ...recommendation, serviceId: 'api' }), context);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('stores an approval request with its task token, posts buttons without it, then heartbeats', async () => {
    await notify(busEvent(approvalRequest), context);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'approval#apr-0123456789abcdef', sk: 'approval' }),
      }),
    );
    expect(Item && unmarshall(Item)).toMatchObject({ status: 'pending', taskToken: TOKEN, serviceId: 'web' });
    expect(slack.received[0]?.body).toContain('"value":"apr-0123456789abcdef"');
    expect(slack.received[0]?.body).not.toContain(TOKEN.slice(0, 30));
    expect(sfn.commandCalls(SendTaskHeartbeatCommand).map((c) => c.args[0].input.taskToken)).toEqual([TOKEN]);
  });

  it('never overwrites a pending approval: a second request under its id is refused, logged with its sender and counted', async () => {
    await notify(busEvent(approvalRequest), context);
    const forged = { ...approvalRequest, detail: { ...approvalRequest.detail, taskToken: 'forged-token' } };
    await notify(busEvent(forged), context);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: marshall({ pk: 'approval#apr-0123456789abcdef', sk: 'approval' }),
      }),
    );
    expect(Item && unmarshall(Item)).toMatchObject({ status: 'pending', taskToken: TOKEN });
    expect(slack.received).toHaveLength(1);
    expect(output).toContain('"reason":"approval-exists"');
    expect(output).toContain('"sender":{"account":"123456789012","source":"headroom.advisor"');
    expect(output).toMatch(/"RefusedEvents":1/);
  });

  it('marks the approval expired when the workflow stopped waiting before the message went out', async () => {
    sfn.on(SendTaskHeartbeatCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const late = { ...approvalRequest, detail: { ...approvalRequest.detail, approvalId: 'apr-late' } };
    await notify(busEvent(late), context);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: marshall({ pk: 'approval#apr-late', sk: 'approval' }) }),
    );
    expect(Item && unmarshall(Item).status).toBe('expired');
  });

  it('does not fail (and so does not post twice) when only the heartbeat fails', async () => {
    sfn
      .on(SendTaskHeartbeatCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const request = {
      ...approvalRequest,
      detail: { ...approvalRequest.detail, approvalId: 'apr-heartbeat' },
    };
    await notify(busEvent(request), context);
    expect(slack.received).toHaveLength(1);
    expect(output).toContain('heartbeat to the waiting workflow failed');
  });

  it('honours a 429 Retry-After and then delivers', async () => {
    answers = [{ status: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' }, { status: 200 }];
    await notify(busEvent(recommendation), context);
    expect(slack.received).toHaveLength(2);
  });

  it('fails the event when Slack refuses it, so that the retries and the DLQ keep it; the URL is in no log', async () => {
    answers = [{ status: 404, body: 'no_service' }];
    await expect(notify(busEvent(recommendation), context)).rejects.toThrow(
      new SlackPostError('HTTP 404 no_service is not retryable', 1),
    );
    expect(output).toContain('notification failed');
    expect(output).not.toContain('s3cr3tW3bh00kP4th');
  });

  it('posts an event EventBridge delivers twice only once', async () => {
    const event = busEvent(recommendation);
    await notify(event, context);
    await notify(structuredClone(event), context);
    expect(slack.received).toHaveLength(1);
    expect(output).toContain('event already notified; not posting it again');
  });

  it('stores, posts and heartbeats a twice-delivered approval request once', async () => {
    const event = busEvent({
      ...approvalRequest,
      detail: { ...approvalRequest.detail, approvalId: 'apr-twice' },
    });
    await notify(event, context);
    await notify(event, context);
    expect(slack.received).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskHeartbeatCommand)).toHaveLength(1);
  });

  it('lets a redelivery post an event whose first attempt failed, and the URL is in no log', async () => {
    answers = [500, 500, 500, 500].map((status) => ({ status, body: 'internal_error' }));
    const event = busEvent(recommendation);
    const keysBefore = await idempotencyKeys();
    await expect(notify(event, context)).rejects.toThrow(
      new SlackPostError('HTTP 500 internal_error after 4 attempts', 4),
    );
    // Powertools deletes the in-progress record of a failed attempt, so nothing blocks the retry.
    expect(await idempotencyKeys()).toEqual(keysBefore);
    await notify(event, context);
    expect(slack.received).toHaveLength(5);
    const added = (await idempotencyKeys()).filter((key) => !keysBefore.includes(key));
    expect(added).toEqual([expect.stringMatching(/^notifier#/)]);
    expect(output).not.toContain('event already notified');
    expect(output).not.toContain('s3cr3tW3bh00kP4th');
  });

  it('fails a malformed event with the field that is wrong, and posts nothing', async () => {
    const bad = busEvent({ ...recommendation, detail: { decision: { serviceId: 'web' } } });
    await expect(notify(bad, context)).rejects.toThrow(AdvisorEventError);
    await expect(notify(bad, context)).rejects.toThrow(/detail\.decision\.currentCapacity/);
    expect(slack.received).toHaveLength(0);
  });

  it('refuses a webhook secret that is not an https URL, without repeating it', async () => {
    clearCaches();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'ftp://hooks.example/s3cr3tW3bh00kP4th' });
    await expect(notify(busEvent(recommendation), context)).rejects.toThrow(
      'Slack webhook secret: "url" is missing or not an https URL',
    );
    expect(output).not.toContain('s3cr3tW3bh00kP4th');
  });
});
