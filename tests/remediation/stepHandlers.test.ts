/** The workflow's Lambda steps as Lambda runs them (middy, Powertools), with AWS mocked. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
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

  it('SetDesiredCapacity scales a valid plan', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'orders',
          DesiredCapacity: 4,
          MinSize: 2,
          MaxSize: 20,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date(0),
          Instances: [],
        },
      ],
    });
    autoScaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    autoScaling.on(SetDesiredCapacityCommand).resolves({});
    await scale({ groupName: 'orders', from: 4, to: 6 }, context);
    expect(autoScaling.commandCalls(SetDesiredCapacityCommand)[0]?.args[0].input).toMatchObject({
      AutoScalingGroupName: 'orders',
      DesiredCapacity: 6,
    });
  });

  it('SetDesiredCapacity refuses a malformed scale before calling AWS', async () => {
    autoScaling.reset();
    await expect(scale({ groupName: 'orders', to: -1 }, context)).rejects.toThrow('Failed to parse schema');
    expect(autoScaling.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  });
});
