/**
 * One approval through the whole chain, with the real code at every step: evaluateServices decides
 * a large scale-in → the Step Functions adapter starts the remediation workflow (the real
 * remediate.asl.json, run by aws-local-stepfunctions behind a mocked SFN client) → RequestApproval
 * puts ApprovalRequested with its task token on the bus → the real notifier handler stores it
 * (dynalite) and posts to Slack (a real HTTP server on 127.0.0.1) → a person clicks: the real
 * interactions handler gets the signed request → SendTaskSuccess / SendTaskFailure answers the
 * token → ClaimAction (the guardrails again) → the scale step changes the group → Record settles the approval.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoApprovalOutcomes,
  StepFunctionsApprovalWorkflow,
  evaluateServices,
  slackSignature,
  type AdvisorEvent,
  type FleetCapacity,
  type FleetControl,
} from '@headroom/core';
import { claimStep, scaleStep } from '@headroom/core/remediation/atAction';
import { recordStep } from '@headroom/core/remediation/record';
import { runRemediationLocally, type LocalRunResult } from '@headroom/lab/remediation/localRun';
import { FakeStore } from '../remediation/fakes.js';
import { aService } from '../unit/fixtures.js';
import { busEvent, clickPayload, startFakeSlack, type FakeSlack } from './fixtures.js';
import {
  IDEMPOTENCY_TABLE,
  STATE_TABLE as TABLE,
  startDynalite,
  type LocalDynamo,
} from '../support/dynalite.js';

const WEBHOOK_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:headroom/slack-webhook-AbCdEf';
const SIGNING_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:headroom/slack-signing-GhIjKl';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate';
const ANA = 'U024BE7LH';
const secrets = mockClient(SecretsManagerClient);
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
let slack: FakeSlack;
let notify: (event: unknown, context: Context) => Promise<void>;
let interact: (event: LambdaFunctionURLEvent) => Promise<APIGatewayProxyStructuredResultV2>;
let channel = 0;

const lambdaContext = {
  functionName: 'headroom-notifier',
  awsRequestId: 'req-chain',
  getRemainingTimeInMillis: () => 20_000,
} as unknown as Context;

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await startFakeSlack(() => ({ status: 200 }));
  Object.assign(process.env, {
    SLACK_WEBHOOK_SECRET_ARN: WEBHOOK_ARN,
    SLACK_SIGNING_SECRET_ARN: SIGNING_ARN,
    STATE_TABLE: TABLE,
    IDEMPOTENCY_TABLE,
    ALLOWED_SLACK_USER_IDS: ANA,
    SLACK_RESPONSE_URL_PREFIX: new URL('/actions/', slack.url).toString(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  const notifier = await import('../../functions/notifier/handler.js');
  notify = async (event, ctx) => void (await notifier.handler(event as never, ctx));
  const interactions = await import('../../functions/interactions/handler.js');
  interact = (event) =>
    interactions.handler(event, {} as never) as Promise<APIGatewayProxyStructuredResultV2>;
});

afterAll(async () => {
  secrets.restore();
  sfn.restore();
  await slack.close();
  await dynamo.close();
});

/** An account with one group, `web-asg`, at 10 instances, and Step Functions running the workflow. */
function account() {
  channel += 1;
  clearCaches();
  secrets.reset();
  sfn.reset();
  slack.received.length = 0;
  secrets
    .on(GetSecretValueCommand, { SecretId: WEBHOOK_ARN })
    .resolves({ SecretString: JSON.stringify({ url: slack.url, channel: `#chain-${channel}` }) });
  secrets.on(GetSecretValueCommand, { SecretId: SIGNING_ARN }).resolves({ SecretString: SIGNING_SECRET });
  const service = { ...aService({ 'headroom:mode': 'apply' }), autoScalingGroupName: 'web-asg' };
  const group: FleetCapacity = {
    groupName: 'web-asg',
    desired: 10,
    inService: 10,
    warmingUp: 0,
    min: 1,
    max: 50,
  };
  const fleet: FleetControl & { sets: number[] } = {
    sets: [],
    discover: async () => [service],
    describe: async (names) => new Map(names.filter((n) => n === 'web-asg').map((n) => [n, { ...group }])),
    setDesiredCapacity: async (_name, desired) => {
      fleet.sets.push(desired);
      group.desired = desired;
      group.inService = desired;
    },
  };
  const store = new FakeStore();
  const now = Date.now();
  const clock = { now: () => now };
  const notified: string[] = [];
  const notifierFailures: unknown[] = [];
  // The advisor bus: every event goes to the notifier, as the rule routes it.
  const bus = async (event: AdvisorEvent) => {
    try {
      await notify(busEvent(event), lambdaContext);
      notified.push(event.type);
    } catch (error) {
      notifierFailures.push(error);
    }
  };
  // Step Functions: StartExecution runs the real definition; the task token waits for an answer.
  const executions: Promise<LocalRunResult>[] = [];
  const waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let posted!: () => void;
  const approvalPosted = new Promise<void>((resolve) => (posted = resolve));
  const answer = (
    token: string | undefined,
    settle: (w: NonNullable<ReturnType<typeof waiting.get>>) => void,
  ) => {
    const waiter = waiting.get(token ?? '');
    if (!waiter) throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
    waiting.delete(token ?? '');
    settle(waiter);
    return {};
  };
  sfn.on(SendTaskHeartbeatCommand).resolves({});
  sfn
    .on(SendTaskSuccessCommand)
    .callsFake(({ taskToken, output }) => answer(taskToken, (w) => w.resolve(JSON.parse(output))));
  sfn
    .on(SendTaskFailureCommand)
    .callsFake(({ taskToken, error, cause }) =>
      answer(taskToken, (w) => w.reject(Object.assign(new Error(cause), { name: error }))),
    );
  sfn.on(StartExecutionCommand).callsFake(({ name, input }) => {
    const execution = runRemediationLocally(
      JSON.parse(input),
      {
        loadContext: async () => Promise.reject(new Error('an evaluate-flow approval has no alarm')),
        diagnose: async (state) => state,
        guardrails: async (state) => state,
        claim: (state) => claimStep(state, { fleet, state: store }, { now: clock.now() }),
        scale: (scale) => scaleStep(scale, { fleet, killSwitch: store }, clock.now()),
        sendChange: async () => Promise.reject(new Error('no change queue here')),
        requestApproval: (detail) =>
          new Promise((resolve, reject) => {
            waiting.set(String(detail['taskToken']), { resolve, reject });
            const { serviceId, at, ...rest } = detail as { serviceId: string; at: number };
            void bus({ type: 'ApprovalRequested', serviceId, at, detail: rest }).then(posted);
          }),
        publish: async (type, detail) => {
          const { serviceId, at, ...rest } = detail as { serviceId: string; at: number };
          await bus({ type: type as AdvisorEvent['type'], serviceId, at, detail: rest });
        },
        record: (state) =>
          recordStep(
            state,
            store,
            clock.now(),
            new DynamoApprovalOutcomes(dynamo.client, { tableName: TABLE }),
          ),
        keepInDeadLetter: async () => undefined,
      },
      { noRetryPause: true, executionId: name },
    );
    executions.push(execution);
    return {
      executionArn: `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      startDate: new Date(),
    };
  });
  const deps = {
    clock,
    fleet,
    state: store,
    metrics: {
      readKpis: async () =>
        new Map([
          [
            'web',
            {
              serviceId: 'web',
              samples: [{ at: now - 60_000, p99LatencyMs: 200, errorRatePct: 0, cpuPct: 14 }],
            },
          ],
        ]),
    },
    events: { publish: async (events: readonly AdvisorEvent[]) => void (await Promise.all(events.map(bus))) },
    approvals: new StepFunctionsApprovalWorkflow(new SFNClient({ region: 'eu-west-1' }), {
      stateMachineArn: MACHINE_ARN,
    }),
  };
  return { fleet, store, deps, executions, approvalPosted, notified, notifierFailures };
}

/** The Approve or Reject button of the approval message Slack received. */
function buttonOf(actionId: string): { value: string; blocks: unknown[] } {
  for (const request of slack.received) {
    const body = JSON.parse(request.body) as {
      blocks?: { type: string; elements?: { action_id?: string; value?: string }[] }[];
    };
    for (const block of body.blocks ?? []) {
      const button = block.elements?.find((e) => e.action_id === actionId);
      if (button?.value) return { value: button.value, blocks: body.blocks ?? [] };
    }
  }
  throw new Error(`Slack received no ${actionId} button`);
}

/** The click as Slack sends it to the Function URL, signed with the signing secret. */
function signedClick(actionId: string, value: string, blocks: unknown[]): LambdaFunctionURLEvent {
  const body = new URLSearchParams({
    payload: JSON.stringify(
      clickPayload({
        user: { id: ANA, username: 'ana' },
        actions: [{ action_id: actionId, block_id: `headroom-approval:${value}`, value, type: 'button' }],
        response_url: new URL('/actions/T0/1/redraw', slack.url).toString(),
        message: { blocks },
      }),
    ),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    version: '2.0',
    rawPath: '/',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
    },
    requestContext: { http: { method: 'POST', path: '/', sourceIp: '3.3.3.3' } },
    body,
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEvent;
}

async function approvalItem(approvalId: string) {
  const { Item } = await dynamo.client.send(
    new GetItemCommand({ TableName: TABLE, Key: marshall({ pk: `approval#${approvalId}`, sk: 'approval' }) }),
  );
  return Item && unmarshall(Item);
}

beforeEach(() => {
  jest.restoreAllMocks();
});

describe('an approval from the evaluate flow, end to end', () => {
  it('reaches Slack with working buttons; Approve answers the workflow, which claims the action (guardrails again) and scales the group', async () => {
    const w = account();
    const report = await evaluateServices(w.deps, { windowMinutes: 15, dailyActionBudget: 20 });
    const decided = report.services[0]?.record;
    expect(decided?.outcome).toBe('approval-required');
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.stateMachineArn).toBe(MACHINE_ARN);

    await w.approvalPosted;
    expect(w.notifierFailures).toEqual([]);
    const approve = buttonOf('headroom.approve');
    expect(approve.value).toBe(start?.name);
    expect(await approvalItem(approve.value)).toMatchObject({ status: 'pending', serviceId: 'web' });
    expect(w.fleet.sets).toEqual([]);

    const response = await interact(signedClick('headroom.approve', approve.value, approve.blocks));
    expect(response.statusCode).toBe(200);
    const result = await w.executions[0]!;
    expect(result.status).toBe('succeeded');
    expect(result.path).toEqual(
      expect.arrayContaining(['RequestApproval', 'ClaimAction', 'ApplyActions', 'Record']),
    );
    expect(w.fleet.sets).toEqual([decided?.decision.desiredCapacity]);
    expect(w.store.records.map((r) => r.outcome)).toEqual(['approval-required', 'applied']);
    expect(w.notified).toEqual(['ApprovalRequested', 'ActionApplied']);
    expect(await approvalItem(approve.value)).toMatchObject({ status: 'approved', answeredBy: ANA });
    expect((await approvalItem(approve.value))?.toldAt).toEqual(expect.any(Number));
    // Slack got the request, the redraw of the clicked message, and the Applied message.
    expect(slack.received.map((r) => new URL(r.path, slack.url).pathname.split('/')[1])).toEqual([
      'services',
      'actions',
      'services',
    ]);
  });

  it('Reject is recorded: nothing changes and the approval says rejected', async () => {
    const w = account();
    await evaluateServices(w.deps, { windowMinutes: 15, dailyActionBudget: 20 });
    await w.approvalPosted;
    const reject = buttonOf('headroom.reject');
    expect((await interact(signedClick('headroom.reject', reject.value, reject.blocks))).statusCode).toBe(
      200,
    );
    const result = await w.executions[0]!;
    expect(result.path).toContain('Rejected');
    expect(w.fleet.sets).toEqual([]);
    expect(w.store.records.map((r) => [r.outcome, r.guardrails.at(-1)])).toEqual([
      ['approval-required', 'approval'],
      ['blocked', 'approval/rejected'],
    ]);
    expect((await approvalItem(reject.value))?.status).toBe('rejected');
  });

  it('an approval given after the kill switch went on changes nothing', async () => {
    const w = account();
    await evaluateServices(w.deps, { windowMinutes: 15, dailyActionBudget: 20 });
    await w.approvalPosted;
    w.store.killSwitch = true;
    const approve = buttonOf('headroom.approve');
    await interact(signedClick('headroom.approve', approve.value, approve.blocks));
    const result = await w.executions[0]!;
    expect(result.path).toEqual(expect.arrayContaining(['ClaimAction', 'ActIfClaimed', 'Advised']));
    expect(result.path).not.toContain('ApplyActions');
    expect(w.fleet.sets).toEqual([]);
    expect(w.store.records.at(-1)?.guardrails).toContain('kill-switch');
    // Step Functions was told "approved"; the approval says so, and the record says why nothing happened.
    expect((await approvalItem(approve.value))?.status).toBe('approved');
  });
});
