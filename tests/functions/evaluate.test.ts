/**
 * The evaluate handler on every sample event in events/evaluate/, with the AWS SDK mocked:
 * a managed group running hot is scaled out, the decision recorded, the event published and the
 * EMF metrics printed; malformed events are refused with the field that is wrong.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { EvaluationReport } from '@headroom/core';
import { LAMBDA_ENV, lambdaContext, metadata } from './forecastFixtures.js';

const eventsDir = resolve(import.meta.dirname, '../../events/evaluate');
const samples = readdirSync(eventsDir).filter((f) => f.endsWith('.json'));

const cw = mockClient(CloudWatchClient);
const asg = mockClient(AutoScalingClient);
const ddb = mockClient(DynamoDBClient);
const eb = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const context = lambdaContext('EvaluateFunction');

type Handler = (event: unknown, context: Context) => Promise<EvaluationReport>;
let handler: Handler;
const printed: string[] = [];

const savedEnv = { ...process.env };

beforeAll(async () => {
  // Every test is a fresh account: discovery is not reused between them (it is, in Lambda, for 5 min).
  Object.assign(process.env, LAMBDA_ENV, {
    POWERTOOLS_SERVICE_NAME: 'headroom-evaluate',
    DISCOVERY_MAX_AGE_SECONDS: '0',
  });
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  ({ handler } = (await import('../../functions/evaluate/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  jest.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** The web group: 4 instances in service, tagged to be applied, CPU at 90% for the whole window. */
function awsAnswers() {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const end = input.EndTime!.getTime();
    const minutes = [5, 4, 3, 2, 1]
      .map((m) => new Date(Math.floor(end / 60_000) * 60_000 - m * 60_000))
      .reverse();
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
        Id: q.Id,
        Label: q.Label,
        Timestamps: minutes,
        Values: minutes.map(() => 90),
        StatusCode: 'Complete',
        Messages: [],
      })),
      Messages: [],
      $metadata: metadata,
    };
  });
  const web = {
    AutoScalingGroupName: 'web',
    MinSize: 2,
    MaxSize: 20,
    DesiredCapacity: 4,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-west-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2026-01-12T09:30:00Z'),
    Instances: ['1', '2', '3', '4'].map((n) => ({
      InstanceId: `i-0a1b2c3d4e5f6000${n}`,
      InstanceType: 'm7g.large',
      AvailabilityZone: 'eu-west-1a',
      LifecycleState: 'InService' as const,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    })),
    Tags: [
      {
        ResourceId: 'web',
        ResourceType: 'auto-scaling-group',
        Key: 'headroom:managed',
        Value: 'true',
        PropagateAtLaunch: false,
      },
      {
        ResourceId: 'web',
        ResourceType: 'auto-scaling-group',
        Key: 'headroom:mode',
        Value: 'apply',
        PropagateAtLaunch: false,
      },
      {
        ResourceId: 'web',
        ResourceType: 'auto-scaling-group',
        Key: 'headroom:max',
        Value: '20',
        PropagateAtLaunch: false,
      },
    ],
  };
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [web], $metadata: metadata });
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [], $metadata: metadata });
  asg.on(SetDesiredCapacityCommand).resolves({ $metadata: metadata });
  ddb.on(GetItemCommand).resolves({ $metadata: metadata });
  ddb.on(PutItemCommand).resolves({ $metadata: metadata });
  eb.on(PutEventsCommand).resolves({
    FailedEntryCount: 0,
    Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }],
    $metadata: metadata,
  });
}

beforeEach(() => {
  for (const mock of [cw, asg, ddb, eb, sqs]) mock.reset();
  printed.length = 0;
  awsAnswers();
});

const sample = (name: string): unknown => JSON.parse(readFileSync(join(eventsDir, name), 'utf8'));

describe('evaluate handler on the sample events', () => {
  it('has a scheduled sample and malformed ones', () => {
    expect(samples).toContain('scheduled.json');
    expect(samples.filter((s) => s.startsWith('malformed')).length).toBeGreaterThan(0);
  });

  it.each(samples.filter((s) => !s.startsWith('malformed')))(
    '%s: scales the hot group out and reports it',
    async (name) => {
      const report = await handler(sample(name), context);

      expect(report.errors).toEqual([]);
      expect(report.killSwitch).toBe(false);
      expect(report.services).toHaveLength(1);
      const record = report.services[0]!.record!;
      expect(record.outcome).toBe('applied');
      expect(record.decision.desiredCapacity).toBeGreaterThan(4);

      const set = asg.commandCalls(SetDesiredCapacityCommand);
      expect(set.map((c) => c.args[0].input)).toEqual([
        {
          AutoScalingGroupName: 'web',
          DesiredCapacity: record.decision.desiredCapacity,
          HonorCooldown: true,
        },
      ]);
      expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
      const published = eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
      expect(published.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
        ['headroom.advisor', 'ActionApplied', 'headroom-advisor'],
      ]);
      // The decision record went to the state table with its TTL.
      const items = ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
      expect(items.every((i) => i.TableName === 'headroom-StateTable-1QW2E3R4T5Y6')).toBe(true);
      expect(items.some((i) => i.Item?.expiresAt !== undefined)).toBe(true);

      const emf = printed.map((line) => JSON.parse(line) as Record<string, unknown>).find((o) => '_aws' in o);
      expect(emf).toMatchObject({ Decisions: 1, ActionsApplied: 1, Recommendations: 0 });
      // Counts that are zero are not published: a custom metric is billed for the hours it gets data.
      expect(emf).not.toHaveProperty('RunErrors');
      expect(emf).not.toHaveProperty('ActionsBlocked');
    },
  );

  it.each(samples.filter((s) => s.startsWith('malformed')))(
    '%s: is refused before any AWS call',
    async (name) => {
      await expect(handler(sample(name), context)).rejects.toThrow(
        /^scheduled event is malformed: .*(scheduledTime|scheduleArn|executionId|attemptNumber): /,
      );
      expect(cw.calls()).toHaveLength(0);
      expect(asg.calls()).toHaveLength(0);
      expect(ddb.calls()).toHaveLength(0);
      expect(eb.calls()).toHaveLength(0);
    },
  );

  it('leaves out a group with bad tags, logs it and counts it, and evaluates the rest', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'broken',
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: 2,
          DefaultCooldown: 300,
          AvailabilityZones: ['eu-west-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date('2026-01-12T09:30:00Z'),
          Tags: [
            {
              ResourceId: 'broken',
              ResourceType: 'auto-scaling-group',
              Key: 'headroom:managed',
              Value: 'true',
              PropagateAtLaunch: false,
            },
            {
              ResourceId: 'broken',
              ResourceType: 'auto-scaling-group',
              Key: 'headroom:max',
              Value: 'lots',
              PropagateAtLaunch: false,
            },
          ],
        },
      ],
      $metadata: metadata,
    });
    const report = await handler(sample('scheduled.json'), context);
    expect(report.services).toEqual([]);
    const emf = printed.map((line) => JSON.parse(line) as Record<string, unknown>).find((o) => '_aws' in o);
    expect(emf).toMatchObject({ GroupConfigErrors: 1 });
    expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });

  it('decides and records but does not act when the kill-switch item is on', async () => {
    ddb.on(GetItemCommand, { Key: { pk: { S: 'advisor' }, sk: { S: 'kill-switch' } } }).resolves({
      Item: { pk: { S: 'advisor' }, sk: { S: 'kill-switch' }, on: { BOOL: true } },
      $metadata: metadata,
    });
    const report = await handler(sample('scheduled.json'), context);
    expect(report.killSwitch).toBe(true);
    expect(report.services[0]!.record).toMatchObject({ outcome: 'blocked', guardrails: ['kill-switch'] });
    expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });

  describe('when EventBridge keeps rejecting the ActionApplied event', () => {
    beforeEach(() => {
      eb.on(PutEventsCommand).resolves({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'internal error' }],
        $metadata: metadata,
      });
    });

    it('keeps it on the advisor-events dead-letter queue and the run succeeds', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1', $metadata: metadata });
      const report = await handler(sample('scheduled.json'), context);

      expect(report.errors).toEqual([]);
      const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
      expect(sent.map((m) => m.QueueUrl)).toEqual([process.env.ADVISOR_EVENTS_DLQ_URL]);
      expect(JSON.parse(sent[0]!.MessageBody!)).toMatchObject({
        source: 'headroom.advisor',
        detailType: 'ActionApplied',
        errorCode: 'InternalFailure',
        detail: { serviceId: 'web' },
      });
    });

    it('throws, naming the lost event, when the dead-letter queue refuses it too', async () => {
      sqs.on(SendMessageCommand).rejects(Object.assign(new Error('access denied'), { name: 'AccessDenied' }));
      await expect(handler(sample('scheduled.json'), context)).rejects.toThrow(
        'advisor events lost: EventsLostError: 1 advisor event(s) neither published nor dead-lettered (ActionApplied web): AccessDenied: access denied',
      );
      // The decision itself was still taken and recorded before the publish.
      expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(1);
      expect(ddb.commandCalls(PutItemCommand).length).toBeGreaterThan(0);
    });
  });
});
