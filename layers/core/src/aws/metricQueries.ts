/**
 * Which CloudWatch metric answers which KPI, and how the answers become KPI samples.
 * Pure functions: the reader sends the planned queries and hands the results back here.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ALL_KPIS, type KpiName, type KpiSample, type KpiSeries } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';

/** One CloudWatch time series per service and source. */
export type MetricSource =
  'cpu' | 'latencyP99' | 'errors5xx' | 'requests' | 'dbConnections' | 'cacheHitRate' | 'cdnHitRate';

/** `us-east-1` marks CloudFront's metrics, which live only there. */
export type MetricRegion = 'local' | 'us-east-1';

export interface PlannedQuery {
  /** Matches ^[a-z][a-zA-Z0-9_]*$ and is unique across the whole plan. */
  id: string;
  serviceId: string;
  source: MetricSource;
  region: MetricRegion;
  /** The query whose result is read (ReturnData true). */
  query: MetricDataQuery;
  /** Metrics the query's expression reads, sent in the same call but not returned. */
  inputs?: MetricDataQuery[];
}

/** What CloudWatch returned for one query id, pages merged. */
export interface MetricResult {
  /** Epoch ms of each datapoint's period start, in the order CloudWatch sent them. */
  timestamps: number[];
  values: number[];
  /** Complete, PartialData, InternalError or Forbidden, from the last page. */
  status: string;
}

export { ALL_KPIS };

const SOURCES_OF: Record<KpiName, readonly MetricSource[]> = {
  requestsPerMinute: ['requests'],
  p99LatencyMs: ['latencyP99'],
  errorRatePct: ['errors5xx', 'requests'],
  cpuPct: ['cpu'],
  dbConnectionsPct: ['dbConnections'],
  cacheHitRatioPct: ['cacheHitRate'],
  cdnHitRatioPct: ['cdnHitRate'],
};

interface MetricSpec {
  namespace: string;
  metricName: string;
  stat: string;
  dimensions: Record<string, string>;
  /** Other names the same series may be published under; only one of them exists. */
  alternatives?: Record<string, string>[];
  region: MetricRegion;
}

function albDimensions(service: ManagedService): Record<string, string> | undefined {
  const { loadBalancer, targetGroup } = service.tiers;
  if (loadBalancer === undefined) return undefined;
  return targetGroup === undefined
    ? { LoadBalancer: loadBalancer }
    : { LoadBalancer: loadBalancer, TargetGroup: targetGroup };
}

function alb(service: ManagedService, metricName: string, stat: string): MetricSpec | undefined {
  const dimensions = albDimensions(service);
  if (dimensions === undefined) return undefined;
  return { namespace: 'AWS/ApplicationELB', metricName, stat, dimensions, region: 'local' };
}

/**
 * ElastiCache publishes CacheHitRate per member cluster, not per replication group. Members are
 * `<group>-001`, `-002`, … with cluster mode disabled, and `<group>-0001-001` (shard, then node) with
 * cluster mode enabled, which the group's id does not tell. So a group id reads its first member
 * under both names, of which only one exists; an id that names a member (ends in -NNN) is used as is.
 */
export function cacheClustersOf(id: string): string[] {
  return /-\d{3}$/.test(id) ? [id] : [`${id}-001`, `${id}-0001-001`];
}

/** The metric behind a source, or undefined when the service has no such tier configured. */
function specOf(service: ManagedService, source: MetricSource): MetricSpec | undefined {
  const { tiers } = service;
  switch (source) {
    case 'cpu':
      return {
        namespace: 'AWS/EC2',
        metricName: 'CPUUtilization',
        stat: 'Average',
        dimensions: { AutoScalingGroupName: service.autoScalingGroupName },
        region: 'local',
      };
    case 'latencyP99':
      return alb(service, 'TargetResponseTime', 'p99');
    case 'errors5xx':
      return alb(service, 'HTTPCode_Target_5XX_Count', 'Sum');
    case 'requests':
      return alb(service, 'RequestCount', 'Sum');
    case 'dbConnections':
      // Without max_connections a connection count cannot become the percentage the SLO speaks of.
      if (tiers.dbInstanceId === undefined || tiers.dbMaxConnections === undefined) return undefined;
      return {
        namespace: 'AWS/RDS',
        metricName: 'DatabaseConnections',
        stat: 'Average',
        dimensions: { DBInstanceIdentifier: tiers.dbInstanceId },
        region: 'local',
      };
    case 'cacheHitRate': {
      if (tiers.cacheReplicationGroupId === undefined) return undefined;
      const [first, ...others] = cacheClustersOf(tiers.cacheReplicationGroupId);
      return {
        namespace: 'AWS/ElastiCache',
        metricName: 'CacheHitRate',
        stat: 'Average',
        dimensions: { CacheClusterId: first! },
        alternatives: others.map((CacheClusterId) => ({ CacheClusterId })),
        region: 'local',
      };
    }
    case 'cdnHitRate':
      if (tiers.cdnDistributionId === undefined) return undefined;
      return {
        namespace: 'AWS/CloudFront',
        metricName: 'CacheHitRate',
        stat: 'Average',
        dimensions: { DistributionId: tiers.cdnDistributionId, Region: 'Global' },
        region: 'us-east-1',
      };
  }
}

export function sourcesFor(kpis: readonly KpiName[]): MetricSource[] {
  return [...new Set(kpis.flatMap((kpi) => SOURCES_OF[kpi]))];
}

const metricStat = (spec: MetricSpec, dimensions: Record<string, string>, periodSeconds: number) => ({
  Metric: {
    Namespace: spec.namespace,
    MetricName: spec.metricName,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
  },
  Period: periodSeconds,
  Stat: spec.stat,
});

/**
 * One query per service and needed source; ids are `q<n>`, valid and unique by construction. A
 * metric published under one of several names is read as MAX over them (`q<n>m<k>`, not returned):
 * the names that do not exist have no datapoints, so the one that does gives every value.
 */
export function planQueries(
  services: readonly ManagedService[],
  periodSeconds: number,
  kpis: readonly KpiName[] = ALL_KPIS,
): PlannedQuery[] {
  const planned: PlannedQuery[] = [];
  for (const service of services) {
    for (const source of sourcesFor(kpis)) {
      const spec = specOf(service, source);
      if (spec === undefined) continue;
      const id = `q${planned.length}`;
      const label = `${service.id} ${source}`;
      const names = [spec.dimensions, ...(spec.alternatives ?? [])];
      if (names.length === 1) {
        const query = {
          Id: id,
          Label: label,
          ReturnData: true,
          MetricStat: metricStat(spec, spec.dimensions, periodSeconds),
        };
        planned.push({ id, serviceId: service.id, source, region: spec.region, query });
        continue;
      }
      const inputs = names.map((dimensions, k) => ({
        Id: `${id}m${k}`,
        ReturnData: false,
        MetricStat: metricStat(spec, dimensions, periodSeconds),
      }));
      const expression = `MAX([${inputs.map((q) => q.Id).join(', ')}])`;
      const query = { Id: id, Label: label, ReturnData: true, Expression: expression };
      planned.push({ id, serviceId: service.id, source, region: spec.region, query, inputs });
    }
  }
  return planned;
}

/** Planned queries in calls of at most `max` queries each, an expression's inputs counted with it. */
export function batchesOf(planned: readonly PlannedQuery[], max: number): PlannedQuery[][] {
  const batches: PlannedQuery[][] = [];
  let current: PlannedQuery[] = [];
  let size = 0;
  for (const p of planned) {
    const weight = 1 + (p.inputs?.length ?? 0);
    if (size + weight > max && current.length > 0) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += weight;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The queries one GetMetricData call sends for a batch: each expression's inputs, then it. */
export const queriesOf = (batch: readonly PlannedQuery[]): MetricDataQuery[] =>
  batch.flatMap((p) => [...(p.inputs ?? []), p.query]);

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

type ByTime = Map<number, number>;

function kpiAt(
  kpi: KpiName,
  at: number,
  series: Partial<Record<MetricSource, ByTime>>,
  service: ManagedService,
  periodSeconds: number,
  errorsIncomplete: boolean,
): number | undefined {
  const value = (source: MetricSource) => series[source]?.get(at);
  switch (kpi) {
    case 'requestsPerMinute': {
      const requests = value('requests');
      return requests === undefined ? undefined : requests / (periodSeconds / 60);
    }
    case 'p99LatencyMs': {
      const seconds = value('latencyP99');
      return seconds === undefined ? undefined : seconds * 1000;
    }
    case 'errorRatePct': {
      const requests = value('requests');
      if (requests === undefined || requests <= 0) return undefined;
      // The ALB publishes HTTPCode_Target_5XX_Count only for periods that had a 5XX, so a period
      // with requests and no 5XX datapoint measured zero errors, unless the 5XX read itself failed.
      const errors =
        value('errors5xx') ?? (series.errors5xx === undefined || errorsIncomplete ? undefined : 0);
      return errors === undefined ? undefined : (errors / requests) * 100;
    }
    case 'cpuPct':
      return value('cpu');
    case 'dbConnectionsPct': {
      const connections = value('dbConnections');
      const max = service.tiers.dbMaxConnections;
      return connections === undefined || max === undefined ? undefined : (connections / max) * 100;
    }
    case 'cacheHitRatioPct':
      return value('cacheHitRate');
    case 'cdnHitRatioPct':
      return value('cdnHitRate');
  }
}

/**
 * Turns the results into one series per service, oldest sample first, each sample stamped at the
 * end of its period. A KPI whose datapoint is missing stays missing; a service with no query or no
 * datapoint still gets an (empty) series so callers can tell "asked, nothing came" from "not asked".
 */
export function assembleSeries(
  services: readonly ManagedService[],
  planned: readonly PlannedQuery[],
  results: ReadonlyMap<string, MetricResult>,
  periodSeconds: number,
  kpis: readonly KpiName[] = ALL_KPIS,
): Map<string, KpiSeries> {
  const out = new Map<string, KpiSeries>();
  const byService = new Map<string, PlannedQuery[]>();
  for (const p of planned) byService.set(p.serviceId, [...(byService.get(p.serviceId) ?? []), p]);
  for (const service of services) {
    const mine = byService.get(service.id) ?? [];
    const series: Partial<Record<MetricSource, ByTime>> = {};
    const incompleteSources = new Set<MetricSource>();
    const times = new Set<number>();
    for (const p of mine) {
      const result = results.get(p.id);
      if (result === undefined || result.status !== 'Complete') incompleteSources.add(p.source);
      if (result === undefined) continue;
      const byTime: ByTime = new Map();
      result.timestamps.forEach((t, i) => {
        const v = result.values[i];
        if (v !== undefined && Number.isFinite(v)) {
          byTime.set(t, v);
          times.add(t);
        }
      });
      series[p.source] = byTime;
    }
    const samples: KpiSample[] = [...times]
      .sort((a, b) => a - b)
      .map((t) => {
        const sample: KpiSample = { at: t + periodSeconds * 1000 };
        for (const kpi of kpis) {
          const v = kpiAt(kpi, t, series, service, periodSeconds, incompleteSources.has('errors5xx'));
          if (v !== undefined) sample[kpi] = v;
        }
        return sample;
      })
      .filter((sample) => Object.keys(sample).length > 1);
    const incomplete = kpis.filter((kpi) => SOURCES_OF[kpi].some((s) => incompleteSources.has(s)));
    out.set(service.id, {
      serviceId: service.id,
      samples,
      ...(incomplete.length > 0 ? { incomplete } : {}),
    });
  }
  return out;
}
