/**
 * Runs the real remediation definition (statemachines/remediate.asl.json) on this machine with
 * aws-local-stepfunctions, every Task bound to a local function. Used by the simulation and the
 * tests; not part of the Lambda layer.
 */
import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { DecisionRecord } from '@headroom/core/model/decision.js';
import type { ResourceChange } from '@headroom/core/remediation/changes.js';
import type { FleetScale } from '@headroom/core/remediation/plan.js';
import type { RemediationContext, RemediationState } from '@headroom/core/remediation/workflow.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DEFINITION_URL = new URL('../../statemachines/remediate.asl.json', import.meta.url);

/** Values SAM's DefinitionSubstitutions put in; locally any well-formed ARN or URL does. */
export const LOCAL_SUBSTITUTIONS: Readonly<Record<string, string>> = {
  RemediateContextFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remediate-context',
  RemediateDiagnoseFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remediate-diagnose',
  RemediateGuardrailsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remediate-guardrails',
  RemediateClaimFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remediate-claim',
  RemediateScaleFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remediate-scale',
  RemediateRecordFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:remediate-record',
  AdvisorBusName: 'headroom-advisor',
  ChangeQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-changes.fifo',
  RemediationDeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-remediation-dlq',
};

/** The definition text with `${Name}` replaced, as CloudFormation does; an unknown name is an error. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`remediate.asl.json: no substitution for \${${name}}`);
    return value;
  });
}

export function loadRemediationDefinition(values = LOCAL_SUBSTITUTIONS): StateMachineDefinition {
  return JSON.parse(substitute(readFileSync(DEFINITION_URL, 'utf8'), values)) as StateMachineDefinition;
}

export function rawRemediationDefinition(): string {
  return readFileSync(DEFINITION_URL, 'utf8');
}

let machine: StateMachine | undefined;

/** Validating the definition takes longer than running it; one machine serves every execution. */
function remediationMachine(): StateMachine {
  machine ??= new StateMachine(loadRemediationDefinition());
  return machine;
}

/** What each Task state does locally. Throwing an Error whose `name` is an AWS error name exercises Retry/Catch. */
export interface RemediationBindings {
  loadContext(event: unknown): Promise<RemediationContext>;
  diagnose(state: RemediationState): Promise<RemediationState>;
  guardrails(state: RemediationState): Promise<RemediationState>;
  /** ClaimAction: the guardrails again right before acting, and the action claimed. */
  claim(state: RemediationState): Promise<RemediationState>;
  scale(scale: FleetScale): Promise<unknown>;
  /** The SQS SendMessage request the workflow makes; resolves with the message id. */
  sendChange(message: ChangeMessage): Promise<string>;
  /** Resolves with the approver's answer; throws (e.g. `States.Timeout`) when there is none. */
  requestApproval(detail: Record<string, unknown>): Promise<unknown>;
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
  record(state: RemediationState): Promise<DecisionRecord>;
  keepInDeadLetter(body: unknown): Promise<void>;
}

export interface LocalRunResult {
  status: 'succeeded' | 'failed';
  /** The final state; for a failed execution, the input of the state it failed in. */
  output?: RemediationState & { record?: { record: DecisionRecord }; applied?: unknown };
  error?: string;
  /** States entered, in order (Map iterations and Parallel branches included). */
  path: string[];
  retries: string[];
}

interface InvokeInput {
  Payload: unknown;
}
interface PutEventsInput {
  Entries: { DetailType: string; Detail: Record<string, unknown> }[];
}
interface SendMessageInput {
  MessageBody: unknown;
}

export interface ChangeMessage {
  QueueUrl: string;
  MessageBody: ResourceChange;
  MessageGroupId: string;
  MessageDeduplicationId: string;
}

const invoke =
  <T>(fn: (payload: never) => Promise<T>) =>
  async (input: Json): Promise<Json> => ({
    Payload: (await fn((input as unknown as InvokeInput).Payload as never)) as Json,
    StatusCode: 200,
  });

/** Runs one execution; `noRetryPause` replaces Retry back-off pauses with none (the tests must not wait). */
export async function runRemediationLocally(
  event: unknown,
  bindings: RemediationBindings,
  options: { noRetryPause?: boolean; executionId?: string } = {},
): Promise<LocalRunResult> {
  const machine = remediationMachine();
  const entry = (input: Json) =>
    (input as unknown as PutEventsInput).Entries[0] ?? { DetailType: '', Detail: {} };
  const retried = [
    'LoadContext',
    'Diagnose',
    'Guardrails',
    'ClaimAction',
    'RequestApproval',
    'SetDesiredCapacity',
    'SendChange',
    'Notify',
    'NotifyFailure',
    'Record',
    'KeepRejectedAlarm',
    'KeepUnrecorded',
  ];
  const execution = machine.run(event as Json, {
    context: {
      Execution: {
        Id: options.executionId ?? 'local-execution',
        Input: event as Json,
        StartTime: new Date(0).toISOString(),
      },
      Task: { Token: 'local-task-token' },
    },
    overrides: {
      taskResourceLocalHandlers: {
        LoadContext: invoke((payload: { event: unknown }) => bindings.loadContext(payload.event)),
        Diagnose: invoke(bindings.diagnose),
        Guardrails: invoke(bindings.guardrails),
        ClaimAction: invoke(bindings.claim),
        SetDesiredCapacity: invoke(bindings.scale),
        Record: invoke(bindings.record),
        SendChange: async (input) => ({
          MessageId: await bindings.sendChange(input as unknown as ChangeMessage),
        }),
        RequestApproval: async (input) => (await bindings.requestApproval(entry(input).Detail)) as Json,
        Notify: async (input) => publishEntry(bindings, entry(input)),
        NotifyFailure: async (input) => publishEntry(bindings, entry(input)),
        KeepRejectedAlarm: async (input) => keep(bindings, input),
        KeepUnrecorded: async (input) => keep(bindings, input),
      },
      ...(options.noRetryPause
        ? { retryIntervalOverrides: Object.fromEntries(retried.map((name) => [name, 0])) }
        : {}),
    },
  });
  const path: string[] = [];
  const retries: string[] = [];
  // A failed execution has no output; the input of the state it failed in tells what happened.
  let lastState: unknown;
  const logs = (async () => {
    for await (const log of execution.eventLogs) {
      if (log.type === 'StateEntered') {
        path.push(log.state.name);
        lastState = log.state.input;
      }
      if (log.type === 'StateRetried') retries.push(log.state.name);
    }
  })();
  try {
    const output = (await execution.result) as unknown as LocalRunResult['output'];
    await logs;
    return output === undefined
      ? { status: 'succeeded', path, retries }
      : { status: 'succeeded', output, path, retries };
  } catch (error) {
    await logs.catch(() => undefined);
    const failed: LocalRunResult = {
      status: 'failed',
      error: error instanceof Error ? error.message : String(error),
      path,
      retries,
    };
    return lastState === undefined ? failed : { ...failed, output: lastState as LocalRunResult['output'] };
  }
}

async function publishEntry(
  bindings: RemediationBindings,
  entry: { DetailType: string; Detail: Record<string, unknown> },
): Promise<Json> {
  await bindings.publish(entry.DetailType, entry.Detail);
  return { FailedEntryCount: 0, Entries: [{ EventId: 'local' }] };
}

async function keep(bindings: RemediationBindings, input: Json): Promise<Json> {
  await bindings.keepInDeadLetter((input as unknown as SendMessageInput).MessageBody);
  return { MessageId: 'local-dlq' };
}
