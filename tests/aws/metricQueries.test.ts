import { describe, expect, it } from '@jest/globals';
import { assembleSeries, batchesOf, planQueries, queriesOf, type MetricResult } from '@headroom/core';
import { aService, MINUTE, T0 } from './fixtures.js';

const web = aService('web', {
  loadBalancer: 'app/web-alb/50dc6c495c0c9188',
  targetGroup: 'targetgroup/web/943f017f100becff',
  dbInstanceId: 'web-db',
  dbMaxConnections: 200,
  cacheReplicationGroupId: 'web-cache-001',
  cdnDistributionId: 'E2QWRUHAPOMQZL',
});
const bare = aService('batch');

describe('planQueries', () => {
  it('asks one query per configured source, with ids CloudWatch accepts and no duplicates', () => {
    const planned = planQueries([web, bare], 60);
    expect(planned.map((p) => `${p.serviceId}:${p.source}`)).toEqual([
      'web:requests',
      'web:latencyP99',
      'web:errors5xx',
      'web:cpu',
      'web:dbConnections',
      'web:cacheHitRate',
      'web:cdnHitRate',
      'batch:cpu',
    ]);
    for (const p of planned) expect(p.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    expect(new Set(planned.map((p) => p.id)).size).toBe(planned.length);
  });

  it('reads latency as p99 of TargetResponseTime on the ALB and target group', () => {
    const latency = planQueries([web], 60, ['p99LatencyMs'])[0]!;
    expect(latency.query.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'TargetResponseTime',
        Dimensions: [
          { Name: 'LoadBalancer', Value: 'app/web-alb/50dc6c495c0c9188' },
          { Name: 'TargetGroup', Value: 'targetgroup/web/943f017f100becff' },
        ],
      },
      Period: 60,
      Stat: 'p99',
    });
  });

  it('sends CloudFront to us-east-1 with Region=Global and everything else to the local region', () => {
    const planned = planQueries([web], 60);
    const cdn = planned.find((p) => p.source === 'cdnHitRate')!;
    expect(cdn.region).toBe('us-east-1');
    expect(cdn.query.MetricStat?.Metric?.Dimensions).toContainEqual({ Name: 'Region', Value: 'Global' });
    expect(planned.filter((p) => p.region === 'us-east-1')).toHaveLength(1);
  });

  it("reads a replication group's cache hit rate from its first member, whichever cluster mode names it", () => {
    const byGroup = aService('a', { cacheReplicationGroupId: 'sessions' });
    const byMember = aService('b', { cacheReplicationGroupId: 'sessions-0002-001' });
    const [group, member] = planQueries([byGroup, byMember], 60, ['cacheHitRatioPct']);
    // Cluster mode disabled names members <group>-001; enabled, <group>-0001-001: one of them exists.
    expect(group!.inputs?.map((q) => [q.Id, q.ReturnData, q.MetricStat?.Metric?.Dimensions])).toEqual([
      ['q0m0', false, [{ Name: 'CacheClusterId', Value: 'sessions-001' }]],
      ['q0m1', false, [{ Name: 'CacheClusterId', Value: 'sessions-0001-001' }]],
    ]);
    expect(group!.query).toMatchObject({ Id: 'q0', ReturnData: true, Expression: 'MAX([q0m0, q0m1])' });
    expect(member!.inputs).toBeUndefined();
    expect(member!.query.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'CacheClusterId', Value: 'sessions-0002-001' },
    ]);
  });

  it("counts an expression's inputs toward a call's 500 queries, and sends them before it", () => {
    const cached = Array.from({ length: 200 }, (_, i) =>
      aService(`s${i}`, { cacheReplicationGroupId: `c${i}` }),
    );
    const planned = planQueries(cached, 60, ['cacheHitRatioPct']);
    const batches = batchesOf(planned, 500);
    expect(batches.map((b) => queriesOf(b).length)).toEqual([498, 102]);
    expect(
      queriesOf(batches[0]!)
        .slice(0, 3)
        .map((q) => q.Id),
    ).toEqual(['q0m0', 'q0m1', 'q0']);
  });

  it('leaves out database connections when max_connections is unknown', () => {
    const noMax = aService('api', { dbInstanceId: 'api-db' });
    expect(planQueries([noMax], 60).map((p) => p.source)).toEqual(['cpu']);
  });
});

describe('assembleSeries', () => {
  const planned = planQueries([web], 60, ['cpuPct', 'errorRatePct', 'requestsPerMinute', 'p99LatencyMs']);
  const idOf = (source: string) => planned.find((p) => p.source === source)!.id;
  const result = (points: [number, number][], status = 'Complete'): MetricResult => ({
    // CloudWatch answers newest first by default.
    timestamps: points.map(([t]) => t).reverse(),
    values: points.map(([, v]) => v).reverse(),
    status,
  });

  it('turns newest-first datapoints into oldest-first samples stamped at the end of their period', () => {
    const results = new Map([
      [
        idOf('cpu'),
        result([
          [T0, 40],
          [T0 + MINUTE, 55],
        ]),
      ],
      [
        idOf('requests'),
        result([
          [T0, 1200],
          [T0 + MINUTE, 1500],
        ]),
      ],
      [idOf('errors5xx'), result([[T0 + MINUTE, 15]])],
      [idOf('latencyP99'), result([[T0, 0.25]])],
    ]);
    const series = assembleSeries([web], planned, results, 60, [
      'cpuPct',
      'errorRatePct',
      'requestsPerMinute',
      'p99LatencyMs',
    ]);
    expect(series.get('web')).toEqual({
      serviceId: 'web',
      samples: [
        // No 5XX datapoint while requests were served: the ALB reports 5XX counts only when non-zero.
        { at: T0 + MINUTE, cpuPct: 40, requestsPerMinute: 1200, errorRatePct: 0, p99LatencyMs: 250 },
        // No latency datapoint for this minute: it stays missing, never zero.
        { at: T0 + 2 * MINUTE, cpuPct: 55, requestsPerMinute: 1500, errorRatePct: 1 },
      ],
    });
  });

  it('converts per-period sums to per-minute rates for longer periods', () => {
    const fivePlanned = planQueries([web], 300, ['requestsPerMinute']);
    const results = new Map([[fivePlanned[0]!.id, result([[T0, 6000]])]]);
    const series = assembleSeries([web], fivePlanned, results, 300, ['requestsPerMinute']);
    expect(series.get('web')!.samples).toEqual([{ at: T0 + 5 * MINUTE, requestsPerMinute: 1200 }]);
  });

  it('keeps what came back from a partial or failed query and names the KPIs it affects', () => {
    const results = new Map([
      [idOf('cpu'), result([[T0, 40]], 'PartialData')],
      [idOf('requests'), result([[T0, 1000]])],
      [idOf('errors5xx'), result([], 'InternalError')],
    ]);
    const series = assembleSeries([web], planned, results, 60, [
      'cpuPct',
      'errorRatePct',
      'requestsPerMinute',
      'p99LatencyMs',
    ]);
    // A failed 5XX read is not a measured zero: the error rate stays missing.
    expect(series.get('web')!.samples).toEqual([{ at: T0 + MINUTE, cpuPct: 40, requestsPerMinute: 1000 }]);
    // Latency's query never answered at all, so it is incomplete too (in the order the KPIs were asked).
    expect(series.get('web')!.incomplete).toEqual(['cpuPct', 'errorRatePct', 'p99LatencyMs']);
  });

  it('gives every asked service a series, empty when nothing came back', () => {
    const series = assembleSeries([bare], planQueries([bare], 60), new Map(), 60);
    expect(series.get('batch')).toEqual({ serviceId: 'batch', samples: [], incomplete: ['cpuPct'] });
  });
});
