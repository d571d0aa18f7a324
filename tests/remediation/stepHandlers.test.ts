/** The workflow's Lambda steps as Lambda runs them (middy, Powertools), with AWS mocked. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { readAlarmEvent, type RemediationState } from '@headroom/core';
import { aService, alarmEvent, FLEET, HEALTHY } from './fixtures.js';

const context = {
  functionName: 'step',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
type Handler = (input: unknown, context: Context) => Promise<unknown>;
let diagnose: Handler;
let guardrails: Handler;
let scale: Handler;
const autoScaling = mockClient(AutoScalingClient);
const dynamo = mockClient(DynamoDBClient);

beforeAll(async () => {
  Object.assign(process.env, {
    STATE_TABLE: 'state',
    EVENT_BUS_NAME: 'advisor',
    ALARM_NAME_PREFIX: 'headroom-',
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  diagnose = (await import('../../functions/remediate-diagnose/handler.js')).handler as Handler;
  guardrails = (await import('../../functions/remediate-guardrails/handler.js')).handler as Handler;
  scale = (await import('../../functions/remediate-scale/handler.js')).handler as Handler;
});

const state = (): RemediationState => ({
  context: {
    alarm: readAlarmEvent(alarmEvent()),
    service: aService(),
    fleet: FLEET,
    latest: { ...HEALTHY, cpuPct: 98 },
    killSwitch: false,
    actionsToday: 0,
  },
});

describe('remediation step handlers', () => {
  it('Diagnose then Guardrails turn a hot fleet into a plan to apply', async () => {
    const diagnosed = (await diagnose(state(), context)) as RemediationState;
    expect(diagnosed.diagnosis?.tier).toBe('compute');
    const planned = (await guardrails(diagnosed, context)) as RemediationState;
    expect(planned.plan).toMatchObject({
      verdict: 'apply',
      scales: [{ groupName: 'orders', from: 4, to: 6 }],
    });
  });

  const group = (mode: string) => ({
    AutoScalingGroupName: 'orders',
    DesiredCapacity: 4,
    MinSize: 2,
    MaxSize: 20,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(0),
    Instances: [],
    Tags: [
      { Key: 'headroom:managed', Value: 'true' },
      { Key: 'headroom:mode', Value: mode },
      { Key: 'headroom:min', Value: '2' },
      { Key: 'headroom:max', Value: '20' },
    ].map((t) => ({
      ...t,
      ResourceId: 'orders',
      ResourceType: 'auto-scaling-group',
      PropagateAtLaunch: false,
    })),
  });
  const world = (mode: string, killSwitch: boolean | undefined) => {
    autoScaling.reset();
    dynamo.reset();
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group(mode)] });
    autoScaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    autoScaling.on(SetDesiredCapacityCommand).resolves({});
    dynamo
      .on(GetItemCommand)
      .resolves(
        killSwitch === undefined
          ? {}
          : { Item: marshall({ pk: 'advisor', sk: 'kill-switch', on: killSwitch }) },
      );
  };

  it('SetDesiredCapacity scales a valid plan, the kill switch read just before', async () => {
    world('apply', false);
    await scale({ groupName: 'orders', from: 4, to: 6 }, context);
    expect(autoScaling.commandCalls(SetDesiredCapacityCommand)[0]?.args[0].input).toMatchObject({
      AutoScalingGroupName: 'orders',
      DesiredCapacity: 6,
    });
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  it.each([
    ['the kill switch was turned on after the plan', 'apply', true, 'kill-switch'],
    ['the service was turned to advise after the plan', 'advise', undefined, 'mode-advise'],
  ])('SetDesiredCapacity sends nothing when %s', async (_, mode, killSwitch, guardrail) => {
    world(mode, killSwitch);
    await expect(scale({ groupName: 'orders', from: 4, to: 6 }, context)).rejects.toMatchObject({
      name: 'ActionStopped',
      message: expect.stringContaining(guardrail),
    });
    expect(autoScaling.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });

  it('SetDesiredCapacity refuses a malformed scale before calling AWS', async () => {
    autoScaling.reset();
    await expect(scale({ groupName: 'orders', to: -1 }, context)).rejects.toThrow('Failed to parse schema');
    expect(autoScaling.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });
});
