/**
 * The interactions handler as Slack reaches it through the Function URL: signed requests are
 * answered; forged, replayed, expired, unauthorised and malformed ones are rejected and execute
 * nothing (the Step Functions mock receives no call, the approval stays pending).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoApprovalRequests, slackSignature } from '@headroom/core';
import { T0, TOKEN, clickPayload, startFakeSlack, type FakeSlack } from './fixtures.js';
import { STATE_TABLE as TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:headroom/slack-signing-AbCdEf';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const ANA = 'U024BE7LH';
const secrets = mockClient(SecretsManagerClient);
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
let slack: FakeSlack;
let interact: (event: LambdaFunctionURLEvent) => Promise<APIGatewayProxyStructuredResultV2>;
let approvalN = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await startFakeSlack(() => ({ status: 200 }));
  Object.assign(process.env, {
    SLACK_SIGNING_SECRET_ARN: SECRET_ARN,
    STATE_TABLE: TABLE,
    ALLOWED_SLACK_USER_IDS: `${ANA},U0BOB`,
    SLACK_RESPONSE_URL_PREFIX: new URL('/actions/', slack.url).toString(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  const module = await import('../../functions/interactions/handler.js');
  interact = (event) => module.handler(event, {} as never) as Promise<APIGatewayProxyStructuredResultV2>;
});

beforeEach(() => {
  secrets.reset();
  sfn.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: SIGNING_SECRET });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  slack.received.length = 0;
});

afterAll(async () => {
  secrets.restore();
  sfn.restore();
  await slack.close();
  await dynamo.close();
});

async function newApproval(): Promise<string> {
  approvalN += 1;
  const approvalId = `apr-${approvalN}`;
  await new DynamoApprovalRequests(dynamo.client, { tableName: TABLE }).savePending({
    approvalId,
    taskToken: `${TOKEN}-${approvalN}`,
    serviceId: 'web',
    summary: 'add a read replica',
    requestedAt: T0,
  });
  return approvalId;
}

async function statusOf(approvalId: string): Promise<unknown> {
  const { Item } = await dynamo.client.send(
    new GetItemCommand({ TableName: TABLE, Key: marshall({ pk: `approval#${approvalId}`, sk: 'approval' }) }),
  );
  return Item && unmarshall(Item).status;
}

const FORM = 'application/x-www-form-urlencoded';
const nowSeconds = () => String(Math.floor(Date.now() / 1000));
const clickBody = (approvalId: string, overrides: Record<string, unknown> = {}) =>
  new URLSearchParams({
    payload: JSON.stringify(
      clickPayload({
        actions: [{ action_id: 'headroom.approve', value: approvalId, type: 'button' }],
        response_url: new URL('/actions/T0/1/redraw', slack.url).toString(),
        ...overrides,
      }),
    ),
  }).toString();

interface Signing {
  timestamp?: string;
  secret?: string;
  contentType?: string;
  base64?: boolean;
  signature?: string;
  method?: string;
}

/** A Function URL event as Lambda delivers it, signed as Slack would sign it. */
function request(body: string, signing: Signing = {}): LambdaFunctionURLEvent {
  const timestamp = signing.timestamp ?? nowSeconds();
  const signature = signing.signature ?? slackSignature(signing.secret ?? SIGNING_SECRET, timestamp, body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': signing.contentType ?? FORM,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    requestContext: {
      http: {
        method: signing.method ?? 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '3.3.3.3',
        userAgent: 'Slackbot 1.0',
      },
    },
    body: signing.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: signing.base64 ?? false,
  } as unknown as LambdaFunctionURLEvent;
}

const sfnCalls = () => sfn.calls().length;

describe('interactions handler: answering', () => {
  it('approves: SendTaskSuccess with the stored token, 200, and the message redrawn without buttons', async () => {
    const approvalId = await newApproval();
    const response = await interact(request(clickBody(approvalId)));
    expect(response.statusCode).toBe(200);
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      `${TOKEN}-${approvalN}`,
    ]);
    expect(await statusOf(approvalId)).toBe('approved');
    expect(slack.received.map((r) => r.path)).toEqual(['/actions/T0/1/redraw']);
    const redraw = JSON.parse(slack.received[0]?.body ?? '{}');
    expect(redraw).toMatchObject({
      replace_original: true,
      text: `:white_check_mark: Approved by <@${ANA}>.`,
    });
  });

  it('rejects through SendTaskFailure', async () => {
    const approvalId = await newApproval();
    const body = clickBody(approvalId, { actions: [{ action_id: 'headroom.reject', value: approvalId }] });
    expect((await interact(request(body))).statusCode).toBe(200);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(await statusOf(approvalId)).toBe('rejected');
  });

  it('is idempotent: the same click twice (or Slack retrying it) answers the workflow once', async () => {
    const approvalId = await newApproval();
    const click = request(clickBody(approvalId));
    expect((await interact(click)).statusCode).toBe(200);
    const again = await interact(click);
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body ?? '{}').text).toBe(
      `This approval was already approved by <@${ANA}>; nothing changed.`,
    );
    expect(sfnCalls()).toBe(1);
  });

  it('reads base64-encoded bodies, verifying the signature over the decoded bytes', async () => {
    const approvalId = await newApproval();
    expect((await interact(request(clickBody(approvalId), { base64: true }))).statusCode).toBe(200);
    expect(sfnCalls()).toBe(1);
  });

  it('says the approval expired when the workflow stopped waiting', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const approvalId = await newApproval();
    const response = await interact(request(clickBody(approvalId)));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '{}').text).toContain('this approval expired');
    expect(await statusOf(approvalId)).toBe('expired');
  });

  it('answers url_verification with the challenge and ssl_check with 200', async () => {
    const verification = await interact(
      request(
        '{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}',
        {
          contentType: 'application/json',
        },
      ),
    );
    expect(verification.statusCode).toBe(200);
    expect(JSON.parse(verification.body ?? '{}')).toEqual({
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
    expect((await interact(request('ssl_check=1&token=x'))).statusCode).toBe(200);
    expect(sfnCalls()).toBe(0);
  });

  it('does not redraw through a response_url that is not Slack', async () => {
    const approvalId = await newApproval();
    const body = clickBody(approvalId, { response_url: 'https://attacker.example/collect' });
    expect((await interact(request(body))).statusCode).toBe(200);
    expect(slack.received).toHaveLength(0);
  });
});

describe('interactions handler: secrets', () => {
  it('never logs the signing secret or a task token, whatever happens', async () => {
    let output = '';
    const capture = (chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    };
    const spies = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')];
    spies.forEach((spy) => spy.mockImplementation(capture));
    try {
      const approvalId = await newApproval();
      await interact(request(clickBody(approvalId), { secret: 'guessed-secret' }));
      await interact(request(clickBody(approvalId)));
      await interact(request('payload=%7Bnot-json'));
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(output).toContain('rejected Slack request');
    expect(output).toContain('approval click');
    expect(output).not.toContain(SIGNING_SECRET);
    expect(output).not.toContain(TOKEN.slice(0, 40));
  });

  it('answers 500 when the signing secret cannot be read, and executes nothing', async () => {
    const { clearCaches } = await import('@aws-lambda-powertools/parameters');
    clearCaches();
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('unreachable'), { name: 'InternalServiceError' }));
    const approvalId = await newApproval();
    // The failure is logged (as ERROR, with the cause): captured here and checked, not printed.
    let output = '';
    const spies = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')];
    spies.forEach((spy) =>
      spy.mockImplementation((chunk: string | Uint8Array) => {
        output += chunk.toString();
        return true;
      }),
    );
    let response;
    try {
      response = await interact(request(clickBody(approvalId)));
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(response.statusCode).toBe(500);
    expect(output).toMatch(/"level":"ERROR","message":"interaction failed".*"message":"unreachable"/);
    expect(sfnCalls()).toBe(0);
    expect(await statusOf(approvalId)).toBe('pending');
    clearCaches();
  });
});

describe('interactions handler: rejecting', () => {
  const old = () => String(Math.floor(Date.now() / 1000) - 6 * 60);
  const rejections: [string, (id: string) => LambdaFunctionURLEvent, number][] = [
    [
      'forged (signed with another secret)',
      (id) => request(clickBody(id), { secret: 'guessed-secret' }),
      401,
    ],
    [
      'replayed (a captured signature on a changed body)',
      (id) => {
        const captured = request(clickBody('apr-other'));
        return { ...request(clickBody(id)), headers: captured.headers };
      },
      401,
    ],
    [
      'expired (a valid request sent six minutes later)',
      (id) => request(clickBody(id), { timestamp: old() }),
      401,
    ],
    [
      'from the future',
      (id) => request(clickBody(id), { timestamp: String(Math.floor(Date.now() / 1000) + 6 * 60) }),
      401,
    ],
    ['unsigned', (id) => ({ ...request(clickBody(id)), headers: { 'content-type': FORM } }), 401],
    [
      'unauthorised (a user not on the allowed list)',
      (id) => request(clickBody(id, { user: { id: 'U0MALLORY' } })),
      403,
    ],
    ['malformed (signed, but no payload)', () => request('hello=world'), 400],
    ['malformed (signed, payload not JSON)', () => request('payload=%7Bnot-json'), 400],
    [
      'malformed (an unknown button)',
      (id) => request(clickBody(id, { actions: [{ action_id: 'x', value: id }] })),
      400,
    ],
    ['not a POST', (id) => request(clickBody(id), { method: 'GET' }), 405],
  ];

  it.each(rejections)('rejects a request that is %s, and executes nothing', async (_name, build, status) => {
    const approvalId = await newApproval();
    const response = await interact(build(approvalId));
    expect(response.statusCode).toBe(status);
    expect(sfnCalls()).toBe(0);
    expect(await statusOf(approvalId)).toBe('pending');
    expect(slack.received).toHaveLength(0);
  });
});
