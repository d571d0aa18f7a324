import { describe, expect, it } from '@jest/globals';
import { exportWarnings } from '@headroom/lab/workloads/cloudWatchExport';
import { parseCloudWatchJson } from '@headroom/lab/workloads/traceFormats';

const T0 = Date.UTC(2024, 4, 6);
const stamp = (i: number) => new Date(T0 + i * 300_000).toISOString().replace('.000Z', 'Z');

/** `aws cloudwatch get-metric-statistics --statistics Sum Average --extended-statistics p99` output. */
const statistics = {
  Label: 'RequestCount',
  Datapoints: [2, 0, 1].map((i) => ({
    Timestamp: stamp(i),
    Sum: 600 + i,
    Average: 1,
    ExtendedStatistics: { p99: 0.2 + i / 100 },
    Unit: 'Count',
  })),
};

const result = (Id: string, Label: string, n: number, extra: object = {}) => ({
  Id,
  Label,
  Timestamps: Array.from({ length: n }, (_, i) => stamp(n - 1 - i)),
  Values: Array.from({ length: n }, (_, i) => 100 + i),
  StatusCode: 'Complete',
  ...extra,
});

describe('get-metric-statistics output', () => {
  it('reads the chosen statistic, Datapoints in any order', () => {
    const points = parseCloudWatchJson(JSON.stringify(statistics), 's.json', { id: 'Sum' });
    expect(points.map((p) => [p.at, p.value]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [T0, 600],
      [T0 + 300_000, 601],
      [T0 + 600_000, 602],
    ]);
    expect(parseCloudWatchJson(JSON.stringify(statistics), 's.json', { id: 'p99' })[0]!.value).toBeCloseTo(
      0.22,
    );
  });

  it('asks which statistic when there are several', () => {
    expect(() => parseCloudWatchJson(JSON.stringify(statistics), 's.json')).toThrow(
      's.json: Datapoints: several statistics: Sum, Average, p99; choose one with --column',
    );
  });
});

describe('get-metric-data with several results', () => {
  const doc = {
    MetricDataResults: [result('req', 'RequestCount', 3), result('p99', 'TargetResponseTime p99', 3)],
  };

  it('never takes the first silently', () => {
    expect(() => parseCloudWatchJson(JSON.stringify(doc), 'd.json')).toThrow(
      'd.json: MetricDataResults: 2 results: req ("RequestCount"), p99 ("TargetResponseTime p99"); choose one by Id or Label with --column',
    );
  });

  it('reads every page the AWS CLI merged under one Id', () => {
    const merged = {
      MetricDataResults: [result('req', 'RequestCount', 3), result('req', 'RequestCount', 2)],
    };
    expect(parseCloudWatchJson(JSON.stringify(merged), 'm.json')).toHaveLength(5);
  });

  it('chooses by Id or by Label', () => {
    expect(parseCloudWatchJson(JSON.stringify(doc), 'd.json', { id: 'p99' })).toHaveLength(3);
    expect(parseCloudWatchJson(JSON.stringify(doc), 'd.json', { id: 'RequestCount' })[0]!.where).toBe(
      'MetricDataResults[0].Values[0]',
    );
  });

  it('reports PartialData and a NextToken left on the last page', () => {
    const pages = [
      {
        MetricDataResults: [result('req', 'RequestCount', 2, { StatusCode: 'PartialData' })],
        NextToken: 'a',
      },
      { MetricDataResults: [result('req', 'RequestCount', 2)], NextToken: 'b' },
    ];
    const warnings = exportWarnings(JSON.stringify(pages), 'req');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^PartialData: result req on page 1 is incomplete/);
    expect(warnings[1]).toMatch(/^NextToken: the last page of 2 has a NextToken/);
    expect(
      exportWarnings(JSON.stringify(pages.slice(1).map((p) => ({ ...p, NextToken: undefined })))),
    ).toEqual([]);
  });
});
