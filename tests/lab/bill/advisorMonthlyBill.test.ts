/** Headroom's own bill, checked against bills worked out by hand from the public prices. */
import { describe, expect, test } from '@jest/globals';
import { advisorMonthlyBill, type AdvisorBill } from '@headroom/lab/bill/advisorMonthlyBill';
import {
  everyTickPlan,
  getMetricDataCalls,
  readsOnTick,
  adaptivePlan,
} from '@headroom/core/evaluate/readPlan';
import { costReport, scheduleMinutes } from '@headroom/lab/bill/costCommand';

function usdOf(bill: AdvisorBill, item: string): number {
  const line = bill.lines.find((l) => l.item === item);
  if (line === undefined) throw new Error(`no line ${item}`);
  return line.usd;
}

describe('GetMetricData is billed per metric requested', () => {
  test('a naive advisor reading 4 metrics of 100 services every minute pays $176.11 for reads alone', () => {
    const bill = advisorMonthlyBill({
      services: 100,
      scheduleMinutes: 1,
      kpisPerService: 4,
      reads: everyTickPlan(4, 1),
    });
    // 100 × 4 × 43,800 ticks = 17,520,000, plus the hourly forecast's 5-minute request count and,
    // one hour in 8, its one-minute request count, CPU and p99: 100 × 1.375 × 730 = 100,375.
    expect(bill.metricsRequested).toBe(17_620_375);
    expect(usdOf(bill, 'CloudWatch GetMetricData')).toBeCloseTo(176.20375, 10);
  });

  test('the adaptive plan reads calm services every 40 min and hot ones every 5: $9.68, under the $10 goal', () => {
    const bill = advisorMonthlyBill({ services: 100, scheduleMinutes: 1, kpisPerService: 4 });
    // hot: 5 × 2 × 43,800 / 5 = 87,600; calm: 95 × 2 × 43,800 / 40 = 208,050;
    // forecast: 100 × (1 + 3/8) × 730 = 100,375 (one hour in 8 the minute read adds load, CPU and
    // p99, which the capacity learning needs). Total 396,025.
    expect(bill.metricsRequested).toBe(396_025);
    expect(usdOf(bill, 'CloudWatch GetMetricData')).toBeCloseTo(3.96025, 10);
    // Evaluate: 43,800 (one call a tick); forecast: 4 shards of 25, each one page of 14 days at
    // 5 minutes (100,800 points) and one of its minute reads (4 services × 4,320 × 3): 8 a run × 730 = 5,840. Total 49,640.
    expect(bill.getMetricDataCalls).toBe(49_640);
    // Evaluated: hot 5 × 43,800 / 5 = 43,800; calm 95 × 43,800 / 40 = 104,025. Total 147,825.
    expect(bill.servicesEvaluated).toBe(147_825);
    // State read at every hot slot (the calm ones fall on hot ones): 100 × 43,800 / 5 = 876,000.
    expect(bill.statesRead).toBe(876_000);
    // Strongly consistent, 1 unit each: 43,800 kill-switch reads + 876,000 states = 919,800.
    // Forecast item, 1 unit each (6 KB, eventually consistent): 147,825 + 100 × 730 = 220,825.
    // The digest's posted marks: 2 % of 147,825 = 2,956.5 routine events × 0.5 = 1,478.25.
    // The state, half a unit, at each service's minute read (the learned launch time): 100 × 730 / 8
    // × 0.5 = 4,562.5. 1,146,665.75 RRU × $0.125/M.
    expect(usdOf(bill, 'DynamoDB reads (on-demand)')).toBeCloseTo(1_146_665.75 * 0.125e-6, 12);
    // 147,825 × 2 (state + record) + 73,000 forecasts × 6 units + 60 changes × 2 + 2,956.5 posted
    // marks = 736,726.5 WRU.
    expect(usdOf(bill, 'DynamoDB writes (on-demand)')).toBeCloseTo(736_726.5 * 0.625e-6, 12);
    // EMF: 4 metrics every hour + 11 published only when non-zero, in 10 % of the hours:
    // 5.1 metric-months × $0.30 = $1.53.
    expect(usdOf(bill, 'CloudWatch custom metrics (EMF)')).toBeCloseTo(1.53, 10);
    // 24 alarms at $0.10 (both shard queues dead-letter to one queue, one alarm).
    expect(usdOf(bill, 'CloudWatch alarms')).toBeCloseTo(2.4, 10);
    // The Slack digest queue: 147,825 × 2 % = 2,956.5 routine events × 3 requests (EventBridge's send,
    // the receive and the delete) + 6 idle polls a minute × 43,800 = 271,669.5 × $0.40/M.
    expect(usdOf(bill, 'SQS standard requests (Slack digests)')).toBeCloseTo(271_669.5 * 0.4e-6, 10);
    expect(bill.totalUsd).toBeCloseTo(9.68, 2);
  });

  test('reads are staggered: a 40-minute calm cadence reads 2 or 3 of 100 services a tick, each once per 40', () => {
    const plan = { ...adaptivePlan(4), hotShare: 0 };
    const perTick = Array.from({ length: 40 }, (_, tick) => readsOnTick(100, tick, 1, plan).servicesRead);
    expect(new Set(perTick)).toEqual(new Set([2, 3]));
    expect(perTick.reduce((a, b) => a + b, 0)).toBe(100);
    expect(readsOnTick(100, 7, 1, plan).getMetricDataCalls).toBe(1);
  });

  test('every service on a hot slot has its state read, due or not: 100 / 5 = 20 a tick', () => {
    const plan = adaptivePlan(4);
    const states = Array.from({ length: 40 }, (_, tick) => readsOnTick(100, tick, 1, plan).statesRead);
    expect(new Set(states)).toEqual(new Set([20]));
    // On a 5-minute schedule every service is on a hot slot every run.
    expect(readsOnTick(100, 3, 5, plan).statesRead).toBe(100);
  });

  test('calls hold at most 500 queries and at most 100,800 datapoints', () => {
    expect(getMetricDataCalls(0, 1)).toBe(0);
    expect(getMetricDataCalls(500, 1)).toBe(1);
    expect(getMetricDataCalls(501, 1)).toBe(2);
    // The forecast's 14 days at 5-minute steps: 4,032 points a metric, so ⌊100,800 / 4,032⌋ = 25 a call.
    expect(getMetricDataCalls(25, 4032)).toBe(1);
    expect(getMetricDataCalls(26, 4032)).toBe(2);
    expect(getMetricDataCalls(200, 4032)).toBe(8);
  });
});

describe('a small bill worked out line by line', () => {
  // 10 services evaluated hourly (730 ticks), 2 metrics each every tick, no event-driven work.
  const bill = advisorMonthlyBill({
    services: 10,
    scheduleMinutes: 60,
    kpisPerService: 2,
    reads: everyTickPlan(2, 60),
    workload: {
      changeShare: 0.1,
      remediationsPerMonth: 0,
      queuedChangesPerMonth: 0,
      polledQueues: 0,
      customMetrics: 4,
      sporadicCustomMetrics: 0,
      alarms: 10,
    },
  });

  test('each line', () => {
    // GetMetricData: 10 × 2 × 730 + forecast 10 × 1.375 × 730 = 24,637.5 metrics → $0.246375.
    expect(usdOf(bill, 'CloudWatch GetMetricData')).toBeCloseTo(0.246375, 10);
    // Lambda: 730 evaluate + 730 forecast = 1,460 invocations × $0.20/M.
    expect(usdOf(bill, 'Lambda requests')).toBeCloseTo(0.000292, 10);
    // Evaluate: 730 × (0.3 s + one 0.4 s call) + 7,300 services × 0.002 s = 525.6 s at 0.5 GB = 262.8 GB-s;
    // forecast (10 services: one shard, in the scheduled invocation): a page of 14 days at 5 minutes
    // (40,320 points) and a page of minute reads: 730 × (0.3 + 10 × 0.03) s + 730 × 2 calls × 0.4 s
    // = 438 + 584 = 1,022 s at 1 GB. 1,284.8 GB-s × $0.0000133334.
    expect(usdOf(bill, 'Lambda compute (arm64)')).toBeCloseTo(1_284.8 * 0.0000133334, 10);
    // Reads, strongly consistent at 1 unit: 730 kill switch + 10 states × 730 ticks = 8,030; forecast
    // items at 1 unit: 7,300 evaluations + 730 runs × 10 services = 14,600; the 730 changes' posted
    // marks at 0.5 = 365; the state at each minute read, half a unit: 730 × 10 / 8 × 0.5 = 456.25.
    // 23,451.25 RRU × $0.125/M.
    expect(usdOf(bill, 'DynamoDB reads (on-demand)')).toBeCloseTo(23_451.25 * 0.125e-6, 12);
    // Writes: 7,300 evaluations × 2 (state + record) + 730 runs × 10 forecasts × 6 units + 730
    // posted marks = 14,600 + 43,800 + 730 = 59,130 WRU × $0.625/M.
    expect(usdOf(bill, 'DynamoDB writes (on-demand)')).toBeCloseTo(59_130 * 0.625e-6, 12);
    // Scheduler: 1,460 invocations × $1/M; events: 730 changes × $1/M.
    expect(usdOf(bill, 'EventBridge Scheduler')).toBeCloseTo(0.00146, 10);
    expect(usdOf(bill, 'EventBridge custom events')).toBeCloseTo(0.00073, 10);
    expect(usdOf(bill, 'SQS FIFO requests')).toBe(0);
    expect(usdOf(bill, 'CloudWatch custom metrics (EMF)')).toBeCloseTo(1.2, 10);
    expect(usdOf(bill, 'CloudWatch alarms')).toBeCloseTo(1.0, 10);
    // Logs: 1,460 × 1,500 B + 730 × 1,000 B = 2,920,000 B = 0.00292 GB × $0.50.
    expect(usdOf(bill, 'CloudWatch Logs ingestion')).toBeCloseTo(0.00146, 10);
    expect(bill.totalUsd).toBeCloseTo(
      bill.lines.reduce((sum, l) => sum + l.usd, 0),
      12,
    );
  });

  test('the free tier takes the always-free allowances off', () => {
    const free = advisorMonthlyBill({
      services: 10,
      scheduleMinutes: 60,
      kpisPerService: 2,
      freeTier: true,
      workload: { alarms: 12 },
    });
    expect(usdOf(free, 'Lambda requests')).toBe(0);
    expect(usdOf(free, 'CloudWatch custom metrics (EMF)')).toBe(0);
    expect(usdOf(free, 'CloudWatch alarms')).toBeCloseTo(0.2, 10);
  });
});

describe('bad input is named', () => {
  test.each([
    [{ services: -1 }, /services must be a whole number ≥ 0, got -1/],
    [{ scheduleMinutes: 7 }, /scheduleMinutes must divide a 730-hour month/],
    [{ reads: { hotShare: 2 } }, /reads.hotShare must be in \[0, 1\], got 2/],
    [{ workload: { alarms: -3 } }, /workload.alarms must be a number ≥ 0, got -3/],
    [{ workload: { forecastItemBytes: 0 } }, /workload.forecastItemBytes must be > 0, got 0/],
  ])('%j', (change, message) => {
    expect(() =>
      advisorMonthlyBill({ services: 100, scheduleMinutes: 1, kpisPerService: 4, ...change }),
    ).toThrow(message);
  });
});

describe('headroom cost', () => {
  test('rate expressions and bare minutes', () => {
    expect(scheduleMinutes('rate(1 minute)')).toBe(1);
    expect(scheduleMinutes('rate(5 minutes)')).toBe(5);
    expect(scheduleMinutes('rate(1 hour)')).toBe(60);
    expect(scheduleMinutes('15')).toBe(15);
    expect(() => scheduleMinutes('every minute')).toThrow(/--schedule must be 'rate\(N minutes\)'/);
  });

  test('prints the bill with its total', () => {
    const { text } = costReport(['--services', '100', '--schedule', 'rate(1 minute)']);
    expect(text).toMatch(/100 services, evaluated every 1 min/);
    expect(text).toMatch(/CloudWatch GetMetricData\s+396,025 metrics requested\s+\$3\.96/);
    expect(text).toMatch(/Total\s+\$9\.68\n$/);
  });

  test('--json gives the same bill as the model', () => {
    const { text } = costReport(['--services', '20', '--schedule', '5', '--json']);
    const parsed = JSON.parse(text) as AdvisorBill;
    expect(parsed.totalUsd).toBeCloseTo(
      advisorMonthlyBill({ services: 20, scheduleMinutes: 5, kpisPerService: 4 }).totalUsd,
      10,
    );
  });

  test('a bad option is a usage error naming it', () => {
    expect(() => costReport(['--services', 'many'])).toThrow(
      /--services must be a whole number of at least 0, got 'many'/,
    );
    expect(() => costReport(['--reads', 'sometimes'])).toThrow(/--reads must be one of adaptive, every-tick/);
  });
});
