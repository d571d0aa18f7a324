/**
 * Issue 13's escalation paths, tried against template.yaml's policies as written (resolved for a
 * deployment with Slack and a CDN distribution configured, so that every function exists), with
 * the evaluator of scripts/iamEvaluate.ts. Each row is a sequence an attacker holding one
 * function's role would try; every step must be denied for every function, except where a
 * function holds the grant by design (named, with the reason and the test that covers the code).
 * The bus rows add the advisor bus's resource policy and a CI role allowed events:PutEvents on *.
 */
import { describe, expect, it } from '@jest/globals';
import { evaluate, type IamRequest, type IamStatement } from '../../scripts/iamEvaluate.js';
import {
  identityPolicies,
  Resolver,
  resolvedStatements,
  roleArn,
  type Deployment,
} from '../../scripts/iamResolve.js';
import { loadTemplate } from './template.js';

const D: Deployment = {
  stackName: 'headroom',
  region: 'eu-west-1',
  accountId: '123456789012',
  partition: 'aws',
  parameters: {
    SlackWebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf',
    SlackSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-AbCdEf',
    CdnDistributionId: 'E1CONFIGURED',
    CdnOriginBucket: 'origin',
  },
};
const template = loadTemplate();
const policies = identityPolicies(template, D);
const resolver = new Resolver(template, D);
const busDocument = template.Resources.AdvisorEventBus?.Properties?.Policy;
const busPolicy =
  busDocument === undefined ? [] : resolvedStatements(resolver, busDocument, 'AdvisorEventBus Policy');
const arn = (service: string, rest: string) => `arn:aws:${service}:eu-west-1:123456789012:${rest}`;
const STATE = arn('dynamodb', 'table/headroom-StateTable-1ABC');
const REMEDIATION = arn('dynamodb', 'table/headroom-RemediationTable-1ABC');
const BUS = arn('events', 'event-bus/headroom-advisor');
const db = (id: string) => arn('rds', `db:${id}`);
const cache = (id: string) => arn('elasticache', `replicationgroup:${id}`);
const distribution = (id: string) => `arn:aws:cloudfront::123456789012:distribution/${id}`;
const CI_ROLE = 'arn:aws:iam::123456789012:role/ci-deployer';
const CI_POLICY: IamStatement[] = [{ effect: 'Allow', actions: ['events:PutEvents'], resources: ['*'] }];

interface Path {
  path: string;
  steps: IamRequest[];
  /** Functions that hold some steps' grants by design: which steps, and why that is safe. */
  byDesign?: Record<string, { steps: number[]; why: string }>;
}

const put = (table: string, action: string, ...keys: string[]): IamRequest => ({
  action: `dynamodb:${action}`,
  resource: table,
  context: { 'dynamodb:LeadingKeys': keys },
});

const PATHS: Path[] = [
  {
    path: 'tag prod-primary as Headroom’s, then delete it',
    steps: [
      {
        action: 'rds:AddTagsToResource',
        resource: db('prod-primary'),
        context: { 'aws:RequestTag/headroom:created-by': 'headroom', 'aws:TagKeys': ['headroom:created-by'] },
      },
      {
        action: 'rds:DeleteDBInstance',
        resource: db('prod-primary'),
        context: {
          'aws:ResourceTag/headroom:created-by': 'headroom',
          'rds:db-tag/headroom:created-by': 'headroom',
        },
      },
    ],
  },
  {
    path: 'delete a database, or a replica Headroom did not create',
    steps: [
      { action: 'rds:DeleteDBInstance', resource: db('prod-primary') },
      { action: 'rds:DeleteDBInstance', resource: db('orders-db-manual-replica') },
      // The name alone is not enough: the created-by tag must be there too.
      { action: 'rds:DeleteDBInstance', resource: db('headroom-replica-planted') },
    ],
  },
  {
    path: 'bind another team’s database to a service, then replicate it under any name',
    steps: [
      {
        action: 'rds:AddTagsToResource',
        resource: db('payments-db'),
        context: { 'aws:RequestTag/headroom:service': 'orders', 'aws:TagKeys': ['headroom:service'] },
      },
      { action: 'rds:CreateDBInstanceReadReplica', resource: db('payments-db') },
      {
        action: 'rds:CreateDBInstanceReadReplica',
        resource: db('payments-db-copy'),
        context: { 'aws:RequestTag/headroom:created-by': 'headroom', 'aws:TagKeys': ['headroom:created-by'] },
      },
    ],
  },
  {
    path: 'grow or shrink another team’s cache, or tag it as a service’s',
    steps: [
      { action: 'elasticache:IncreaseReplicaCount', resource: cache('payments-cache') },
      { action: 'elasticache:DecreaseReplicaCount', resource: cache('payments-cache') },
      {
        action: 'elasticache:AddTagsToResource',
        resource: cache('payments-cache'),
        context: { 'aws:RequestTag/headroom:service': 'orders', 'aws:TagKeys': ['headroom:service'] },
      },
    ],
  },
  {
    path: 'invalidate, or tag, a distribution no service is bound to',
    steps: [
      { action: 'cloudfront:CreateInvalidation', resource: distribution('EOTHERTEAM') },
      { action: 'cloudfront:TagResource', resource: distribution('EOTHERTEAM') },
    ],
  },
  {
    path: 'scale a group its owners did not opt in',
    steps: [
      {
        action: 'autoscaling:SetDesiredCapacity',
        resource: arn('autoscaling', 'autoScalingGroup:uuid:autoScalingGroupName/payments'),
      },
    ],
  },
  {
    path: 'turn the kill switch off, or read or write the whole state table',
    steps: [
      put(STATE, 'PutItem', 'advisor'),
      put(STATE, 'UpdateItem', 'advisor'),
      put(STATE, 'DeleteItem', 'advisor'),
      { action: 'dynamodb:Scan', resource: STATE },
    ],
  },
  {
    path: 'overwrite a pending approval’s task token',
    steps: [put(STATE, 'PutItem', 'approval#a1'), put(STATE, 'UpdateItem', 'approval#a1')],
    byDesign: {
      NotifierFunction: {
        steps: [0, 1],
        why: 'stores approval requests; its save refuses to replace a pending one (tests/slack/approvalAdapters.test.ts)',
      },
      InteractionsFunction: {
        steps: [1],
        why: 'claims an approval for the one click that answers it (conditional on status pending)',
      },
      RemediateRecordFunction: {
        steps: [1],
        why: 'settles an approval’s final status from what Step Functions did (its update sets the status only; IAM cannot narrow it further without dynamodb:Attributes)',
      },
    },
  },
  {
    path: 'write another function’s records in the remediation table',
    steps: [
      put(REMEDIATION, 'PutItem', 'change-worker#x'),
      put(REMEDIATION, 'DeleteItem', 'notifier#x'),
      put(REMEDIATION, 'UpdateItem', 'cdn-invalidation-paths#2026-12'),
    ],
    byDesign: {
      ChangeWorkerFunction: { steps: [0], why: 'its idempotency records, change-worker#*' },
      NotifierFunction: { steps: [1], why: 'its idempotency records, notifier#*' },
      InvalidateFunction: { steps: [2], why: 'the month’s path count, cdn-invalidation-paths#*' },
    },
  },
  {
    path: 'answer an approval',
    steps: [{ action: 'states:SendTaskSuccess', resource: '*' }],
    byDesign: {
      InteractionsFunction: {
        steps: [0],
        why: 'answers approvals after verifying the Slack signature and the approver (tests/slack)',
      },
    },
  },
  {
    path: 'change its own or another role, code or secret',
    steps: [
      { action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::123456789012:role/headroom/headroom/x' },
      { action: 'iam:PassRole', resource: '*' },
      { action: 'lambda:UpdateFunctionCode', resource: arn('lambda', 'function:headroom-x') },
      {
        action: 'secretsmanager:GetSecretValue',
        resource: arn('secretsmanager', 'secret:prod-db-password-AbCdEf'),
      },
    ],
  },
];

/** The indices of the steps a function's policy allows. */
function allowedSteps(id: string, path: Path): number[] {
  const statements = policies.get(id) ?? [];
  return path.steps.flatMap((step, i) => (evaluate(statements, step) === 'allow' ? [i] : []));
}

describe('escalation paths, for every function, against the policies as written', () => {
  const ids = [...policies.keys()];

  it('evaluates every function and the state machine of the template', () => {
    expect(ids).toEqual(
      expect.arrayContaining([
        'EvaluateFunction',
        'ForecastFunction',
        'NotifierFunction',
        'InteractionsFunction',
        'RemediationStateMachine',
        'RemediateContextFunction',
        'ChangeWorkerFunction',
        'ChangeFollowUpFunction',
        'InvalidateFunction',
      ]),
    );
  });

  const rows = PATHS.flatMap((path) => ids.map((id): [string, string, Path] => [path.path, id, path]));
  it.each(rows)('%s: impossible for %s', (_name, id, path) => {
    // Exactly the steps held by design are allowed (none for almost every function); all others denied.
    expect(allowedSteps(id, path)).toEqual(path.byDesign?.[id]?.steps ?? []);
  });
});

describe('the advisor bus: only Headroom’s roles publish events that lead to actions and approvals', () => {
  const publish = (principal: string, source: string, detailType: string): IamRequest => ({
    action: 'events:PutEvents',
    resource: BUS,
    context: { 'aws:PrincipalArn': principal, 'events:source': [source], 'events:detail-type': [detailType] },
  });

  it('refuses a CI role allowed events:PutEvents on * an ApprovalRequested or ActionApplied event', () => {
    for (const type of ['ApprovalRequested', 'ActionApplied', 'Recommendation']) {
      expect(evaluate([...CI_POLICY, ...busPolicy], publish(CI_ROLE, 'headroom.advisor', type))).toBe(
        'explicit-deny',
      );
    }
  });

  it('still takes the CI role’s deploy events', () => {
    expect(
      evaluate([...CI_POLICY, ...busPolicy], publish(CI_ROLE, 'headroom.deploy', 'Deployment Completed')),
    ).toBe('allow');
  });

  it('takes advisor events from the functions that publish them, and from no other function', () => {
    const publishers = ids().filter(
      (id) =>
        evaluate(
          [...(policies.get(id) ?? []), ...busPolicy],
          publish(roleArn(template, id, D), 'headroom.advisor', 'ApprovalRequested'),
        ) === 'allow',
    );
    expect(publishers.sort()).toEqual(
      [
        'ChangeFollowUpFunction',
        'ChangeWorkerFunction',
        'EvaluateFunction',
        'RemediationStateMachine',
      ].sort(),
    );
  });

  function ids() {
    return [...policies.keys()];
  }
});

describe('what Headroom must still be able to do (the table above is not vacuous)', () => {
  const can = (id: string, request: IamRequest) => evaluate(policies.get(id) ?? [], request);
  const replicaTags = {
    'aws:RequestTag/headroom:created-by': 'headroom',
    'aws:TagKeys': ['headroom:created-by', 'headroom:change-id', 'headroom:service'],
  };

  it('the change worker replicates a service’s database under its prefix, and deletes its own replicas', () => {
    const tagged = { 'rds:db-tag/headroom:service': 'orders', 'aws:ResourceTag/headroom:service': 'orders' };
    const create = 'rds:CreateDBInstanceReadReplica';
    expect(can('ChangeWorkerFunction', { action: create, resource: db('orders-db'), context: tagged })).toBe(
      'allow',
    );
    const replica = db('headroom-replica-orders-db-0123456789ab-1');
    expect(can('ChangeWorkerFunction', { action: create, resource: replica, context: replicaTags })).toBe(
      'allow',
    );
    expect(
      can('ChangeWorkerFunction', {
        action: 'rds:AddTagsToResource',
        resource: replica,
        context: replicaTags,
      }),
    ).toBe('allow');
    const ours = { 'aws:ResourceTag/headroom:created-by': 'headroom' };
    expect(
      can('ChangeWorkerFunction', { action: 'rds:DeleteDBInstance', resource: replica, context: ours }),
    ).toBe('allow');
    expect(
      can('ChangeWorkerFunction', {
        action: 'elasticache:IncreaseReplicaCount',
        resource: cache('orders-cache'),
        context: { 'aws:ResourceTag/headroom:service': 'orders' },
      }),
    ).toBe('allow');
  });

  it('evaluate reads the kill switch and keeps service state; invalidate reaches the configured distribution', () => {
    expect(can('EvaluateFunction', put(STATE, 'GetItem', 'advisor'))).toBe('allow');
    expect(can('EvaluateFunction', put(STATE, 'PutItem', 'service#orders'))).toBe('allow');
    expect(
      can('InvalidateFunction', {
        action: 'cloudfront:CreateInvalidation',
        resource: distribution('E1CONFIGURED'),
      }),
    ).toBe('allow');
    expect(
      can('EvaluateFunction', {
        action: 'autoscaling:SetDesiredCapacity',
        resource: arn('autoscaling', 'autoScalingGroup:uuid:autoScalingGroupName/orders'),
        context: { 'aws:ResourceTag/headroom:managed': 'true' },
      }),
    ).toBe('allow');
  });

  it('RemediateContext can no longer scale any group (SetDesiredCapacity was never called)', () => {
    expect(
      can('RemediateContextFunction', {
        action: 'autoscaling:SetDesiredCapacity',
        resource: arn('autoscaling', 'autoScalingGroup:uuid:autoScalingGroupName/orders'),
        context: { 'aws:ResourceTag/headroom:managed': 'true' },
      }),
    ).toBe('implicit-deny');
  });
});
