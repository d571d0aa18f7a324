/**
 * The evaluate handler with a stored forecast: a calm group whose forecast says load is coming is
 * held at the forecast floor instead of scaled in, and without a forecast item it is not.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { EvaluationReport } from '@headroom/core';
import {
  forecastItem,
  LAMBDA_ENV,
  lambdaContext,
  managedGroup,
  metadata,
  storedForecast,
} from './forecastFixtures.js';

const cw = mockClient(CloudWatchClient);
const asg = mockClient(AutoScalingClient);
const ddb = mockClient(DynamoDBClient);
const eb = mockClient(EventBridgeClient);
const event = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../events/evaluate/scheduled.json'), 'utf8'),
) as unknown;
const context = lambdaContext('EvaluateFunction');

type Handler = (event: unknown, context: Context) => Promise<EvaluationReport>;
let handler: Handler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // Every test is a fresh account: discovery is not reused between them (it is, in Lambda, for 5 min).
  Object.assign(process.env, LAMBDA_ENV, {
    POWERTOOLS_SERVICE_NAME: 'headroom-evaluate',
    DISCOVERY_MAX_AGE_SECONDS: '0',
  });
  for (const method of ['log', 'info', 'error', 'warn'] as const)
    jest.spyOn(console, method).mockImplementation(() => undefined);
  ({ handler } = (await import('../../functions/evaluate/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  jest.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** The web group: 6 instances in service at 20 % CPU, which alone would be scaled in. */
beforeEach(() => {
  for (const mock of [cw, asg, ddb, eb]) mock.reset();
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const end = Math.floor(input.EndTime!.getTime() / 60_000) * 60_000;
    const minutes = [5, 4, 3, 2, 1].map((m) => new Date(end - m * 60_000));
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
        Id: q.Id,
        Label: q.Label,
        Timestamps: minutes,
        Values: minutes.map(() => 20),
        StatusCode: 'Complete',
        Messages: [],
      })),
      Messages: [],
      $metadata: metadata,
    };
  });
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .resolves({ AutoScalingGroups: [managedGroup('web', 6)], $metadata: metadata });
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [], $metadata: metadata });
  asg.on(SetDesiredCapacityCommand).resolves({ $metadata: metadata });
  ddb.on(GetItemCommand).resolves({ $metadata: metadata });
  ddb.on(PutItemCommand).resolves({ $metadata: metadata });
  eb.on(PutEventsCommand).resolves({
    FailedEntryCount: 0,
    Entries: [{ EventId: 'e1' }],
    $metadata: metadata,
  });
});

const forecastKey = { pk: { S: 'service#web' }, sk: { S: 'forecast' } };

describe('evaluate handler with the stored forecast as its floor', () => {
  it('without a forecast item, scales the calm group in', async () => {
    const report = await handler(event, context);
    expect(report.errors).toEqual([]);
    const decision = report.services[0]!.record!.decision;
    expect(decision.desiredCapacity).toBeLessThan(6);
    expect(decision.rule).not.toBe('forecast/floor');
    expect(ddb.commandCalls(GetItemCommand, { Key: forecastKey })).toHaveLength(1);
  });

  it('with a forecast of load coming, raises the decision to the forecast floor and says why', async () => {
    // 6,000 requests/min is 100 requests/s; at 10 a second an instance that needs more than 6.
    ddb
      .on(GetItemCommand, { Key: forecastKey })
      .resolves({ Item: forecastItem(storedForecast('web', Date.now(), 6_000)), $metadata: metadata });
    const report = await handler(event, context);
    expect(report.errors).toEqual([]);
    const decision = report.services[0]!.record!.decision;
    expect(decision.rule).toBe('forecast/floor');
    expect(decision.desiredCapacity).toBeGreaterThan(6);
    expect(decision.reason).toMatch(/^Forecast floor \d+: up to 6000 requests\/min expected/);
    expect(asg.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity)).toEqual([
      decision.desiredCapacity,
    ]);
  });

  it('with a stored rise margin, raises the floor above the measured load: the benchmarked need now', async () => {
    // Behind an ALB, so its requests are measured: 600 a minute, p99 100 ms, CPU 20 %.
    const group = managedGroup('web', 6);
    const tag = { ...group.Tags![0]!, Key: 'headroom:load-balancer', Value: 'app/web/50dc6c495c0c9188' };
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [{ ...group, Tags: [...group.Tags!, tag] }], $metadata: metadata });
    const byMetric: Record<string, number> = {
      CPUUtilization: 20,
      TargetResponseTime: 0.1,
      RequestCount: 600,
    };
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const end = Math.floor(input.EndTime!.getTime() / 60_000) * 60_000;
      const minutes = [5, 4, 3, 2, 1].map((m) => new Date(end - m * 60_000));
      const value = (q: NonNullable<GetMetricDataCommandInput['MetricDataQueries']>[number]) =>
        byMetric[q.MetricStat?.Metric?.MetricName ?? ''];
      return {
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Label: q.Label,
          Timestamps: value(q) === undefined ? [] : minutes,
          Values: value(q) === undefined ? [] : minutes.map(() => value(q)!),
          StatusCode: 'Complete',
          Messages: [],
        })),
        Messages: [],
        $metadata: metadata,
      };
    });
    // The forecast expects only 60 requests/min (one instance), and is not trusted besides; the
    // margin says the load can rise by 6,000 within the lead time, as the forecast function learned.
    const calm = storedForecast('web', Date.now(), 60);
    const withoutMargin = { ...calm, verdict: { ...calm.verdict, mape: 35 } };
    ddb
      .on(GetItemCommand, { Key: forecastKey })
      .resolves({ Item: forecastItem(withoutMargin), $metadata: metadata });
    const before = (await handler(event, context)).services[0]!.record!.decision;
    expect(before.rule).not.toBe('forecast/floor');
    expect(before.desiredCapacity).toBeLessThan(6);

    ddb
      .on(GetItemCommand, { Key: forecastKey })
      .resolves({ Item: forecastItem({ ...withoutMargin, riseMargin: 6_000 }), $metadata: metadata });
    const report = await handler(event, context);
    expect(report.errors).toEqual([]);
    const decision = report.services[0]!.record!.decision;
    expect(decision.rule).toBe('forecast/floor');
    expect(decision.desiredCapacity).toBeGreaterThan(6);
    expect(decision.reason).toMatch(
      /^Forecast floor \d+: need now \d+ instance\(s\): 600 requests\/min measured \+ 6000 it can rise within the lead time \(boot \+ warm-up 300 s as configured: 0 of the 3 launches needed to learn it seen\), at 10\.0 requests\/s per instance \(forecast not used: MAPE 35\.0 % > 20 %\)\./,
    );
  });

  it('a forecast item it cannot read is a run error, and the service is still decided reactively', async () => {
    ddb.on(GetItemCommand, { Key: forecastKey }).resolves({
      Item: { ...forecastKey, encoding: { S: 'json' }, body: { S: '{}' } },
      $metadata: metadata,
    });
    const report = await handler(event, context);
    expect(report.errors).toEqual([
      {
        stage: 'forecast web',
        message: expect.stringContaining('state item service#web/forecast: encoding'),
      },
    ]);
    expect(report.services[0]!.record!.decision.rule).not.toBe('forecast/floor');
  });
});
