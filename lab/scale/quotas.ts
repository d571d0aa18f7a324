/**
 * The account's default quotas the scale simulation throttles at, each with where it is written.
 * A call past its quota in a second is answered as AWS answers it (a throttling error), so the
 * SDK's adaptive retry and back-off are exercised as they would be in the account.
 */

export interface Quota {
  /** What is limited, as the table in docs/operations.md names it. */
  name: string;
  /** Units per second (requests, datapoints, capacity units). */
  perSecond: number;
  /** The error AWS answers with past the quota. */
  throttleError: string;
  source: string;
}

export const DEFAULT_QUOTAS = {
  // "GetMetricData: 50 transactions per second (TPS); 180,000 data points per second (DPS) if the
  // StartTime is ≤ 3 hours from now; 396,000 DPS if it is more than three hours ago."
  getMetricDataTps: {
    name: 'CloudWatch GetMetricData requests',
    perSecond: 50,
    throttleError: 'Throttling',
    source: 'https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api',
  },
  getMetricDataRecentDps: {
    name: 'CloudWatch GetMetricData datapoints (StartTime ≤ 3 h ago)',
    perSecond: 180_000,
    throttleError: 'Throttling',
    source: 'https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api',
  },
  getMetricDataOlderDps: {
    name: 'CloudWatch GetMetricData datapoints (StartTime > 3 h ago)',
    perSecond: 396_000,
    throttleError: 'Throttling',
    source: 'https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api',
  },
  // "All Amazon EC2 Auto Scaling API calls have a single, shared API limit" per account and Region;
  // AWS does not publish its value. The simulation budgets EC2's documented bucket for
  // non-mutating (Describe*) actions, a refill of 20 requests/s, an assumption stated as such.
  autoScaling: {
    name: 'EC2 Auto Scaling API (shared, all actions; assumed 20/s)',
    perSecond: 20,
    throttleError: 'Throttling',
    source:
      'https://repost.aws/knowledge-center/autoscaling-api-calls-throttled ; https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html',
  },
  // On-demand tables: 40,000 read request units and 40,000 write request units per second per table.
  dynamoReads: {
    name: 'DynamoDB read request units (on-demand table)',
    perSecond: 40_000,
    throttleError: 'ThrottlingException',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
  },
  dynamoWrites: {
    name: 'DynamoDB write request units (on-demand table)',
    perSecond: 40_000,
    throttleError: 'ThrottlingException',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
  },
  // "PutEvents throttle limit in transactions per second: us-east-1: 10,000 per second" (2,400 in
  // us-east-2 and smaller Regions: the docs/operations.md table gives the smallest).
  putEvents: {
    name: 'EventBridge PutEvents requests (us-east-1)',
    perSecond: 10_000,
    throttleError: 'ThrottlingException',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
  },
  // Standard queues "support a nearly unlimited number of API calls per second"; counted for the
  // bill, never throttled. The engine's own limit is Lambda's: 1,000 concurrent executions per
  // Region, and an SQS event source adds at most 300 concurrent invocations a minute after 5.
  lambdaConcurrency: {
    name: 'Lambda concurrent executions',
    perSecond: 1_000,
    throttleError: 'TooManyRequestsException',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
  },
} as const satisfies Record<string, Quota>;

export type QuotaKey = keyof typeof DEFAULT_QUOTAS;

/**
 * Use of each quota second by second, in simulated time. Units a call uses are spread over the
 * call's duration (a page of datapoints is served while the call lasts), so a long call does not
 * count all its datapoints in the second it ends.
 */
export class QuotaMeter {
  private readonly bins = new Map<QuotaKey, Map<number, number>>();

  constructor(private readonly quotas: Readonly<Record<QuotaKey, Quota>> = DEFAULT_QUOTAS) {}

  /** Units already used in the second holding `at`. */
  usedAt(key: QuotaKey, at: number): number {
    return this.bins.get(key)?.get(Math.floor(at / 1000)) ?? 0;
  }

  /** Whether `units` more at `at` would pass the quota (the call is then throttled, not counted). */
  wouldExceed(key: QuotaKey, at: number, units: number): boolean {
    return this.usedAt(key, at) + units > this.quotas[key].perSecond;
  }

  /** Counts `units` used from `start` to `end` (epoch ms), spread evenly over the seconds they span. */
  use(key: QuotaKey, start: number, end: number, units: number): void {
    const bins = this.bins.get(key) ?? new Map<number, number>();
    this.bins.set(key, bins);
    if (end <= start) {
      const second = Math.floor(start / 1000);
      bins.set(second, (bins.get(second) ?? 0) + units);
      return;
    }
    const span = end - start;
    for (let second = Math.floor(start / 1000); second * 1000 < end; second += 1) {
      const overlap = Math.min(end, (second + 1) * 1000) - Math.max(start, second * 1000);
      if (overlap > 0) bins.set(second, (bins.get(second) ?? 0) + (units * overlap) / span);
    }
  }

  /** The highest share of any quota used in any one second, and which. */
  peak(): { quota: QuotaKey; name: string; pct: number } {
    let best = { quota: 'getMetricDataTps' as QuotaKey, name: this.quotas.getMetricDataTps.name, pct: 0 };
    for (const [key, bins] of this.bins) {
      for (const units of bins.values()) {
        const pct = (100 * units) / this.quotas[key].perSecond;
        if (pct > best.pct) best = { quota: key, name: this.quotas[key].name, pct };
      }
    }
    return best;
  }

  /** Peak share of each quota, for the report. */
  peaks(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, bins] of this.bins) {
      out[key] = Math.max(0, ...[...bins.values()].map((u) => (100 * u) / this.quotas[key].perSecond));
    }
    return out;
  }
}
