/**
 * MetricsReader over CloudWatch GetMetricData: every service's KPIs in as few calls as possible
 * (at most 500 queries a call, pages followed through NextToken).
 */
import { paginateGetMetricData, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KpiName, KpiSeries } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { MetricsReader, MetricsWindow } from '../ports/index.js';
import {
  ALL_KPIS,
  assembleSeries,
  batchesOf,
  planQueries,
  queriesOf,
  type MetricRegion,
  type MetricResult,
  type PlannedQuery,
} from './metricQueries.js';

const FAILED = new Set(['InternalError', 'Forbidden']);

/** GetMetricData's limit on MetricDataQueries per call. */
export const MAX_QUERIES_PER_CALL = 500;

export interface CloudWatchMetricsOptions {
  /** CloudWatch in us-east-1 for CloudFront's metrics; defaults to `client` (right when it is in us-east-1). */
  cloudFrontClient?: CloudWatchClient;
  /** Upper bound on pages per call, so a misbehaving NextToken cannot loop forever. */
  maxPages?: number;
}

export class CloudWatchMetricsReader implements MetricsReader {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly options: CloudWatchMetricsOptions = {},
  ) {}

  async readKpis(
    services: readonly ManagedService[],
    window: MetricsWindow,
    kpis: readonly KpiName[] = ALL_KPIS,
  ): Promise<Map<string, KpiSeries>> {
    const planned = planQueries(services, window.periodSeconds, kpis);
    const results = new Map<string, MetricResult>();
    const regions: MetricRegion[] = ['local', 'us-east-1'];
    for (const region of regions) {
      const client = region === 'us-east-1' ? (this.options.cloudFrontClient ?? this.client) : this.client;
      const batches = batchesOf(
        planned.filter((p) => p.region === region),
        MAX_QUERIES_PER_CALL,
      );
      for (const batch of batches) await this.readBatch(client, batch, window, results);
    }
    return assembleSeries(services, planned, results, window.periodSeconds, kpis);
  }

  private async readBatch(
    client: CloudWatchClient,
    batch: readonly PlannedQuery[],
    window: MetricsWindow,
    results: Map<string, MetricResult>,
  ): Promise<void> {
    const maxPages = this.options.maxPages ?? 100;
    const pages = paginateGetMetricData(
      { client },
      {
        MetricDataQueries: queriesOf(batch),
        StartTime: new Date(window.start),
        EndTime: new Date(window.end),
      },
    );
    let count = 0;
    for await (const page of pages) {
      for (const r of page.MetricDataResults ?? []) {
        if (r.Id === undefined) continue;
        const merged = results.get(r.Id) ?? { timestamps: [], values: [], status: 'Complete' };
        merged.timestamps.push(...(r.Timestamps ?? []).map((t) => t.getTime()));
        merged.values.push(...(r.Values ?? []));
        // PartialData on a page with a NextToken only means "more to come"; a failure sticks.
        if (!FAILED.has(merged.status)) merged.status = r.StatusCode ?? merged.status;
        results.set(r.Id, merged);
      }
      count += 1;
      if (count >= maxPages && page.NextToken !== undefined) {
        // Stop reading but say so: every query of the batch is reported incomplete.
        for (const p of batch) {
          const r = results.get(p.id);
          if (r !== undefined) r.status = 'PartialData';
        }
        break;
      }
    }
  }
}
