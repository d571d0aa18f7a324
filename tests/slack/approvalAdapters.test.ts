/** DynamoApprovalRequests and DynamoApprovals against dynalite; StepFunctionsTaskAnswers against aws-sdk-client-mock. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  ExecutionAlreadyExists,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoApprovalRequests,
  DynamoApprovals,
  REJECTED_ERROR,
  StepFunctionsApprovalWorkflow,
  StepFunctionsTaskAnswers,
  sendHeartbeat,
  type ApprovalWorkflowInput,
  type PendingApproval,
} from '@headroom/core';
import { T0, TOKEN, startFakeSlack } from './fixtures.js';
import { STATE_TABLE as TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

let n = 0;
const pending = (): PendingApproval => ({
  approvalId: `apr-${(n += 1)}`,
  taskToken: TOKEN,
  serviceId: 'web',
  summary: 'add a read replica to db-main',
  requestedAt: T0,
  expiresAt: T0 + 3_600_000,
});
const requests = () => new DynamoApprovalRequests(dynamo.client, { tableName: TABLE, retentionDays: 7 });
const store = () => new DynamoApprovals(dynamo.client, { tableName: TABLE });
const item = async (approvalId: string) => {
  const { Item } = await dynamo.client.send(
    new GetItemCommand({ TableName: TABLE, Key: marshall({ pk: `approval#${approvalId}`, sk: 'approval' }) }),
  );
  return Item && unmarshall(Item);
};

describe('DynamoApprovals', () => {
  it('stores the token with a TTL, and lets exactly one of two clicks claim it', async () => {
    const approval = pending();
    await requests().savePending(approval);
    expect(await item(approval.approvalId)).toMatchObject({
      status: 'pending',
      taskToken: TOKEN,
      answerBy: T0 + 3_600_000,
      expiresAt: T0 / 1000 + 7 * 86_400,
    });
    const [first, second] = await Promise.all([
      store().claim(approval.approvalId, 'approved', 'U1AB', T0 + 1),
      store().claim(approval.approvalId, 'rejected', 'U2CD', T0 + 2),
    ]);
    const results = [first, second].map((r) => r.kind).sort();
    expect(results).toEqual(['already-answered', 'claimed']);
    const winner = first.kind === 'claimed' ? 'approved' : 'rejected';
    expect((await item(approval.approvalId))?.status).toBe(winner);
  });

  it('says already answered, and by whom, on a repeated click', async () => {
    const approval = pending();
    await requests().savePending(approval);
    expect(await store().claim(approval.approvalId, 'approved', 'U1AB', T0)).toEqual({
      kind: 'claimed',
      taskToken: TOKEN,
      retry: false,
      answerBy: T0 + 3_600_000,
    });
    await store().confirm(approval.approvalId, T0 + 1);
    expect(await store().claim(approval.approvalId, 'approved', 'U1AB', T0 + 5)).toEqual({
      kind: 'already-answered',
      status: 'approved',
      answeredBy: 'U1AB',
    });
  });

  it('does not know an approval it never stored', async () => {
    expect(await store().claim('apr-unknown', 'approved', 'U1AB', T0)).toEqual({ kind: 'unknown' });
  });

  it('lets the same answer be sent again until confirmed, never another answer, and never reopens', async () => {
    const approval = pending();
    await requests().savePending(approval);
    await store().claim(approval.approvalId, 'approved', 'U1AB', T0);
    expect(await store().claim(approval.approvalId, 'approved', 'U2CD', T0 + 1)).toMatchObject({
      kind: 'claimed',
      retry: true,
    });
    expect(await item(approval.approvalId)).toMatchObject({ answeredBy: 'U1AB', answeredAt: T0 });
    expect(await store().claim(approval.approvalId, 'rejected', 'U2CD', T0 + 2)).toMatchObject({
      kind: 'already-answered',
      status: 'approved',
    });
    // The notifier's late "task gone" must not turn an answer into an expiry.
    await requests().markExpired(approval.approvalId);
    expect((await item(approval.approvalId))?.status).toBe('approved');
    await store().confirm(approval.approvalId, T0 + 3);
    await store().markExpired(approval.approvalId);
    expect(await item(approval.approvalId)).toMatchObject({ status: 'approved', toldAt: T0 + 3 });
  });

  it('records expiry of a request nobody answered', async () => {
    const approval = pending();
    await requests().savePending(approval);
    await requests().markExpired(approval.approvalId);
    expect((await item(approval.approvalId))?.status).toBe('expired');
    expect((await store().claim(approval.approvalId, 'approved', 'U1AB', T0)).kind).toBe('already-answered');
  });

  it('never overwrites a pending approval’s token, and never reopens an answered one', async () => {
    const approval = pending();
    expect(await requests().savePending(approval)).toBe('saved');
    // The same request delivered twice is the same item.
    expect(await requests().savePending(approval)).toBe('saved');
    expect(await requests().savePending({ ...approval, taskToken: 'attacker-token' })).toBe('refused');
    expect((await item(approval.approvalId))?.taskToken).toBe(approval.taskToken);
    await store().claim(approval.approvalId, 'approved', 'U1AB', T0);
    expect(await requests().savePending(approval)).toBe('refused');
    expect(await item(approval.approvalId)).toMatchObject({
      status: 'approved',
      taskToken: approval.taskToken,
    });
  });
});

describe('StepFunctionsTaskAnswers', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => {
    sfn.reset();
  });
  afterAll(() => sfn.restore());
  const tasks = () =>
    new StepFunctionsTaskAnswers(new SFNClient({ region: 'eu-west-1' }), { timeoutMs: 1_000 });
  const by = { approvalId: 'apr-1', userId: 'U1AB', at: T0 };

  it('approves with SendTaskSuccess carrying who answered', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await tasks().answer('tok', 'approved', by)).toBe('sent');
    const input = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(input?.taskToken).toBe('tok');
    expect(JSON.parse(input?.output ?? '{}')).toEqual({
      approved: true,
      approvalId: 'apr-1',
      answeredBy: 'U1AB',
      answeredAt: new Date(T0).toISOString(),
    });
  });

  it('rejects with SendTaskFailure and the Headroom.Rejected error the workflow catches', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    expect(await tasks().answer('tok', 'rejected', by)).toBe('sent');
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toMatchObject({
      taskToken: 'tok',
      error: REJECTED_ERROR,
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('reads TaskTimedOut as a task that no longer waits', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    sfn.on(SendTaskHeartbeatCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    expect(await tasks().answer('tok', 'approved', by)).toBe('task-gone');
    expect(await sendHeartbeat(new SFNClient({ region: 'eu-west-1' }), 'tok', 1_000)).toBe('task-gone');
  });

  it('lets other errors through, for the caller to report', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(tasks().answer('tok', 'approved', by)).rejects.toThrow('throttled');
  });
});

describe('StepFunctionsTaskAnswers against an endpoint that never answers', () => {
  it("gives up at its timeout, so the click can be answered within Slack's 3 s", async () => {
    const hanging = await startFakeSlack(() => 'hang');
    const client = new SFNClient({
      endpoint: new URL(hanging.url).origin,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const tasks = new StepFunctionsTaskAnswers(client, { timeoutMs: 200 });
      await expect(
        tasks.answer('tok', 'approved', { approvalId: 'apr-1', userId: 'U1AB', at: T0 }),
      ).rejects.toMatchObject({
        name: 'AbortError',
      });
      expect(hanging.received).toHaveLength(1);
      expect(hanging.received[0]?.headers['x-amz-target']).toBe('AWSStepFunctions.SendTaskSuccess');
    } finally {
      client.destroy();
      await hanging.close();
    }
  });
});

describe('StepFunctionsApprovalWorkflow', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => {
    sfn.reset();
  });
  afterAll(() => sfn.restore());
  const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate';
  const workflow = () =>
    new StepFunctionsApprovalWorkflow(new SFNClient({ region: 'eu-west-1' }), { stateMachineArn: arn });
  const input = {
    origin: 'evaluate',
    plan: { approval: { approvalId: 'apr-0123456789abcdef01234567', expiresAt: T0 } },
  } as unknown as ApprovalWorkflowInput;

  it('starts one execution named after the approval id, with the plan as its input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${arn}:x`, startDate: new Date(T0) });
    await workflow().request(input);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: arn,
      name: 'apr-0123456789abcdef01234567',
      input: JSON.stringify(input),
    });
  });

  it('takes ExecutionAlreadyExists (a start whose answer was lost, tried again) as started', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    await expect(workflow().request(input)).resolves.toBeUndefined();
  });

  it('lets other errors through, so the run says ActionFailed', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(workflow().request(input)).rejects.toThrow('Rate exceeded');
  });
});
