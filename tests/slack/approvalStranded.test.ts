/**
 * Approvals that must not get stranded: the claim's write lands but its answer is lost, or Step
 * Functions takes the answer but the call times out. The stored status must end equal to what
 * Step Functions was told. DynamoDB is dynalite behind a client that loses the first answer of a
 * chosen command (the SDK then retries it, as it does in AWS); Step Functions is mocked.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { SFNClient, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoApprovalOutcomes,
  DynamoApprovalRequests,
  DynamoApprovals,
  StepFunctionsTaskAnswers,
  answerClick,
  parseAllowedUsers,
} from '@headroom/core';
import { T0, TOKEN } from './fixtures.js';
import { STATE_TABLE as TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { loseFirstAnswer } from '../support/lostAnswers.js';

const ANA = 'U024BE7LH';
const BOB = 'U0BOB';
let dynamo: LocalDynamo;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  sfn.restore();
  await dynamo.close();
});
beforeEach(() => {
  sfn.reset();
});

let n = 0;
async function newApproval(): Promise<string> {
  n += 1;
  const approvalId = `apr-stranded-${n}`;
  await new DynamoApprovalRequests(dynamo.client, { tableName: TABLE }).savePending({
    approvalId,
    taskToken: TOKEN,
    serviceId: 'web',
    summary: 'scale web in from 10 to 6',
    requestedAt: T0,
    expiresAt: T0 + 3_600_000,
  });
  return approvalId;
}

async function stored(approvalId: string): Promise<Record<string, unknown>> {
  const { Item } = await dynamo.client.send(
    new GetItemCommand({ TableName: TABLE, Key: marshall({ pk: `approval#${approvalId}`, sk: 'approval' }) }),
  );
  return unmarshall(Item!);
}

/** A DynamoDB client as the interactions function has it (two attempts), on dynalite. */
function interactionsDynamo(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
}

const tasks = () =>
  new StepFunctionsTaskAnswers(new SFNClient({ region: 'eu-west-1' }), { timeoutMs: 1_000 });
const click = (approvalId: string, userId = ANA) => ({
  userId,
  actionId: 'headroom.approve',
  value: approvalId,
});

describe('an approval whose claim landed but whose answer was lost', () => {
  it('still reaches Step Functions: the SDK retry of the claim is recognised as ours', async () => {
    const approvalId = await newApproval();
    const client = interactionsDynamo();
    const lost = loseFirstAnswer(client, 'UpdateItemCommand');
    sfn.on(SendTaskSuccessCommand).resolves({});
    const outcome = await answerClick(click(approvalId), {
      store: new DynamoApprovals(client, { tableName: TABLE }),
      tasks: tasks(),
      allowedUsers: parseAllowedUsers(ANA),
      now: T0 + 60_000,
    });
    client.destroy();
    expect(lost.count).toBe(1);
    expect(outcome).toEqual({ kind: 'answered', approvalId, answer: 'approved', userId: ANA });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(await stored(approvalId)).toMatchObject({
      status: 'approved',
      answeredBy: ANA,
      toldAt: T0 + 60_000,
    });
  });
});

describe('an approval whose Step Functions call timed out after Step Functions took it', () => {
  it('keeps the answer: a later click is not shown as expired, a different answer is refused, and the workflow settles it', async () => {
    const approvalId = await newApproval();
    const store = new DynamoApprovals(dynamo.client, { tableName: TABLE });
    const deps = (now: number) => ({
      store,
      tasks: tasks(),
      allowedUsers: parseAllowedUsers(`${ANA},${BOB}`),
      now,
    });
    // Step Functions took the answer (the workflow goes on and applies the change), but the reply
    // never came back in time.
    const told: string[] = [];
    sfn
      .on(SendTaskSuccessCommand)
      .callsFakeOnce(async () => {
        told.push('approved');
        throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
      })
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    expect((await answerClick(click(approvalId), deps(T0 + 60_000))).kind).toBe('unreachable');
    expect((await stored(approvalId)).status).toBe('approved');

    // Bob tries to reject meanwhile: the answer Step Functions may already have stands.
    expect(
      await answerClick({ ...click(approvalId, BOB), actionId: 'headroom.reject' }, deps(T0 + 90_000)),
    ).toEqual({
      kind: 'already-answered',
      approvalId,
      status: 'approved',
      answeredBy: ANA,
    });

    // Ana clicks again: Step Functions says the task is gone (it was answered): not "expired".
    expect(await answerClick(click(approvalId), deps(T0 + 120_000))).toEqual({
      kind: 'already-answered',
      approvalId,
      status: 'approved',
    });
    expect((await stored(approvalId)).status).toBe('approved');
    expect(told).toEqual(['approved']);

    // The workflow's Record step writes what it acted on.
    await new DynamoApprovalOutcomes(dynamo.client, { tableName: TABLE }).settle(
      approvalId,
      'approved',
      T0 + 130_000,
    );
    expect(await stored(approvalId)).toMatchObject({ status: 'approved', toldAt: T0 + 130_000 });
    expect((await answerClick(click(approvalId), deps(T0 + 140_000))).kind).toBe('already-answered');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });

  it('a claim never delivered, after which the wait timed out, ends expired as the workflow says', async () => {
    const approvalId = await newApproval();
    const store = new DynamoApprovals(dynamo.client, { tableName: TABLE });
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const deps = { store, tasks: tasks(), allowedUsers: parseAllowedUsers(ANA), now: T0 + 60_000 };
    expect((await answerClick(click(approvalId), deps)).kind).toBe('unreachable');
    await new DynamoApprovalOutcomes(dynamo.client, { tableName: TABLE }).settle(
      approvalId,
      'expired',
      T0 + 3_600_000,
    );
    expect((await stored(approvalId)).status).toBe('expired');
    expect(await answerClick(click(approvalId), { ...deps, now: T0 + 3_700_000 })).toMatchObject({
      kind: 'already-answered',
      status: 'expired',
    });
  });

  it('a first click that finds the task gone marks the request expired (nobody told it anything)', async () => {
    const approvalId = await newApproval();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const outcome = await answerClick(click(approvalId), {
      store: new DynamoApprovals(dynamo.client, { tableName: TABLE }),
      tasks: tasks(),
      allowedUsers: parseAllowedUsers(ANA),
      now: T0 + 3_700_000,
    });
    expect(outcome).toEqual({ kind: 'expired', approvalId });
    expect((await stored(approvalId)).status).toBe('expired');
  });
});
