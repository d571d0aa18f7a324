/**
 * The forecast handler on its sample event: CloudWatch and Auto Scaling mocked, the state table in
 * dynalite. It scores the stored forecast, stores the refit one, and publishes ForecastError (the
 * MAPE of each scored service) with the run counts as EMF.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandInput,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoForecastStore, type ForecastRunReport } from '@headroom/core';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { LAMBDA_ENV, lambdaContext, managedGroup, metadata, storedForecast } from './forecastFixtures.js';

const cw = mockClient(CloudWatchClient);
const asg = mockClient(AutoScalingClient);
const event = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../events/forecast/scheduled.json'), 'utf8'),
) as Record<string, unknown>;
const context: Context = lambdaContext('ForecastFunction');
const DAY = 86_400_000;
const STEP = 5 * 60_000;

type Handler = (event: unknown, context: Context) => Promise<ForecastRunReport>;
let handler: Handler;
const STATE_TABLE = 'headroom-StateTable-1QW2E3R4T5Y6';
let dynamo: LocalDynamo;
const printed: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite(STATE_TABLE);
  Object.assign(process.env, LAMBDA_ENV, {
    POWERTOOLS_SERVICE_NAME: 'headroom-forecast',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
  for (const method of ['info', 'error', 'warn'] as const)
    jest.spyOn(console, method).mockImplementation(() => undefined);
  ({ handler } = (await import('../../functions/forecast/handler.js')) as unknown as { handler: Handler });
});

afterAll(async () => {
  jest.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await dynamo.close();
});

/** Load with a daily cycle, requests a minute (RequestCount is its sum over the period); CPU flat at 50 %. */
const loadAt = (at: number) => 1000 + 600 * Math.sin((2 * Math.PI * at) / DAY);

beforeEach(() => {
  cw.reset();
  asg.reset();
  printed.length = 0;
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    // CloudWatch answers at the period asked for: RequestCount is the sum over it.
    const periodMs = (input.MetricDataQueries?.[0]?.MetricStat?.Period ?? STEP / 1000) * 1000;
    const from = Math.ceil(input.StartTime!.getTime() / periodMs) * periodMs;
    const times: number[] = [];
    for (let at = from; at < input.EndTime!.getTime(); at += periodMs) times.push(at);
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
        Id: q.Id,
        Label: q.Label,
        Timestamps: times.map((at) => new Date(at)).reverse(),
        Values: times
          .map((at) => (q.Label?.endsWith('requests') ? (periodMs / 60_000) * loadAt(at) : 50))
          .reverse(),
        StatusCode: 'Complete',
        Messages: [],
      })),
      Messages: [],
      $metadata: metadata,
    };
  });
  const web = managedGroup('web', 4);
  web.Tags!.push({
    ResourceId: 'web',
    ResourceType: 'auto-scaling-group',
    Key: 'headroom:load-balancer',
    Value: 'app/web/50dc6c495c0c9188',
    PropagateAtLaunch: false,
  });
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => ({
    AutoScalingGroups: input.Filters ? [web, managedGroup('batch', 2)] : [web],
    $metadata: metadata,
  }));
});

const emf = () =>
  printed.map((line) => JSON.parse(line) as Record<string, unknown>).filter((o) => '_aws' in o);

describe('forecast handler on the sample event', () => {
  it('scores the stored forecast, stores the refit one and publishes its MAPE as ForecastError', async () => {
    const store = new DynamoForecastStore(dynamo.client, { tableName: STATE_TABLE });
    // Made an hour ago, right to within the 5 minutes a sample lags, and scored 6 times at 4 % before.
    const previous = storedForecast('web', Date.now(), 6_000);
    const load = previous.forecast!.point.map((_, i) => loadAt(previous.forecast!.start + i * STEP));
    const scored = {
      madeAt: previous.at - 3_600_000,
      mape: 4,
      mase: 0.5,
      mae: 30,
      upperCoverage: 100,
      points: 12,
    };
    await store.putForecast({
      ...previous,
      forecast: {
        ...previous.forecast!,
        point: load,
        lower: load.map((v) => v * 0.8),
        upper: load.map((v) => v * 1.2),
      },
      accuracy: { evaluations: Array.from({ length: 6 }, () => scored) },
    });

    const report = await handler(event, context);

    expect(report.errors).toEqual([]);
    // batch has no load balancer: no request history, so it stays reactive until it has one.
    expect(report.services.map((s) => [s.serviceId, s.status])).toEqual([
      ['web', 'forecast'],
      ['batch', 'reactive'],
    ]);
    const web = report.services[0]!;
    // The mean of six 4 % scores and this hour's, which is under 2 %.
    expect(web.mape).toBeGreaterThan(24 / 7);
    expect(web.mape).toBeLessThan(26 / 7);
    expect(Number.isFinite(web.mase)).toBe(true);

    const stored = await store.getForecast('web');
    expect(stored?.accuracy.evaluations).toHaveLength(7);
    expect(stored?.forecast?.point).toHaveLength(576);
    expect(stored?.ratePerInstance).toBeGreaterThan(0);
    expect((await store.getForecast('batch'))?.verdict).toMatchObject({
      use: 'reactive',
      fallback: 'history-short',
    });

    const [metrics] = emf();
    expect(metrics).toMatchObject({
      service: 'headroom-forecast',
      Forecasts: 1,
      ReactiveFallbacks: 1,
      ServiceFailures: 0,
      RunErrors: 0,
    });
    expect(metrics?.ForecastError).toBeCloseTo(web.mape!, 10);
    const definitions = (
      metrics?._aws as { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] }
    ).CloudWatchMetrics[0]!.Metrics;
    expect(definitions).toContainEqual({ Name: 'ForecastError', Unit: 'Percent' });
  });

  it('publishes no ForecastError while no service has a scored forecast', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [managedGroup('batch', 2)],
      $metadata: metadata,
    });
    const report = await handler(event, context);
    expect(report.services).toEqual([
      expect.objectContaining({
        serviceId: 'batch',
        status: 'reactive',
        message: expect.stringMatching(/^history-short: /),
      }),
    ]);
    const [metrics] = emf();
    expect(metrics).toMatchObject({ Forecasts: 0, ReactiveFallbacks: 1, RunErrors: 0 });
    expect(metrics).not.toHaveProperty('ForecastError');
  });

  it('refuses a malformed event before any AWS call, naming the field', async () => {
    await expect(handler({ ...event, scheduledTime: 'yesterday' }, context)).rejects.toThrow(
      /^scheduled event is malformed: .*scheduledTime/,
    );
    expect(cw.calls()).toHaveLength(0);
    expect(asg.calls()).toHaveLength(0);
  });
});
