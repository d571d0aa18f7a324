/**
 * Operations coverage of template.yaml, alongside the IAM check because both follow the resources
 * as others add them: every function has an Errors alarm, every dead-letter queue a depth alarm,
 * every state machine an ExecutionsFailed alarm, all sent to the alarm topic, none named so that
 * the remediation flow (AlarmNamePrefix) would act on it, and the cost model counts them all.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WORKLOAD } from '@headroom/lab/bill/advisorMonthlyBill';
import {
  isRecord,
  parseTemplate,
  readTemplate,
  type SamTemplate,
  type TemplateResource,
  type TemplateValue,
} from '../../scripts/iamTemplate.js';
import { repoAuditPaths } from '../../scripts/iam.js';

const template = readTemplate(repoAuditPaths().template);
const resources = Object.entries(template.Resources);
const alarms = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');

const ofType = (type: string): string[] => resources.filter(([, r]) => r.Type === type).map(([id]) => id);

function queueArnsUnder(template: SamTemplate, value: TemplateValue | undefined, found: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => queueArnsUnder(template, item, found));
  if (!isRecord(value)) return;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
    if (template.Resources[getAtt[0]]?.Type === 'AWS::SQS::Queue') found.add(getAtt[0]);
  }
  Object.values(value).forEach((item) => queueArnsUnder(template, item, found));
}

/** Queues named as a dead-letter target anywhere: redrive policies, function DLQs, on-failure destinations. */
function deadLetterQueues(template: SamTemplate): string[] {
  const found = new Set<string>();
  const visit = (value: TemplateValue | undefined): void => {
    if (Array.isArray(value)) value.forEach(visit);
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (/dead.?letter|^OnFailure$/i.test(key)) queueArnsUnder(template, item, found);
      else visit(item);
    }
  };
  for (const resource of Object.values(template.Resources)) visit(resource.Properties ?? null);
  return [...found].sort();
}

function alarmOn(
  namespace: string,
  metric: string,
  dimension: string,
  matches: (value: TemplateValue) => boolean,
) {
  return alarms.some(([, alarm]: [string, TemplateResource]) => {
    const p = alarm.Properties ?? {};
    const dimensions = Array.isArray(p.Dimensions) ? p.Dimensions : [];
    return (
      p.Namespace === namespace &&
      p.MetricName === metric &&
      dimensions.some((d) => isRecord(d) && d.Name === dimension && d.Value !== undefined && matches(d.Value))
    );
  });
}

const refTo = (id: string) => (value: TemplateValue) => isRecord(value) && value.Ref === id;
const queueNameOf = (id: string) => (value: TemplateValue) =>
  isRecord(value) &&
  Array.isArray(value['Fn::GetAtt']) &&
  value['Fn::GetAtt'][0] === id &&
  value['Fn::GetAtt'][1] === 'QueueName';

describe('operations alarms cover every resource that can fail quietly', () => {
  test.each(ofType('AWS::Serverless::Function'))('%s has an Errors alarm', (id) => {
    expect(alarmOn('AWS/Lambda', 'Errors', 'FunctionName', refTo(id))).toBe(true);
  });

  test('every dead-letter queue has an ApproximateNumberOfMessagesVisible alarm', () => {
    const missing = deadLetterQueues(template).filter(
      (id) => !alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueNameOf(id)),
    );
    expect(missing).toEqual([]);
  });

  test('dead-letter queues are found through redrive policies, function DLQs and on-failure destinations', () => {
    const fixture = parseTemplate(`Resources:
  Work: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt WorkDlq.Arn, maxReceiveCount: 3 } } }
  WorkDlq: { Type: AWS::SQS::Queue }
  FnDlq: { Type: AWS::SQS::Queue }
  FailDlq: { Type: AWS::SQS::Queue }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      DeadLetterQueue: { Type: SQS, TargetArn: !GetAtt FnDlq.Arn }
      EventInvokeConfig: { DestinationConfig: { OnFailure: { Type: SQS, Destination: !GetAtt FailDlq.Arn } } }
      Events: { Q: { Type: SQS, Properties: { Queue: !GetAtt Work.Arn } } }
`);
    expect(deadLetterQueues(fixture)).toEqual(['FailDlq', 'FnDlq', 'WorkDlq']);
  });

  test('every state machine has an ExecutionsFailed alarm', () => {
    const missing = ofType('AWS::Serverless::StateMachine').filter(
      (id) => !alarmOn('AWS/States', 'ExecutionsFailed', 'StateMachineArn', refTo(id)),
    );
    expect(missing).toEqual([]);
  });

  test('every alarm notifies the alarm topic and stays outside the remediation prefix', () => {
    const prefix = template.Parameters?.AlarmNamePrefix;
    const remediationPrefix =
      isRecord(prefix) && typeof prefix.Default === 'string' ? prefix.Default : 'headroom-';
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      const p = alarm.Properties ?? {};
      expect([id, Array.isArray(p.AlarmActions) && p.AlarmActions.some(refTo('AlarmTopic'))]).toEqual([
        id,
        true,
      ]);
      const name = isRecord(p.AlarmName) ? p.AlarmName['Fn::Sub'] : p.AlarmName;
      expect([
        id,
        typeof name === 'string' && name.startsWith('ops/') && !name.startsWith(remediationPrefix),
      ]).toEqual([id, true]);
    }
  });

  test("Headroom's bill counts at least as many alarms as the template has", () => {
    expect(DEFAULT_WORKLOAD.alarms).toBeGreaterThanOrEqual(alarms.length);
  });
});

describe('the operations dashboard', () => {
  const dashboards = resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard');

  /** The body with every `${Name}` replaced by a placeholder, as CloudFormation would substitute it. */
  function bodyOf(resource: TemplateResource): { widgets: { properties: { metrics?: unknown[][] } }[] } {
    const body = resource.Properties?.DashboardBody;
    const text = isRecord(body) && typeof body['Fn::Sub'] === 'string' ? body['Fn::Sub'] : body;
    if (typeof text !== 'string') throw new Error('DashboardBody is neither a string nor !Sub of one');
    return JSON.parse(text.replace(/\$\{[^}!]+\}/g, 'x')) as {
      widgets: { properties: { metrics?: unknown[][] } }[];
    };
  }

  function sourcesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sourcesUnder(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  }

  test('exists, and its body is valid JSON once substituted', () => {
    expect(dashboards.length).toBe(1);
    for (const [, dashboard] of dashboards) expect(bodyOf(dashboard).widgets.length).toBeGreaterThan(0);
  });

  test('every Headroom metric it names is published by some function', () => {
    const root = repoAuditPaths().root;
    const code = [...sourcesUnder(join(root, 'functions')), ...sourcesUnder(join(root, 'layers/core/src'))]
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const named = dashboards.flatMap(([, d]) => bodyOf(d).widgets.flatMap((w) => w.properties.metrics ?? []));
    let namespace = '';
    const missing: string[] = [];
    for (const row of named) {
      if (typeof row[0] !== 'string') continue;
      if (row[0] !== '.') namespace = row[0];
      const metric = row[1];
      if (namespace === 'Headroom' && typeof metric === 'string' && !code.includes(`'${metric}'`))
        missing.push(metric);
    }
    expect(named.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});
