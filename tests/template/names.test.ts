/**
 * Names the template builds stay within their service's limit for any valid stack name (up to 128
 * characters), so that no deploy fails on a long stack name; and the notifier's rule matches every
 * advisor event the notifier formats for Slack.
 */
import { describe, expect, it } from '@jest/globals';
import { ADVISOR_EVENT_TYPES, DIGEST_TYPES } from '@headroom/core';
import { isRecord, type TemplateValue } from '../../scripts/iamTemplate.js';
import { loadTemplate } from './template.js';

const template = loadTemplate();

/** Longest values CloudFormation can give the pseudo parameters. */
const STACK_NAME = 's'.repeat(128);
const PSEUDO: Record<string, string> = {
  'AWS::StackName': STACK_NAME,
  'AWS::StackId': `arn:aws-us-gov:cloudformation:ap-southeast-5:123456789012:stack/${STACK_NAME}/0f2c9b40-1a2b-11f1-8c3d-0a1b2c3d4e5f`,
  'AWS::Region': 'ap-southeast-5',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws-us-gov',
};

/** Name properties and their limits (CloudFormation resource reference, and SAM's event sources). */
const LIMITS: Record<string, Record<string, number>> = {
  'AWS::Events::Rule': { Name: 64 },
  'AWS::Events::EventBus': { Name: 256 },
  'AWS::StepFunctions::StateMachine': { StateMachineName: 80 },
  'AWS::Serverless::StateMachine': { Name: 80 },
  'AWS::Serverless::Function': { FunctionName: 64 },
  'AWS::Serverless::LayerVersion': { LayerName: 140 },
  'AWS::Logs::LogGroup': { LogGroupName: 512 },
  'AWS::CloudWatch::Alarm': { AlarmName: 255 },
  'AWS::CloudWatch::Dashboard': { DashboardName: 255 },
  'AWS::SQS::Queue': { QueueName: 80 },
  'AWS::DynamoDB::Table': { TableName: 255 },
  'AWS::SNS::Topic': { TopicName: 256 },
  'AWS::Scheduler::Schedule': { Name: 64 },
};
const EVENT_LIMITS: Record<string, Record<string, number>> = {
  EventBridgeRule: { RuleName: 64 },
  ScheduleV2: { Name: 64 },
};

/** The longest value a name can take: !Sub, !Join, !Select and !Split over the pseudo parameters. */
function longest(value: TemplateValue, vars: Record<string, string> = {}): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
  if (typeof value.Ref === 'string') {
    const known = PSEUDO[value.Ref];
    if (known === undefined) throw new Error(`!Ref ${value.Ref} in a name: its length is unknown`);
    return known;
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [text, map] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, {}];
    const local = { ...vars };
    for (const [k, v] of Object.entries(isRecord(map) ? map : {})) local[k] = longest(v, vars);
    return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const found = local[name] ?? PSEUDO[name];
      if (found === undefined) throw new Error(`\${${name}} in a name: its length is unknown`);
      return found;
    });
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join))
    return (join[1] as TemplateValue[]).map((v) => longest(v, vars)).join(String(join[0]));
  const select = value['Fn::Select'];
  if (Array.isArray(select)) {
    const split = select[1] as Record<string, TemplateValue>;
    const [separator, source] = split['Fn::Split'] as [string, TemplateValue];
    return longest(source, vars).split(separator)[Number(select[0])]!;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

const names: [string, string, number, TemplateValue][] = [];
for (const [id, resource] of Object.entries(template.Resources)) {
  for (const [property, limit] of Object.entries(LIMITS[resource.Type] ?? {})) {
    const value = resource.Properties?.[property];
    if (value !== undefined) names.push([id, property, limit, value]);
  }
  const events = resource.Properties?.Events;
  for (const [eventId, event] of Object.entries(isRecord(events) ? events : {})) {
    if (!isRecord(event) || !isRecord(event.Properties)) continue;
    for (const [property, limit] of Object.entries(EVENT_LIMITS[String(event.Type)] ?? {})) {
      const value = event.Properties[property];
      if (value !== undefined) names.push([`${id} event ${eventId}`, property, limit, value]);
    }
  }
}

describe('names within limits for a 128-character stack name', () => {
  it('finds the names the template sets, the alarm rule and the state machine among them', () => {
    const found = names.map(([where, property]) => `${where}.${property}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'RemediationStateMachine.Name',
        'RemediationStateMachine event AlarmIntoAlarm.RuleName',
      ]),
    );
  });

  it.each(names)('%s %s fits in %d characters', (_, __, limit, value) => {
    expect(longest(value).length).toBeLessThanOrEqual(limit);
  });

  it('names the rule the dead-letter queue policy trusts exactly as the rule is named', () => {
    const [, , , ruleName] = names.find(
      ([where]) => where === 'RemediationStateMachine event AlarmIntoAlarm',
    )!;
    const policy = template.Resources.RemediationDeadLetterQueuePolicy!.Properties!.PolicyDocument as {
      Statement: { Condition: { ArnEquals: Record<string, TemplateValue> } }[];
    };
    const trusted = policy.Statement.map((st) => longest(st.Condition.ArnEquals['aws:SourceArn']!));
    expect(trusted).toContain(
      `arn:${PSEUDO['AWS::Partition']}:events:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:rule/${longest(ruleName)}`,
    );
  });
});

describe('the notifier rules', () => {
  const events = template.Resources.NotifierFunction!.Properties!.Events as Record<
    string,
    Record<string, TemplateValue>
  >;
  const detailTypes = (pattern: Record<string, TemplateValue>) =>
    [...(pattern['detail-type'] as string[])].sort();
  const atOnce = detailTypes(
    (events.AdvisorEvents!.Properties as Record<string, Record<string, TemplateValue>>).Pattern!,
  );
  const digests = detailTypes(
    (template.Resources.NotificationDigestRule!.Properties as Record<string, Record<string, TemplateValue>>)
      .EventPattern!,
  );

  it('together match every advisor event type the notifier formats for Slack, each once', () => {
    expect([...atOnce, ...digests].sort()).toEqual([...ADVISOR_EVENT_TYPES].sort());
  });

  it('post approvals, failures and remediations at once, and only routine advice in digests', () => {
    expect(atOnce).toEqual(['ActionFailed', 'ApprovalRequested', 'RemediationCompleted']);
    expect(digests).toEqual([...DIGEST_TYPES].sort());
    // The digest queue is the notifier's event source; what it cannot post ends on the notifier's DLQ.
    const source = events.Digests!.Properties as Record<string, TemplateValue>;
    expect(source['Queue']).toEqual({ 'Fn::GetAtt': ['NotificationDigestQueue', 'Arn'] });
    expect(source['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    const queue = template.Resources.NotificationDigestQueue!.Properties as Record<string, TemplateValue>;
    expect(queue['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['NotifierDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 10,
    });
  });
});
