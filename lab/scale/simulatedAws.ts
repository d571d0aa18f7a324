/**
 * A simulated AWS account for the scale benchmark: Auto Scaling groups, their CloudWatch metrics,
 * a DynamoDB table, the advisor's event bus and SQS queues. It answers the calls the real handlers
 * make through their real SDK clients (retry middleware included: this answers below it), takes
 * each call's latency in simulated time and throttles past the account's default quotas.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_QUOTAS, QuotaMeter, type QuotaKey } from './quotas.js';

export interface SimulatedGroup {
  name: string;
  desired: number;
  tags: Record<string, string>;
}

/** What the account is asked to fail, for the failure tests. */
export interface Faults {
  /** PutEvents entries of these services fail (and so does the advisor-events dead-letter queue). */
  eventsOfServices?: ReadonlySet<string>;
}

/** Latency of one call, ms, by what it carries: a model, stated in docs/operations.md. */
export const LATENCY_MS = {
  getMetricDataBase: 80,
  getMetricDataPerDatapoint: 0.01,
  getMetricDataPerQuery: 0.2,
  autoScalingDescribe: 120,
  autoScalingPerGroup: 2,
  scalingActivities: 100,
  setDesiredCapacity: 150,
  dynamo: 6,
  putEvents: 25,
  sqs: 20,
  throttled: 15,
};

export type Delivery = (queueUrl: string, body: string, at: number) => void;

export interface CallCounts {
  /** Calls by `Service.Operation`, throttled ones included (they are billed or counted as requests). */
  calls: Record<string, number>;
  throttled: Record<string, number>;
  metricsRequested: number;
  datapoints: number;
  readUnits: number;
  writeUnits: number;
  eventsPublished: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export class SimulatedAws {
  readonly groups = new Map<string, SimulatedGroup>();
  readonly table = new Map<string, Record<string, AttributeValue>>();
  readonly meter: QuotaMeter;
  readonly counts: CallCounts = {
    calls: {},
    throttled: {},
    metricsRequested: 0,
    datapoints: 0,
    readUnits: 0,
    writeUnits: 0,
    eventsPublished: 0,
  };
  faults: Faults = {};
  private deliver: Delivery = () => {
    throw new Error('no queue is wired to the simulated account');
  };

  /** `quotas`: the account's quotas where they differ from the defaults (tests tighten them). */
  constructor(services: number, quotas: Partial<Record<QuotaKey, number>> = {}) {
    const limits = Object.fromEntries(
      Object.entries(DEFAULT_QUOTAS).map(([key, quota]) => [
        key,
        { ...quota, perSecond: quotas[key as QuotaKey] ?? quota.perSecond },
      ]),
    ) as Record<QuotaKey, (typeof DEFAULT_QUOTAS)[QuotaKey]>;
    this.meter = new QuotaMeter(limits);
    for (let i = 0; i < services; i += 1) {
      const name = `svc-${String(i).padStart(5, '0')}`;
      this.groups.set(name, {
        name,
        desired: 4,
        tags: {
          'headroom:managed': 'true',
          'headroom:load-balancer': `app/${name}/0123456789abcdef`,
          'headroom:target-group': `targetgroup/${name}/0123456789abcdef`,
        },
      });
    }
  }

  onDelivery(deliver: Delivery): void {
    this.deliver = deliver;
  }

  /**
   * One call: its latency in simulated ms and its answer (or the error AWS would give). The caller
   * waits the latency in simulated time before it sees either.
   */
  call(service: string, operation: string, input: Record<string, unknown>, at: number) {
    const key = `${service}.${operation}`;
    this.counts.calls[key] = (this.counts.calls[key] ?? 0) + 1;
    const throttle = (quota: QuotaKey) => {
      this.counts.throttled[key] = (this.counts.throttled[key] ?? 0) + 1;
      const error = Object.assign(new Error(`Rate exceeded (${DEFAULT_QUOTAS[quota].name})`), {
        name: DEFAULT_QUOTAS[quota].throttleError,
        $fault: 'client',
        $metadata: { httpStatusCode: 400, attempts: 1 },
      });
      return { latencyMs: LATENCY_MS.throttled, error };
    };
    switch (key) {
      case 'CloudWatch.GetMetricData':
        return this.getMetricData(input, at, throttle);
      case 'AutoScaling.DescribeAutoScalingGroups':
        if (this.meter.wouldExceed('autoScaling', at, 1)) return throttle('autoScaling');
        this.meter.use('autoScaling', at, at, 1);
        return this.describeGroups(input);
      case 'AutoScaling.DescribeScalingActivities':
        if (this.meter.wouldExceed('autoScaling', at, 1)) return throttle('autoScaling');
        this.meter.use('autoScaling', at, at, 1);
        return { latencyMs: LATENCY_MS.scalingActivities, output: { Activities: [] } };
      case 'AutoScaling.SetDesiredCapacity': {
        if (this.meter.wouldExceed('autoScaling', at, 1)) return throttle('autoScaling');
        this.meter.use('autoScaling', at, at, 1);
        const group = this.groups.get(String(input['AutoScalingGroupName']));
        if (group) group.desired = Number(input['DesiredCapacity']);
        return { latencyMs: LATENCY_MS.setDesiredCapacity, output: {} };
      }
      case 'DynamoDB.GetItem':
      case 'DynamoDB.PutItem':
      case 'DynamoDB.Query':
        return this.dynamo(operation, input, at, throttle);
      case 'EventBridge.PutEvents':
        return this.putEvents(input, at, throttle);
      case 'SQS.SendMessage':
      case 'SQS.SendMessageBatch':
        return this.sendMessages(operation, input, at);
      default:
        throw new Error(`the simulated account does not answer ${key}`);
    }
  }

  private describeGroups(input: Record<string, unknown>) {
    const names = input['AutoScalingGroupNames'] as string[] | undefined;
    const all = names ? names.flatMap((n) => this.groups.get(n) ?? []) : [...this.groups.values()];
    const pageSize = Math.min(100, Number(input['MaxRecords'] ?? 50));
    const from = Number(input['NextToken'] ?? 0);
    const page = all.slice(from, from + pageSize);
    const next = from + pageSize < all.length ? { NextToken: String(from + pageSize) } : {};
    return {
      latencyMs: LATENCY_MS.autoScalingDescribe + LATENCY_MS.autoScalingPerGroup * page.length,
      output: { AutoScalingGroups: page.map(groupOf), ...next },
    };
  }

  private getMetricData(
    input: Record<string, unknown>,
    at: number,
    throttle: (q: QuotaKey) => { latencyMs: number; error: Error },
  ) {
    const queries = input['MetricDataQueries'] as MetricQuery[];
    const start = (input['StartTime'] as Date).getTime();
    // CloudWatch serves a minute's datapoint a minute or so after it ends.
    const end = Math.min((input['EndTime'] as Date).getTime(), Math.floor((at - MINUTE) / MINUTE) * MINUTE);
    const counts = queries.map((q) => periodsBetween(start, end, q.MetricStat.Period * 1000));
    const total = counts.reduce((a, b) => a + b, 0);
    const from = Number(input['NextToken'] ?? 0);
    const pageSize = Math.min(100_800, Number(input['MaxDatapoints'] ?? 100_800));
    const served = Math.min(pageSize, Math.max(0, total - from));
    const dps: QuotaKey = at - start <= 3 * 60 * MINUTE ? 'getMetricDataRecentDps' : 'getMetricDataOlderDps';
    const latencyMs =
      LATENCY_MS.getMetricDataBase +
      LATENCY_MS.getMetricDataPerDatapoint * served +
      LATENCY_MS.getMetricDataPerQuery * queries.length;
    if (this.meter.wouldExceed('getMetricDataTps', at, 1)) return throttle('getMetricDataTps');
    if (this.meter.wouldExceed(dps, at, Math.min(served, 1000))) return throttle(dps);
    this.meter.use('getMetricDataTps', at, at, 1);
    this.meter.use(dps, at, at + latencyMs, served);
    // Billed per metric requested: every query of every call, each page a call of its own.
    this.counts.metricsRequested += queries.length;
    this.counts.datapoints += served;
    const results: Record<string, unknown>[] = [];
    let offset = 0;
    let left = served;
    for (const [i, query] of queries.entries()) {
      const n = counts[i] ?? 0;
      const skip = Math.max(0, from - offset);
      offset += n;
      const take = Math.min(left, Math.max(0, n - skip));
      const period = query.MetricStat.Period * 1000;
      const timestamps: Date[] = new Array<Date>(take);
      const values: number[] = new Array<number>(take);
      // Newest first (TimestampDescending, the default).
      const newest = Math.floor((end - 1) / period) * period;
      for (let k = 0; k < take; k += 1) {
        const t = newest - (skip + k) * period;
        timestamps[k] = new Date(t);
        values[k] = valueOf(query, t, period);
      }
      left -= take;
      const complete = skip + take >= n;
      results.push({
        Id: query.Id,
        Label: query.Label,
        Timestamps: timestamps,
        Values: values,
        StatusCode: complete ? 'Complete' : 'PartialData',
      });
    }
    const next = from + served < total ? { NextToken: String(from + served) } : {};
    return { latencyMs, output: { MetricDataResults: results, Messages: [], ...next } };
  }

  private dynamo(
    operation: string,
    input: Record<string, unknown>,
    at: number,
    throttle: (q: QuotaKey) => { latencyMs: number; error: Error },
  ) {
    const keyOf = (key: Record<string, AttributeValue>) => `${key['pk']?.S}|${key['sk']?.S}`;
    if (operation === 'Query') {
      if (this.meter.wouldExceed('dynamoReads', at, 1)) return throttle('dynamoReads');
      this.meter.use('dynamoReads', at, at, 1);
      this.counts.readUnits += 1;
      return { latencyMs: LATENCY_MS.dynamo, output: { Items: [], Count: 0 } };
    }
    if (operation === 'GetItem') {
      const item = this.table.get(keyOf(input['Key'] as Record<string, AttributeValue>));
      const size = item ? itemBytes(item) : 1;
      const units = Math.ceil(size / 4096) * (input['ConsistentRead'] === true ? 1 : 0.5);
      if (this.meter.wouldExceed('dynamoReads', at, units)) return throttle('dynamoReads');
      this.meter.use('dynamoReads', at, at, units);
      this.counts.readUnits += units;
      return { latencyMs: LATENCY_MS.dynamo, output: item ? { Item: item } : {} };
    }
    const item = input['Item'] as Record<string, AttributeValue>;
    const units = Math.ceil(itemBytes(item) / 1024);
    if (this.meter.wouldExceed('dynamoWrites', at, units)) return throttle('dynamoWrites');
    this.meter.use('dynamoWrites', at, at, units);
    this.counts.writeUnits += units;
    const key = keyOf(item);
    const stored = this.table.get(key);
    const condition = input['ConditionExpression'] as string | undefined;
    const failed =
      (condition === 'attribute_not_exists(pk)' && stored !== undefined) ||
      (condition === '#version = :expected' &&
        stored?.['version']?.N !==
          (input['ExpressionAttributeValues'] as Record<string, AttributeValue>)[':expected']?.N);
    if (condition !== undefined && !['attribute_not_exists(pk)', '#version = :expected'].includes(condition))
      throw new Error(`the simulated table does not evaluate ${condition}`);
    if (failed) {
      const error = new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
      });
      return { latencyMs: LATENCY_MS.dynamo, error };
    }
    this.table.set(key, item);
    return { latencyMs: LATENCY_MS.dynamo, output: {} };
  }

  private putEvents(
    input: Record<string, unknown>,
    at: number,
    throttle: (q: QuotaKey) => { latencyMs: number; error: Error },
  ) {
    if (this.meter.wouldExceed('putEvents', at, 1)) return throttle('putEvents');
    this.meter.use('putEvents', at, at, 1);
    const entries = input['Entries'] as { Detail?: string }[];
    const failing = this.faults.eventsOfServices;
    const results = entries.map((entry, i) => {
      const serviceId = (JSON.parse(entry.Detail ?? '{}') as { serviceId?: string }).serviceId;
      return failing?.has(serviceId ?? '')
        ? { ErrorCode: 'InternalFailure', ErrorMessage: 'simulated failure' }
        : { EventId: `e-${at}-${i}` };
    });
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    this.counts.eventsPublished += entries.length - failed;
    return { latencyMs: LATENCY_MS.putEvents, output: { FailedEntryCount: failed, Entries: results } };
  }

  private sendMessages(operation: string, input: Record<string, unknown>, at: number) {
    const url = String(input['QueueUrl']);
    if (url.includes('AdvisorEventsDeadLetterQueue') && this.faults.eventsOfServices?.size) {
      const error = Object.assign(new Error('simulated: the dead-letter queue is unavailable'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      });
      return { latencyMs: LATENCY_MS.sqs, error };
    }
    if (operation === 'SendMessage') {
      this.deliver(url, String(input['MessageBody']), at + LATENCY_MS.sqs);
      return {
        latencyMs: LATENCY_MS.sqs,
        output: { MessageId: `m-${at}`, MD5OfMessageBody: md5(String(input['MessageBody'])) },
      };
    }
    // DelaySeconds keeps a message invisible that long after it is sent, as SQS does.
    const entries = input['Entries'] as { Id: string; MessageBody: string; DelaySeconds?: number }[];
    for (const entry of entries)
      this.deliver(url, entry.MessageBody, at + LATENCY_MS.sqs + 1000 * (entry.DelaySeconds ?? 0));
    return {
      latencyMs: LATENCY_MS.sqs,
      output: {
        Successful: entries.map((e) => ({
          Id: e.Id,
          MessageId: `m-${at}-${e.Id}`,
          MD5OfMessageBody: md5(e.MessageBody),
        })),
        Failed: [],
      },
    };
  }
}

interface MetricQuery {
  Id: string;
  Label?: string;
  MetricStat: {
    Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
}

function periodsBetween(start: number, end: number, period: number): number {
  const first = Math.ceil(start / period) * period;
  return end <= first ? 0 : Math.ceil((end - first) / period);
}

function groupOf(group: SimulatedGroup) {
  return {
    AutoScalingGroupName: group.name,
    DesiredCapacity: group.desired,
    MinSize: 1,
    MaxSize: 40,
    DefaultInstanceWarmup: 120,
    Instances: Array.from({ length: group.desired }, (_, i) => ({
      InstanceId: `i-${group.name.slice(4)}${String(i).padStart(4, '0')}`,
      LifecycleState: 'InService',
    })),
    Tags: Object.entries(group.tags).map(([Key, Value]) => ({ Key, Value, ResourceId: group.name })),
  };
}

/** A calm daily cycle with per-service phase and a little noise: CPU 25–45 %, p99 ~150 ms. */
function valueOf(query: MetricQuery, t: number, period: number): number {
  const name = query.MetricStat.Metric.MetricName;
  const id = query.MetricStat.Metric.Dimensions[0]?.Value ?? '';
  const phase = (id.charCodeAt(id.length - 1) % 24) / 24;
  const day = Math.sin(2 * Math.PI * (t / DAY + phase));
  const noise = Math.sin(t / 7_919 + id.length * 13.37);
  switch (name) {
    case 'CPUUtilization':
      return 35 + 8 * day + 2 * noise;
    case 'TargetResponseTime':
      return 0.15 + 0.02 * noise;
    case 'RequestCount':
      return Math.round((600 + 250 * day + 30 * noise) * (period / MINUTE));
    default:
      return 0;
  }
}

function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += name.length + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return value.N.length;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.M !== undefined) return 3 + itemBytes(value.M);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  return 1;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
