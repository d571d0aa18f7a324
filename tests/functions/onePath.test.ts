/**
 * One decision path: the same minute's inputs (the group, 15 minutes of KPIs, the stored forecast)
 * give the same decision through the evaluate Lambda handler, with AWS mocked, and through the
 * replay's deployed Headroom (lab/world/deployedHeadroom.ts), which the benchmark and
 * `headroom simulate` run.
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
import {
  adaptiveReadSchedule,
  DEFAULTS,
  parseServiceConfig,
  rateMinutes,
  readCandidates,
  type DecisionRecord,
  type EvaluationReport,
  type KpiSample,
  type ServiceForecast,
} from '@headroom/core';
import { deployedHeadroom } from '@headroom/lab/world/deployedHeadroom.js';
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
const MINUTE = 60_000;
const LOAD_BALANCER = 'app/web/50dc6c495c0c9188';
const tags = {
  'headroom:managed': 'true',
  'headroom:mode': 'apply',
  'headroom:max': '20',
  'headroom:load-balancer': LOAD_BALANCER,
};
const service = { ...parseServiceConfig('test', tags, 'web'), tiers: { loadBalancer: LOAD_BALANCER } };
/** A minute on the service's read slot under the deployed read plan (both paths run the plan). */
const schedule = adaptiveReadSchedule(rateMinutes(DEFAULTS.evaluateSchedule));
const NOW = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  .map((m) => Date.UTC(2026, 10, 24, 10, m))
  .find((at) => readCandidates([service], at, schedule).length === 1)!;

type Handler = (event: unknown, context: Context) => Promise<EvaluationReport>;
let handler: Handler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // The template sets EVALUATE_SCHEDULE from its EvaluateSchedule parameter: the read plan runs too.
  Object.assign(process.env, LAMBDA_ENV, {
    POWERTOOLS_SERVICE_NAME: 'headroom-evaluate',
    EVALUATE_SCHEDULE: DEFAULTS.evaluateSchedule,
    DAILY_ACTION_BUDGET: String(DEFAULTS.dailyActionBudget),
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

beforeEach(() => {
  for (const mock of [cw, asg, ddb, eb]) mock.reset();
});

/** 15 one-minute samples ending at NOW: `rpm` requests a minute at `cpu` % CPU and `p99` ms. */
function minutes(rpm: (i: number) => number, cpu: (i: number) => number, p99: (i: number) => number) {
  return Array.from({ length: 15 }, (_, i): KpiSample => ({
    at: NOW - (14 - i) * MINUTE,
    requestsPerMinute: rpm(i),
    cpuPct: cpu(i),
    p99LatencyMs: p99(i),
    errorRatePct: 0,
  }));
}

/** What CloudWatch returns for these samples: each datapoint stamped at its period's start. */
function answerWith(samples: readonly KpiSample[]) {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    const inWindow = samples.filter((s) => s.at - MINUTE >= start && s.at - MINUTE < end);
    const valueOf = (name: string, s: KpiSample): number | undefined =>
      name === 'CPUUtilization'
        ? s.cpuPct
        : name === 'TargetResponseTime'
          ? s.p99LatencyMs! / 1000
          : name === 'RequestCount'
            ? s.requestsPerMinute
            : undefined;
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const name = q.MetricStat?.Metric?.MetricName ?? '';
        const points = inWindow.filter((s) => valueOf(name, s) !== undefined);
        return {
          Id: q.Id,
          Label: q.Label,
          Timestamps: points.map((s) => new Date(s.at - MINUTE)).reverse(),
          Values: points.map((s) => valueOf(name, s)!).reverse(),
          StatusCode: 'Complete',
          Messages: [],
        };
      }),
      Messages: [],
      $metadata: metadata,
    };
  });
}

async function throughTheHandler(
  inService: number,
  samples: readonly KpiSample[],
  forecast: ServiceForecast | undefined,
): Promise<DecisionRecord> {
  answerWith(samples);
  const group = managedGroup('web', inService);
  const lb = { ...group.Tags![0]!, Key: 'headroom:load-balancer', Value: LOAD_BALANCER };
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .resolves({ AutoScalingGroups: [{ ...group, Tags: [...group.Tags!, lb] }], $metadata: metadata });
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [], $metadata: metadata });
  asg.on(SetDesiredCapacityCommand).resolves({ $metadata: metadata });
  ddb.on(GetItemCommand).resolves({ $metadata: metadata });
  if (forecast) {
    ddb
      .on(GetItemCommand, { Key: { pk: { S: 'service#web' }, sk: { S: 'forecast' } } })
      .resolves({ Item: forecastItem(forecast), $metadata: metadata });
  }
  ddb.on(PutItemCommand).resolves({ $metadata: metadata });
  eb.on(PutEventsCommand).resolves({
    FailedEntryCount: 0,
    Entries: [{ EventId: 'e1' }],
    $metadata: metadata,
  });
  const clock = jest.spyOn(Date, 'now').mockReturnValue(NOW);
  try {
    const report = await handler(event, context);
    expect(report.errors).toEqual([]);
    expect(report.services.map((s) => s.status)).toEqual(['evaluated']);
    return report.services[0]!.record!;
  } finally {
    clock.mockRestore();
  }
}

async function throughTheReplay(
  inService: number,
  samples: readonly KpiSample[],
  forecast: ServiceForecast | undefined,
): Promise<{ record: DecisionRecord; desired: number }> {
  // The same service the tags describe, listed in the config as the replay lists it.
  const headroom = deployedHeadroom(service, { forecastRanAt: NOW });
  if (forecast) await headroom.state.putForecast(forecast);
  const desired = await headroom.decide({
    at: NOW,
    fleet: { groupName: 'web', desired: inService, inService, warmingUp: 0, min: 2, max: 20 },
    latest: samples.at(-1)!,
    history: samples,
  });
  const report = headroom.lastReport()!;
  expect(report.errors).toEqual([]);
  expect(report.services.map((s) => s.status)).toEqual(['evaluated']);
  return { record: report.services[0]!.record!, desired };
}

const sameDecision = (record: DecisionRecord) => ({
  outcome: record.outcome,
  guardrails: record.guardrails,
  desiredCapacity: record.decision.desiredCapacity,
  rule: record.decision.rule,
  reason: record.decision.reason,
  confidence: record.decision.confidence,
});

describe('one decision path: the evaluate handler and the replay decide the same minute alike', () => {
  it.each([
    ['a hot fleet scaled out by target tracking', 4, () => 2400, () => 90, () => 180, undefined],
    ['a calm fleet held up by the stored forecast floor', 6, () => 600, () => 20, () => 110, 6_000],
    [
      'a latency breach on a cool CPU',
      5,
      () => 3000,
      () => 55,
      (i: number) => (i > 11 ? 900 : 200),
      undefined,
    ],
  ])('%s', async (_name, inService, rpm, cpu, p99, upper) => {
    const samples = minutes(rpm, cpu, p99);
    const forecast = upper === undefined ? undefined : storedForecast('web', NOW, upper);
    const lambda = await throughTheHandler(inService, samples, forecast);
    const replayed = await throughTheReplay(inService, samples, forecast);
    expect(sameDecision(replayed.record)).toEqual(sameDecision(lambda));
    expect(lambda.decision.desiredCapacity).not.toBe(inService);
    const set = asg.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity);
    expect(set).toEqual(lambda.outcome === 'applied' ? [lambda.decision.desiredCapacity] : []);
    expect(replayed.desired).toBe(lambda.outcome === 'applied' ? lambda.decision.desiredCapacity : inService);
  });
});
