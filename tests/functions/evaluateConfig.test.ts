import { describe, expect, it } from '@jest/globals';
import {
  approvalStateMachineArn,
  eventsDeadLetterQueueUrl,
  readEvaluateConfig,
} from '../../functions/evaluate/config.js';

const env = { STATE_TABLE: 'state', EVENT_BUS_NAME: 'bus' };

describe('evaluate configuration from the environment', () => {
  it('defaults to advise, kill switch off, 100 actions a day, a 15-minute window', () => {
    expect(readEvaluateConfig(env)).toEqual({
      defaultMode: 'advise',
      killSwitchForced: false,
      discoveryMaxAgeMs: 300_000,
      discoveryPagesPerRun: 25,
      stateTable: 'state',
      eventBusName: 'bus',
      servicesFromConfig: [],
      dailyActionBudget: 100,
      decisionRetentionDays: 90,
      windowMinutes: 15,
    });
  });

  it('gives SERVICES_JSON entries without a mode the deployment mode, and keeps an explicit one', () => {
    const config = readEvaluateConfig({
      ...env,
      MODE: 'apply',
      SERVICES_JSON: '[{"autoScalingGroup":"web"},{"autoScalingGroup":"api","mode":"off"}]',
    });
    expect(config.servicesFromConfig.map((s) => [s.id, s.mode])).toEqual([
      ['web', 'apply'],
      ['api', 'off'],
    ]);
  });

  it.each([
    [{ ...env, MODE: 'auto' }, 'environment: MODE "auto" is not one of advise, apply, off'],
    [{ ...env, KILL_SWITCH: 'yes' }, 'environment: KILL_SWITCH "yes" is not on or off'],
    [{ EVENT_BUS_NAME: 'bus' }, 'environment variable STATE_TABLE is not set'],
    [
      { ...env, DAILY_ACTION_BUDGET: '-1' },
      'environment variable DAILY_ACTION_BUDGET "-1" is not a whole number >= 0',
    ],
    [
      { ...env, SERVICES_JSON: '[{"autoScalingGroup":"web","max":"many"}]' },
      'services[0]: max "many" is not a positive integer',
    ],
    [{ ...env, SERVICES_JSON: '{"web":1}' }, 'is not an array of services'],
    [
      { ...env, DISCOVERY_PAGES_PER_RUN: '0' },
      'environment variable DISCOVERY_PAGES_PER_RUN "0" is not a whole number >= 1',
    ],
  ])('refuses %j naming the variable', (bad, message) => {
    expect(() => readEvaluateConfig(bad)).toThrow(message);
  });
});

describe('the advisor-events dead-letter queue URL', () => {
  it('is read from ADVISOR_EVENTS_DLQ_URL, apart from the config the remediation functions share', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq';
    expect(eventsDeadLetterQueueUrl({ ADVISOR_EVENTS_DLQ_URL: url })).toBe(url);
    expect(() => readEvaluateConfig(env)).not.toThrow();
  });

  it('is required: without it the evaluate function stops at start-up, naming the variable', () => {
    expect(() => eventsDeadLetterQueueUrl({ ADVISOR_EVENTS_DLQ_URL: ' ' })).toThrow(
      'environment variable ADVISOR_EVENTS_DLQ_URL is not set',
    );
  });
});

describe('the approval workflow', () => {
  it('is read from REMEDIATION_STATE_MACHINE_ARN and required, naming the variable', () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate';
    expect(approvalStateMachineArn({ REMEDIATION_STATE_MACHINE_ARN: arn })).toBe(arn);
    expect(() => approvalStateMachineArn({})).toThrow(
      'environment variable REMEDIATION_STATE_MACHINE_ARN is not set',
    );
  });
});
