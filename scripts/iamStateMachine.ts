/**
 * The AWS calls a state machine makes, derived from its ASL: every Task state's Resource names a
 * service integration (optimised or AWS SDK) or a Lambda function, and each maps to an IAM action.
 */
import { upperFirst } from './iamCodeCalls.js';

export interface AslCall {
  action: string;
  /** The state whose Resource makes the call. */
  state: string;
  resource: string;
}

/** AWS SDK integration service names that differ from the IAM prefix. */
const SDK_SERVICE_PREFIX: Readonly<Record<string, string>> = {
  sfn: 'states',
  eventbridge: 'events',
  cloudwatchlogs: 'logs',
  applicationautoscaling: 'application-autoscaling',
};

/** Optimised integrations: `arn:aws:states:::<service>:<api>` → IAM action (Step Functions docs). */
const OPTIMISED: Readonly<Record<string, string>> = {
  'lambda:invoke': 'lambda:InvokeFunction',
  'sqs:sendMessage': 'sqs:SendMessage',
  'sns:publish': 'sns:Publish',
  'events:putEvents': 'events:PutEvents',
  'dynamodb:getItem': 'dynamodb:GetItem',
  'dynamodb:putItem': 'dynamodb:PutItem',
  'dynamodb:updateItem': 'dynamodb:UpdateItem',
  'dynamodb:deleteItem': 'dynamodb:DeleteItem',
  'states:startExecution': 'states:StartExecution',
};

/** `.sync` on a nested execution also polls and may stop it, and listens for its end on EventBridge. */
const SYNC_EXTRA: Readonly<Record<string, readonly string[]>> = {
  'states:startExecution': [
    'states:DescribeExecution',
    'states:StopExecution',
    'events:PutTargets',
    'events:PutRule',
    'events:DescribeRule',
  ],
};

/**
 * Actions for one Task Resource. `substitutions` maps `${Name}` placeholders to what they point at:
 * a placeholder that names a Lambda function ARN makes the Task a Lambda invoke.
 */
export function actionsOfTaskResource(
  resource: string,
  isFunctionPlaceholder: (name: string) => boolean,
): string[] {
  const placeholder = /^\$\{([^}]+)\}$/.exec(resource);
  if (placeholder?.[1] !== undefined) {
    if (isFunctionPlaceholder(placeholder[1])) return ['lambda:InvokeFunction'];
    throw new Error(`Task Resource ${resource}: the placeholder does not name a Lambda function's ARN`);
  }
  if (/^arn:[^:]+:lambda:/.test(resource)) return ['lambda:InvokeFunction'];
  if (/^arn:[^:]+:states:[^:]*:[^:]*:activity:/.test(resource)) return [];
  const integration = /^arn:[^:]+:states:::(.+)$/.exec(resource)?.[1];
  if (integration === undefined) throw new Error(`Task Resource ${resource}: not a service integration ARN`);
  const [base = '', pattern] = integration.split('.', 2) as [string, string | undefined];
  const sdk = /^aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(base);
  if (sdk?.[1] !== undefined && sdk[2] !== undefined) {
    return [`${SDK_SERVICE_PREFIX[sdk[1]] ?? sdk[1]}:${upperFirst(sdk[2])}`];
  }
  const action = OPTIMISED[base];
  if (action === undefined)
    throw new Error(`Task Resource ${resource}: integration ${base} is not in OPTIMISED; add it`);
  return pattern === 'sync' ? [action, ...(SYNC_EXTRA[base] ?? [])] : [action];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks States, Parallel Branches and Map ItemProcessor/Iterator, returning every Task's calls. */
export function deriveAslCalls(
  definition: Json,
  isFunctionPlaceholder: (name: string) => boolean,
): AslCall[] {
  const calls: AslCall[] = [];
  const walk = (machine: Json | undefined): void => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Task') {
        if (typeof state.Resource !== 'string')
          throw new Error(`state ${name}: Task without a string Resource`);
        for (const action of actionsOfTaskResource(state.Resource, isFunctionPlaceholder)) {
          calls.push({ action, state: name, resource: state.Resource });
        }
      }
      if (Array.isArray(state.Branches)) state.Branches.forEach(walk);
      walk(state.ItemProcessor);
      walk(state.Iterator);
    }
  };
  walk(definition);
  return calls;
}
