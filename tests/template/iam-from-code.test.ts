/**
 * The IAM-from-code check on small fixture projects: calls are derived from what the bundle keeps,
 * and grants are compared with them both ways.
 */
import { describe, expect, test, beforeAll } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { deriveCodeCalls } from '../../scripts/iamCodeCalls.js';
import { auditTemplate } from '../../scripts/iamCheck.js';
import { deriveAslCalls } from '../../scripts/iamStateMachine.js';

const repo = resolve(import.meta.dirname, '../..');
const schemas = resolve(repo, 'schemas');

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'iam-from-code-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const layer = {
  'layers/core/src/index.ts': "export * from './aws/fleet.js';\nexport * from './aws/metrics.js';\n",
  'layers/core/src/aws/fleet.ts': `
import { AutoScalingClient, SetDesiredCapacityCommand, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
export async function listGroups(client: AutoScalingClient): Promise<number> {
  let n = 0;
  for await (const page of paginateDescribeAutoScalingGroups({ client }, {})) n += page.AutoScalingGroups?.length ?? 0;
  return n;
}
export async function setCapacity(client: AutoScalingClient, name: string, desired: number): Promise<void> {
  await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: desired }));
}
`,
  'layers/core/src/aws/metrics.ts': `
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
export async function readMetrics(client: CloudWatchClient): Promise<unknown> {
  return client.send(new GetMetricDataCommand({ MetricDataQueries: [], StartTime: new Date(0), EndTime: new Date(0) }));
}
export async function writeMetric(client: CloudWatchClient): Promise<unknown> {
  return client.send(new PutMetricDataCommand({ Namespace: 'x', MetricData: [] }));
}
`,
};

const evaluateHandler = `
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { Logger } from '@aws-lambda-powertools/logger';
import { listGroups, readMetrics } from '@headroom/core';
const logger = new Logger();
export const handler = async (): Promise<number> => {
  await getSecret('slack');
  await readMetrics(new CloudWatchClient({}));
  logger.info('read');
  return listGroups(new AutoScalingClient({}));
};
`;

const workerHandler = `
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { setCapacity } from '@headroom/core/aws/fleet.js';
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idem' });
export const handler = makeIdempotent(async () => setCapacity(new AutoScalingClient({}), 'web', 3), { persistenceStore });
`;

describe('calls derived from the code', () => {
  let root: string;
  beforeAll(() => {
    root = project({
      ...layer,
      'functions/evaluate/handler.ts': evaluateHandler,
      'functions/worker/handler.ts': workerHandler,
    });
  });

  test('only calls the bundle keeps after tree-shaking count, through the layer index', async () => {
    const { calls, sources } = await deriveCodeCalls(join(root, 'functions/evaluate/handler.ts'), root);
    expect(calls.map((c) => c.action)).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'cloudwatch:GetMetricData',
      'secretsmanager:GetSecretValue',
    ]);
    expect(calls.find((c) => c.action === 'autoscaling:DescribeAutoScalingGroups')?.via).toContain(
      'paginateDescribeAutoScalingGroups',
    );
    expect(sources.some((s) => s.endsWith('layers/core/src/aws/metrics.ts'))).toBe(true);
  });

  test('a deep import of the layer and the Powertools idempotency store are followed', async () => {
    const { calls } = await deriveCodeCalls(join(root, 'functions/worker/handler.ts'), root);
    expect(calls.map((c) => c.action)).toEqual([
      'autoscaling:SetDesiredCapacity',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  test('an aggregated client is refused, because it hides which operations are called', async () => {
    const aggregated = project({
      'functions/a/handler.ts': `import { CloudWatch } from '@aws-sdk/client-cloudwatch';
export const handler = async () => new CloudWatch({}).listMetrics({});`,
    });
    await expect(deriveCodeCalls(join(aggregated, 'functions/a/handler.ts'), aggregated)).rejects.toThrow(
      /aggregated client.*CloudWatchClient/,
    );
  });

  test('a dynamic import of an SDK client is refused, because its calls cannot be read', async () => {
    const dynamic = project({
      'functions/a/handler.ts': `export const handler = async () => {
  const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  return new SQSClient({}).send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'b' }));
};`,
    });
    await expect(deriveCodeCalls(join(dynamic, 'functions/a/handler.ts'), dynamic)).rejects.toThrow(
      /dynamic import of @aws-sdk\/client-sqs/,
    );
  });

  test('a client package without a known IAM prefix is an error naming it', async () => {
    const unknown = project({
      'functions/a/handler.ts': `import { FooCommand } from '@aws-sdk/client-made-up';
export const handler = async () => new FooCommand();`,
    });
    await expect(deriveCodeCalls(join(unknown, 'functions/a/handler.ts'), unknown)).rejects.toThrow(
      /@aws-sdk\/client-made-up: no IAM service prefix/,
    );
  });
});

describe('calls derived from a state machine', () => {
  const isFunction = (name: string): boolean => name === 'EvaluateFunctionArn';

  test('Task resources in nested Parallel and Map states map to IAM actions', () => {
    const calls = deriveAslCalls(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            End: true,
            Branches: [
              {
                StartAt: 'L',
                States: { L: { Type: 'Task', Resource: '${EvaluateFunctionArn}', End: true } },
              },
              {
                StartAt: 'M',
                States: {
                  M: {
                    Type: 'Map',
                    End: true,
                    ItemProcessor: {
                      StartAt: 'Q',
                      States: {
                        Q: {
                          Type: 'Task',
                          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
                          Next: 'S',
                        },
                        S: {
                          Type: 'Task',
                          Resource: 'arn:aws:states:::aws-sdk:autoscaling:setDesiredCapacity',
                          Next: 'E',
                        },
                        E: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', End: true },
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      },
      isFunction,
    );
    expect(calls.map((c) => `${c.state}:${c.action}`)).toEqual([
      'L:lambda:InvokeFunction',
      'Q:sqs:SendMessage',
      'S:autoscaling:SetDesiredCapacity',
      'E:events:PutEvents',
    ]);
  });

  test('a placeholder that is not a function ARN is an error', () => {
    expect(() =>
      deriveAslCalls(
        { StartAt: 'A', States: { A: { Type: 'Task', Resource: '${QueueUrl}', End: true } } },
        isFunction,
      ),
    ).toThrow(/\$\{QueueUrl\}.*not name a Lambda function/);
  });
});

const FLEET_TAG = `Condition: { StringEquals: { 'autoscaling:ResourceTag/headroom:managed': 'true' } }`;

function templateWith(evaluatePolicies: string, extra = ''): string {
  return `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Tracing: Active
Resources:
  Queue:
    Type: AWS::SQS::Queue
  EvaluateFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [handler.ts]
    Properties:
      CodeUri: functions/evaluate/
      Handler: handler.handler
      Policies:
${evaluatePolicies}
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: handler.handler
      Events:
        Changes:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
      Policies:
        - Statement:
            - Effect: Allow
              Action: autoscaling:SetDesiredCapacity
              Resource: '*'
              ${FLEET_TAG}
        - DynamoDBCrudPolicy:
            TableName: idem
${extra}`;
}

const exactEvaluate = `        - Statement:
            - Effect: Allow
              Action: [autoscaling:DescribeAutoScalingGroups, cloudwatch:GetMetricData]
              Resource: '*'
        - AWSSecretsManagerGetSecretValuePolicy:
            SecretArn: !Ref SlackSecret`;

describe('grants compared with the derived calls', () => {
  let root: string;
  beforeAll(() => {
    root = project({
      ...layer,
      'functions/evaluate/handler.ts': evaluateHandler,
      'functions/worker/handler.ts': workerHandler,
    });
  });

  async function findings(template: string): Promise<Record<string, string[]>> {
    writeFileSync(join(root, 'template.yaml'), template);
    const audits = await auditTemplate({
      root,
      template: join(root, 'template.yaml'),
      iamActions: join(schemas, 'iam-actions.json'),
      policyTemplates: join(schemas, 'sam-policy-templates.json'),
    });
    return Object.fromEntries(audits.map((a) => [a.logicalId, a.findings]));
  }

  test('exact grants pass; a SAM template that grants more than the code calls is flagged action by action', async () => {
    const result = await findings(templateWith(exactEvaluate));
    expect(result.EvaluateFunction).toEqual([]);
    // DynamoDBCrudPolicy also grants Scan, Query, Batch*, DescribeTable, ConditionCheckItem.
    expect(result.WorkerFunction?.sort()).toEqual(
      ['batchgetitem', 'batchwriteitem', 'conditioncheckitem', 'describetable', 'query', 'scan'].map(
        (a) => `WorkerFunction: granted dynamodb:${a}, which its code does not call`,
      ),
    );
  });

  test('a call without a grant is flagged, naming what in the code makes it', async () => {
    const result = await findings(
      templateWith(`        - Statement:
            - Effect: Allow
              Action: autoscaling:DescribeAutoScalingGroups
              Resource: '*'`),
    );
    expect(result.EvaluateFunction).toEqual([
      'EvaluateFunction: calls cloudwatch:GetMetricData (@aws-sdk/client-cloudwatch GetMetricDataCommand) without a grant',
      'EvaluateFunction: calls secretsmanager:GetSecretValue (@aws-lambda-powertools/parameters/secrets getSecret) without a grant',
    ]);
  });

  test('wildcard actions are refused; a partial wildcard is expanded and its extra actions flagged', async () => {
    const result = await findings(
      templateWith(`${exactEvaluate}
        - Statement:
            - Effect: Allow
              Action: ['*', 'sqs:*', 'cloudwatch:GetMetricD*']
              Resource: '*'`),
    );
    expect(result.EvaluateFunction).toEqual([
      'EvaluateFunction Policies[2] Statement[0]: wildcard action "*"',
      'EvaluateFunction Policies[2] Statement[0]: wildcard action "sqs:*"',
    ]);
    const sqsSend = await findings(
      templateWith(`${exactEvaluate}\n        - SQSSendMessagePolicy: { QueueName: q }`),
    );
    // IAM has no SendMessageBatch action (SendMessage covers it), so `sqs:SendMessage*` expands to one.
    expect(sqsSend.EvaluateFunction).toEqual([
      'EvaluateFunction: granted sqs:sendmessage, which its code does not call',
    ]);
  });

  test('Resource "*" is refused for an action with resource-level permissions unless a tag condition scopes it', async () => {
    const result = await findings(templateWith(exactEvaluate).replace(`              ${FLEET_TAG}\n`, ''));
    expect(result.WorkerFunction?.[0]).toMatch(
      /^WorkerFunction Policies\[0\] Statement\[0\]: autoscaling:setdesiredcapacity on Resource "\*" although it supports resource-level permissions \(autoScalingGroup\)/,
    );
  });

  test('event-source and tracing grants are the platform\u2019s: allowed without a call, never required', async () => {
    const result = await findings(
      templateWith(exactEvaluate).replace(
        '        - DynamoDBCrudPolicy:',
        `        - Statement:
            - Effect: Allow
              Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes, xray:PutTraceSegments]
              Resource: !GetAtt Queue.Arn
        - DynamoDBCrudPolicy:`,
      ),
    );
    expect(result.WorkerFunction?.filter((f) => /sqs|xray/.test(f))).toEqual([]);
    const withoutEvent = await findings(
      templateWith(`${exactEvaluate}
        - Statement:
            - Effect: Allow
              Action: sqs:ReceiveMessage
              Resource: !GetAtt Queue.Arn`),
    );
    expect(withoutEvent.EvaluateFunction).toEqual([
      'EvaluateFunction: granted sqs:receivemessage, which its code does not call',
    ]);
  });

  test('KMS on an encrypted queue is allowed only to a resource that uses the queue', async () => {
    const kms = `        - Statement:
            - Effect: Allow
              Action: kms:Decrypt
              Resource: !Sub arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/k`;
    const template = templateWith(`${exactEvaluate}\n${kms}`)
      .replace(
        '    Type: AWS::SQS::Queue\n',
        '    Type: AWS::SQS::Queue\n    Properties: { KmsMasterKeyId: k }\n',
      )
      .replace('        - DynamoDBCrudPolicy:', `${kms}\n        - DynamoDBCrudPolicy:`);
    const result = await findings(template);
    expect(result.EvaluateFunction).toEqual([
      'EvaluateFunction: granted kms:decrypt, which its code does not call',
    ]);
    expect(result.WorkerFunction?.filter((f) => f.includes('kms'))).toEqual([]);
  });

  test('a tagging action is allowed next to a create call that can carry tags, and only there', async () => {
    const root = project({
      'functions/evaluate/handler.ts': `import { RDSClient, CreateDBInstanceReadReplicaCommand } from '@aws-sdk/client-rds';
export const handler = async () => new RDSClient({}).send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'r', SourceDBInstanceIdentifier: 's', Tags: [{ Key: 'headroom:replica', Value: 'true' }] }));`,
      'functions/worker/handler.ts': 'export const handler = async () => 1;',
    });
    const template = `Resources:
  EvaluateFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/evaluate/
      Handler: handler.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: [rds:CreateDBInstanceReadReplica, rds:AddTagsToResource]
              Resource: !Sub arn:\${AWS::Partition}:rds:\${AWS::Region}:\${AWS::AccountId}:db:*
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: handler.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: rds:AddTagsToResource
              Resource: !Sub arn:\${AWS::Partition}:rds:\${AWS::Region}:\${AWS::AccountId}:db:*
`;
    writeFileSync(join(root, 'template.yaml'), template);
    const audits = await auditTemplate({
      root,
      template: join(root, 'template.yaml'),
      iamActions: join(schemas, 'iam-actions.json'),
      policyTemplates: join(schemas, 'sam-policy-templates.json'),
    });
    expect(audits.map((a) => [a.logicalId, a.findings])).toEqual([
      ['EvaluateFunction', []],
      ['WorkerFunction', ['WorkerFunction: granted rds:addtagstoresource, which its code does not call']],
    ]);
  });

  test('a managed policy name cannot be checked against the code and is refused', async () => {
    await expect(findings(templateWith(`        - AmazonS3FullAccess`))).rejects.toThrow(
      /EvaluateFunction Policies\[0\]: managed policy AmazonS3FullAccess cannot be checked/,
    );
  });
});
