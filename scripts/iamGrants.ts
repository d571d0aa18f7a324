/**
 * What a SAM template grants each function and state machine: inline policy statements, expanded
 * SAM policy templates, policies attached to a custom or generated role, and the permissions SAM
 * itself adds for the resource's configuration (event sources, dead-letter queues, tracing...).
 */
import { readFileSync } from 'node:fs';
import {
  asList,
  isRecord,
  type SamTemplate,
  type TemplateResource,
  type TemplateValue,
} from './iamTemplate.js';

export interface GrantStatement {
  /** Where the statement comes from, e.g. `Policies[2] SQSSendMessagePolicy`. */
  origin: string;
  actions: string[];
  resources: TemplateValue[];
  condition?: Record<string, TemplateValue>;
}

/** An action the platform needs for this resource's configuration; the code never calls it. */
export interface PlatformAction {
  action: string;
  why: string;
  /** SAM adds this grant itself (a managed policy or generated statement); the author need not write it. */
  addedBySam: boolean;
}

interface PolicyTemplates {
  Templates: Record<
    string,
    { Definition: { Statement: TemplateValue[] }; Parameters: Record<string, unknown> }
  >;
}

export function loadPolicyTemplates(path: string): PolicyTemplates {
  return JSON.parse(readFileSync(path, 'utf8')) as PolicyTemplates;
}

/** Replaces `{Ref: Param}` in a SAM policy template definition with the value the template gives. */
function fillParameters(value: TemplateValue, given: Record<string, TemplateValue>): TemplateValue {
  if (Array.isArray(value)) return value.map((item) => fillParameters(item, given));
  if (!isRecord(value)) return value;
  const ref = value.Ref;
  if (typeof ref === 'string' && Object.keys(value).length === 1 && ref in given) return given[ref] ?? null;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillParameters(item, given)]));
}

/** `!If [cond, a, b]` grants either branch, so both count; `AWS::NoValue` grants nothing. */
function branches(value: TemplateValue): TemplateValue[] {
  if (isRecord(value) && Array.isArray(value['Fn::If'])) {
    const [, whenTrue, whenFalse] = value['Fn::If'];
    return [whenTrue, whenFalse].flatMap((branch) => (branch === undefined ? [] : branches(branch)));
  }
  if (isRecord(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

function statementsOf(document: TemplateValue, origin: string): GrantStatement[] {
  if (!isRecord(document)) throw new Error(`${origin}: policy document is not an object`);
  return asList(document.Statement)
    .flatMap(branches)
    .flatMap((statement, index): GrantStatement[] => {
      if (!isRecord(statement)) throw new Error(`${origin} Statement[${index}]: not an object`);
      if (statement.Effect !== 'Allow') return [];
      if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
        throw new Error(`${origin} Statement[${index}]: NotAction/NotResource grants more than it names`);
      }
      const actions = asList(statement.Action).flatMap(branches);
      const literal = actions.filter((a): a is string => typeof a === 'string');
      if (literal.length !== actions.length) {
        throw new Error(`${origin} Statement[${index}]: Action must be literal strings`);
      }
      const grant: GrantStatement = {
        origin: `${origin} Statement[${index}]`,
        actions: literal,
        resources: asList(statement.Resource),
      };
      if (isRecord(statement.Condition)) grant.condition = statement.Condition;
      return [grant];
    });
}

/** Statements of a resource's `Policies` property (SAM Function or StateMachine). */
export function policiesStatements(
  policies: TemplateValue | undefined,
  templates: PolicyTemplates,
  owner: string,
): GrantStatement[] {
  return asList(policies)
    .flatMap(branches)
    .flatMap((policy, index) => {
      const origin = `${owner} Policies[${index}]`;
      if (typeof policy === 'string') {
        throw new Error(
          `${origin}: managed policy ${policy} cannot be checked against the code; write statements`,
        );
      }
      if (!isRecord(policy)) throw new Error(`${origin}: not a policy`);
      if ('Statement' in policy) return statementsOf(policy, origin);
      const names = Object.keys(policy);
      const [name] = names;
      const template = name === undefined ? undefined : templates.Templates[name];
      if (name === undefined || names.length !== 1 || template === undefined) {
        throw new Error(`${origin}: ${names.join(',') || '(empty)'} is not a SAM policy template`);
      }
      const given = policy[name];
      const parameters = isRecord(given) ? given : {};
      const missing = Object.keys(template.Parameters).filter((p) => !(p in parameters));
      if (missing.length > 0)
        throw new Error(`${origin} ${name}: missing parameter(s) ${missing.join(', ')}`);
      return statementsOf(fillParameters(template.Definition, parameters), `${origin} ${name}`);
    });
}

function refersTo(value: TemplateValue | undefined, logicalId: string): boolean {
  if (isRecord(value)) {
    if (value.Ref === logicalId) return true;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === logicalId) return true;
  }
  return false;
}

/** Statements from AWS::IAM::Role/Policy resources that attach to the resource's role. */
function roleStatements(
  template: SamTemplate,
  logicalId: string,
  resource: TemplateResource,
): GrantStatement[] {
  const roleProperty = resource.Properties?.Role;
  // SAM names the role it generates `<LogicalId>Role`; a custom Role points at an AWS::IAM::Role.
  const roleIds = new Set([`${logicalId}Role`]);
  for (const [id, candidate] of Object.entries(template.Resources)) {
    if (candidate.Type === 'AWS::IAM::Role' && refersTo(roleProperty, id)) roleIds.add(id);
  }
  const statements: GrantStatement[] = [];
  for (const [id, candidate] of Object.entries(template.Resources)) {
    const properties = candidate.Properties ?? {};
    if (candidate.Type === 'AWS::IAM::Role' && roleIds.has(id)) {
      if (asList(properties.ManagedPolicyArns).length > 0) {
        throw new Error(`${id}: ManagedPolicyArns cannot be checked against the code; write statements`);
      }
      asList(properties.Policies).forEach((policy, index) => {
        if (isRecord(policy))
          statements.push(...statementsOf(policy.PolicyDocument ?? null, `${id} Policies[${index}]`));
      });
    }
    if (candidate.Type === 'AWS::IAM::Policy' || candidate.Type === 'AWS::IAM::ManagedPolicy') {
      if (asList(properties.Roles).some((role) => [...roleIds].some((roleId) => refersTo(role, roleId)))) {
        statements.push(...statementsOf(properties.PolicyDocument ?? null, id));
      }
    }
  }
  if (roleProperty !== undefined && roleIds.size === 1) {
    throw new Error(
      `${logicalId}: Role is not an AWS::IAM::Role of this template, so its grants cannot be read`,
    );
  }
  return statements;
}

export function grantStatements(
  template: SamTemplate,
  logicalId: string,
  templates: PolicyTemplates,
): GrantStatement[] {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`${logicalId}: no such resource`);
  return [
    ...policiesStatements(resource.Properties?.Policies, templates, logicalId),
    ...roleStatements(template, logicalId, resource),
  ];
}

const SQS_POLLING = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
const STREAM_POLLING: Record<string, string[]> = {
  DynamoDB: [
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
  ],
  Kinesis: [
    'kinesis:DescribeStream',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:ListStreams',
    'kinesis:SubscribeToShard',
  ],
};
const DESTINATION_ACTION: Record<string, string> = {
  SQS: 'sqs:SendMessage',
  SNS: 'sns:Publish',
  EventBridge: 'events:PutEvents',
  Lambda: 'lambda:InvokeFunction',
};
const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];
const VPC = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];
/** CloudWatch Logs vended delivery, which Step Functions logging needs (Step Functions developer guide). */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

function property(
  template: SamTemplate,
  resource: TemplateResource,
  kind: 'Function' | 'StateMachine',
  name: string,
): TemplateValue | undefined {
  return resource.Properties?.[name] ?? template.Globals?.[kind]?.[name];
}

function hasKmsEncryptedQueue(template: SamTemplate): boolean {
  return Object.values(template.Resources).some(
    (r) => r.Type === 'AWS::SQS::Queue' && r.Properties?.KmsMasterKeyId !== undefined,
  );
}

/**
 * Actions the Lambda or Step Functions service performs with the resource's role, by configuration.
 * `calls` are the actions derived from the code: sending to a KMS-encrypted queue also needs the key.
 */
export function platformActions(
  template: SamTemplate,
  logicalId: string,
  calls: readonly string[] = [],
): PlatformAction[] {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`${logicalId}: no such resource`);
  const out: PlatformAction[] = [];
  const add = (actions: readonly string[], why: string, addedBySam: boolean): void => {
    for (const action of actions) out.push({ action, why, addedBySam });
  };
  if (resource.Type === 'AWS::Serverless::Function') {
    add(LOGS, 'logs: the runtime writes the function log (AWSLambdaBasicExecutionRole)', true);
    if (property(template, resource, 'Function', 'Tracing') === 'Active') {
      add(XRAY, 'X-Ray: Tracing Active sends traces (AWSXrayWriteOnlyAccess)', true);
    }
    if (property(template, resource, 'Function', 'VpcConfig') !== undefined) {
      add(VPC, 'VPC: Lambda attaches network interfaces (AWSLambdaVPCAccessExecutionRole)', true);
    }
    const events = resource.Properties?.Events;
    for (const [name, event] of Object.entries(isRecord(events) ? events : {})) {
      if (!isRecord(event)) continue;
      if (event.Type === 'SQS')
        add(SQS_POLLING, `SQS event ${name}: Lambda polls the queue (AWSLambdaSQSQueueExecutionRole)`, true);
      const stream = typeof event.Type === 'string' ? STREAM_POLLING[event.Type] : undefined;
      if (stream) add(stream, `${String(event.Type)} event ${name}: Lambda reads the stream`, true);
    }
    const dlq = property(template, resource, 'Function', 'DeadLetterQueue');
    if (isRecord(dlq) && typeof dlq.Type === 'string' && DESTINATION_ACTION[dlq.Type]) {
      add([DESTINATION_ACTION[dlq.Type] ?? ''], 'DeadLetterQueue: Lambda sends failed async events', true);
    }
    const invoke = property(template, resource, 'Function', 'EventInvokeConfig');
    const destinations =
      isRecord(invoke) && isRecord(invoke.DestinationConfig) ? invoke.DestinationConfig : {};
    for (const [when, destination] of Object.entries(destinations)) {
      if (
        isRecord(destination) &&
        typeof destination.Type === 'string' &&
        DESTINATION_ACTION[destination.Type]
      ) {
        add(
          [DESTINATION_ACTION[destination.Type] ?? ''],
          `EventInvokeConfig ${when}: Lambda sends the result`,
          true,
        );
      }
    }
  }
  const sendsToQueue = calls.some((c) => c.toLowerCase() === 'sqs:sendmessage');
  const pollsQueue = out.some((p) => p.action === 'sqs:ReceiveMessage');
  if ((sendsToQueue || pollsQueue) && hasKmsEncryptedQueue(template)) {
    add(
      sendsToQueue ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt'],
      'KMS: queues encrypted with a KMS key need the key to send and receive (the author writes these)',
      false,
    );
  }
  if (resource.Type === 'AWS::Serverless::StateMachine') {
    if (property(template, resource, 'StateMachine', 'Logging') !== undefined) {
      add(LOG_DELIVERY, 'log delivery: Step Functions Logging (the author writes these)', false);
    }
    const tracing = property(template, resource, 'StateMachine', 'Tracing');
    if (isRecord(tracing) && tracing.Enabled === true) {
      add(XRAY.slice(0, 4), 'X-Ray: Step Functions Tracing', false);
    }
  }
  return out;
}
