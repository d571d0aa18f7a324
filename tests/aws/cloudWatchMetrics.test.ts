import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetricsReader, MAX_QUERIES_PER_CALL } from '@headroom/core';
import { aService, metadata, metricResult, MINUTE, T0 } from './fixtures.js';

const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
const cloudFrontMetrics = new CloudWatchClient({ region: 'us-east-1' });
const cw = mockClient(cloudWatch);
const cf = mockClient(cloudFrontMetrics);
const window = { start: T0, end: T0 + 5 * MINUTE, periodSeconds: 60 };

/** Answers each query with a datapoint whose value is the query's index, as CloudWatch would. */
function echo(input: GetMetricDataCommandInput) {
  return {
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) =>
      metricResult(q.Id!, [[T0, Number(q.Id!.slice(1))]]),
    ),
    Messages: [],
    $metadata: metadata,
  };
}

beforeEach(() => {
  cw.reset();
  cf.reset();
});

describe('CloudWatchMetricsReader', () => {
  it('reads 1,200 services in three calls of at most 500 queries, each id answered once', async () => {
    cw.on(GetMetricDataCommand).callsFake(echo);
    const services = Array.from({ length: 1200 }, (_, i) => aService(`svc-${i}`));
    const series = await new CloudWatchMetricsReader(cloudWatch).readKpis(services, window, ['cpuPct']);

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.MetricDataQueries!.length)).toEqual([500, 500, 200]);
    expect(Math.max(...calls.map((c) => c.args[0].input.MetricDataQueries!.length))).toBeLessThanOrEqual(
      MAX_QUERIES_PER_CALL,
    );
    expect(series.size).toBe(1200);
    expect(series.get('svc-1199')!.samples).toEqual([{ at: T0 + MINUTE, cpuPct: 1199 }]);
    expect(calls[0]!.args[0].input.StartTime).toEqual(new Date(T0));
    expect(calls[0]!.args[0].input.EndTime).toEqual(new Date(T0 + 5 * MINUTE));
  });

  it('follows NextToken and merges the pages of each query', async () => {
    const tokens: (string | undefined)[] = [];
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      // The paginator reuses its input object, so the token is copied at call time.
      tokens.push(input.NextToken);
      return input.NextToken === undefined
        ? {
            MetricDataResults: [
              metricResult(
                'q0',
                [
                  [T0 + 2 * MINUTE, 61],
                  [T0 + 3 * MINUTE, 62],
                ],
                'PartialData',
              ),
            ],
            NextToken: 'eyJwYWdlIjoyfQ==',
            Messages: [],
            $metadata: metadata,
          }
        : {
            MetricDataResults: [
              metricResult('q0', [
                [T0, 59],
                [T0 + MINUTE, 60],
              ]),
            ],
            Messages: [],
            $metadata: metadata,
          };
    });
    const series = await new CloudWatchMetricsReader(cloudWatch).readKpis([aService('web')], window, [
      'cpuPct',
    ]);

    expect(tokens).toEqual([undefined, 'eyJwYWdlIjoyfQ==']);
    expect(series.get('web')).toEqual({
      serviceId: 'web',
      samples: [59, 60, 61, 62].map((cpuPct, i) => ({ at: T0 + (i + 1) * MINUTE, cpuPct })),
    });
  });

  it('keeps the datapoints of a query that failed mid-way and reports it incomplete', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [metricResult('q0', [[T0, 42]], 'InternalError')],
      Messages: [],
      $metadata: metadata,
    });
    const series = await new CloudWatchMetricsReader(cloudWatch).readKpis([aService('web')], window, [
      'cpuPct',
    ]);
    expect(series.get('web')).toEqual({
      serviceId: 'web',
      samples: [{ at: T0 + MINUTE, cpuPct: 42 }],
      incomplete: ['cpuPct'],
    });
  });

  it('stops after maxPages when NextToken never ends, and says the read is incomplete', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [metricResult('q0', [[T0, 42]], 'PartialData')],
      NextToken: 'again',
      Messages: [],
      $metadata: metadata,
    });
    const reader = new CloudWatchMetricsReader(cloudWatch, { maxPages: 3 });
    const series = await reader.readKpis([aService('web')], window, ['cpuPct']);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(3);
    expect(series.get('web')!.incomplete).toEqual(['cpuPct']);
  });

  it('asks the us-east-1 client for CloudFront and the regional client for the rest', async () => {
    cw.on(GetMetricDataCommand).callsFake(echo);
    cf.on(GetMetricDataCommand).resolves({
      MetricDataResults: [metricResult('q1', [[T0, 93.5]])],
      Messages: [],
      $metadata: metadata,
    });
    const web = aService('web', { cdnDistributionId: 'E2QWRUHAPOMQZL' });
    const series = await new CloudWatchMetricsReader(cloudWatch, {
      cloudFrontClient: cloudFrontMetrics,
    }).readKpis([web], window, ['cpuPct', 'cdnHitRatioPct']);
    expect(
      cf.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!.map((q) => q.Id),
    ).toEqual(['q1']);
    expect(
      cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!.map((q) => q.Id),
    ).toEqual(['q0']);
    expect(series.get('web')!.samples).toEqual([{ at: T0 + MINUTE, cpuPct: 0, cdnHitRatioPct: 93.5 }]);
  });

  it('lets a throttling error that outlasted the SDK retries reach the caller', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { ...metadata, httpStatusCode: 400, attempts: 5 },
    });
    cw.on(GetMetricDataCommand).rejects(throttled);
    await expect(
      new CloudWatchMetricsReader(cloudWatch).readKpis([aService('web')], window, ['cpuPct']),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('makes no call when no service needs a metric', async () => {
    const series = await new CloudWatchMetricsReader(cloudWatch).readKpis([aService('web')], window, [
      'cdnHitRatioPct',
    ]);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
    expect(series.get('web')).toEqual({ serviceId: 'web', samples: [] });
  });
});
