/**
 * Headroom's own monthly AWS bill, from public prices and the calls its code makes: one evaluate
 * invocation per schedule tick that reads the state of the services on a read slot and the metrics
 * of those due (≤ 500 queries a GetMetricData call, billed per metric requested) and each evaluated
 * service's forecast, an hourly forecast, and the event-driven flows (remediation, change worker,
 * Slack) at the rates the workload states.
 */
import { MINUTES_PER_MONTH, MONTHLY_FREE_TIER, US_EAST_1_PRICES, type AdvisorPrices } from './prices.js';
import { readUnits, writeUnits } from './dynamoUnits.js';
import { adaptivePlan, readsOnTick, type MetricReadPlan } from '@headroom/core/evaluate/readPlan.js';
import { MAX_SERVICES_PER_SHARD } from '@headroom/core/shards/shardPlan.js';
import { MINUTE_READ_EVERY_HOURS } from '@headroom/core/forecast/historyReads.js';
import { digestQueueRequests, evaluateTickWork, forecastRunWork, shardQueueRequests } from './shardedWork.js';

/** What the bill assumes about the advisor's work besides metric reads; each default is stated. */
export interface AdvisorWorkload {
  evaluateMemoryMb: number;
  /** Cold-path-free run time of an evaluate invocation with nothing to read, ms. */
  evaluateBaseMs: number;
  /** Wall time of one GetMetricData call (a page of up to 500 queries), ms. */
  msPerGetMetricDataCall: number;
  /** Deciding for one service whose metrics were read, ms. */
  msPerServiceEvaluated: number;
  /** Share of evaluations that change something (a new recommendation or an action), 0..1. */
  changeShare: number;
  /**
   * Item writes per service evaluated: evaluateServices writes the service state (conditional put)
   * and the decision record on every evaluation, each under 1 KB.
   */
  writesPerEvaluation: number;
  /**
   * Bytes of a service's state item and of the kill switch, read strongly consistent (the state
   * is the lock); under 4 KB, one read unit each.
   */
  stateItemBytes: number;
  forecastEveryMinutes: number;
  /** Bytes of one service in a shard message (a ManagedService as JSON). */
  shardMessageBytesPerService: number;
  /** Step of the forecast's history (series.ts DEFAULT_STEP_MS), minutes. */
  forecastStepMinutes: number;
  /** History the forecast reads back (serviceForecast.ts lookBackMs), days. */
  forecastLookBackDays: number;
  /**
   * Bytes of one stored forecast item (forecastItem.ts: 48 h of point, lower and upper at 5-minute
   * steps, two weeks of hourly scores by column and the learned capacity curve, gzipped JSON). The forecast
   * function writes it and reads the previous one for every service every run; evaluate reads it,
   * eventually consistent, for every service it evaluates. tests/lab/bill/forecastItemSize.test.ts
   * measures one refitted on noisy load with a month's curve in every fleet-size band: 5,885 bytes,
   * 6 write units a put and 1 read unit an eventually consistent get.
   */
  forecastItemBytes: number;
  forecastMemoryMb: number;
  forecastMsPerService: number;
  /** Remediation state machine executions a month (one per SLO alarm). */
  remediationsPerMonth: number;
  transitionsPerRemediation: number;
  lambdaInvocationsPerRemediation: number;
  /** Replica and cache changes sent through the FIFO queue a month. */
  queuedChangesPerMonth: number;
  /** Queues a Lambda event source polls; Lambda long-polls each even when it is empty. */
  polledQueues: number;
  /** ReceiveMessage calls a minute on an empty queue (5 pollers × one 20 s long poll each ~20 s). */
  idlePollsPerQueuePerMinute: number;
  /**
   * EMF metrics published every hour: evaluate's Decisions, ActionsApplied and Recommendations
   * (every run, zeros included) and the forecast's ForecastError. Each name × dimension set is one
   * billed metric.
   */
  customMetrics: number;
  /**
   * EMF metrics published only when non-zero: evaluate's ActionsBlocked, ApprovalsRequested,
   * ServiceFailures, RunErrors, KillSwitchOn; GroupConfigErrors, ColdStart, the invalidation
   * counts, ... Custom metrics are prorated by the hour and metered only when data is sent.
   */
  sporadicCustomMetrics: number;
  /** Share of the month's hours in which a sporadic metric receives data, 0..1. */
  sporadicMetricHoursShare: number;
  /**
   * CloudWatch alarms in the template (DLQ depth, function errors, state machine failures);
   * tests/template/iam-from-code-operations.test.ts keeps this at least the template's count.
   */
  alarms: number;
  /** Log bytes per invocation (Lambda START/END/REPORT plus the run summary). */
  logBytesPerInvocation: number;
  /** Log bytes per change (the decision, logged in full). */
  logBytesPerChange: number;
}

/** A digest's posted mark: its key (`notifier#posted#` and an event id) and expiration, about 70 bytes. */
const POSTED_MARK_BYTES = 70;

export const DEFAULT_WORKLOAD: AdvisorWorkload = {
  evaluateMemoryMb: 512,
  evaluateBaseMs: 300,
  msPerGetMetricDataCall: 400,
  msPerServiceEvaluated: 2,
  changeShare: 0.02,
  writesPerEvaluation: 2,
  stateItemBytes: 1_000,
  forecastEveryMinutes: 60,
  shardMessageBytesPerService: 700,
  forecastStepMinutes: 1,
  forecastLookBackDays: 14,
  forecastItemBytes: 6 * 1024,
  forecastMemoryMb: 1024,
  forecastMsPerService: 30,
  remediationsPerMonth: 30,
  transitionsPerRemediation: 14,
  lambdaInvocationsPerRemediation: 5,
  queuedChangesPerMonth: 60,
  polledQueues: 1,
  idlePollsPerQueuePerMinute: 15,
  customMetrics: 4,
  sporadicCustomMetrics: 11,
  sporadicMetricHoursShare: 0.1,
  alarms: 24,
  logBytesPerInvocation: 1_500,
  logBytesPerChange: 1_000,
};

export interface AdvisorBillInput {
  services: number;
  /** Minutes between evaluate runs (the EventBridge Scheduler rate). */
  scheduleMinutes: number;
  /** CloudWatch metrics behind one service's KPIs when all are read (CPU, p99, 5XX, requests → 4). */
  kpisPerService: number;
  reads?: Partial<MetricReadPlan>;
  workload?: Partial<AdvisorWorkload>;
  prices?: AdvisorPrices;
  /** Subtract the always-free allowances (shared with the rest of the account). */
  freeTier?: boolean;
  /** Largest shard of each flow (default MAX_SERVICES_PER_SHARD, as the code plans them). */
  shardSizes?: { evaluate?: number; forecast?: number };
  /** Lambda GB-seconds measured by the scale simulation, in place of the workload's estimate. */
  lambdaGbSecondsPerMonth?: number;
}

export interface BillLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface AdvisorBill {
  lines: BillLine[];
  totalUsd: number;
  /** The read plan the bill was computed with. */
  reads: MetricReadPlan;
  /** Evaluate invocations a month: a planner every tick and the shards it sends. */
  evaluateInvocations: number;
  forecastInvocations: number;
  shardMessages: number;
  shardQueueRequests: number;
  /** State items evaluate reads a month: the services on a read slot, tick by tick. */
  statesRead: number;
  /** Services evaluated a month (their metrics read); each reads its forecast item. */
  servicesEvaluated: number;
  metricsRequested: number;
  getMetricDataCalls: number;
}

function checkInput(input: AdvisorBillInput, plan: MetricReadPlan, workload: AdvisorWorkload): void {
  const whole = (name: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min)
      throw new Error(`${name} must be a whole number ≥ ${min}, got ${value}`);
  };
  whole('services', input.services, 0);
  whole('scheduleMinutes', input.scheduleMinutes, 1);
  whole('kpisPerService', input.kpisPerService, 1);
  if (MINUTES_PER_MONTH % input.scheduleMinutes !== 0) {
    throw new Error(
      `scheduleMinutes must divide a 730-hour month (43,800 minutes), got ${input.scheduleMinutes}`,
    );
  }
  for (const key of ['calmMetrics', 'hotMetrics', 'calmEveryMinutes', 'hotEveryMinutes'] as const)
    whole(`reads.${key}`, plan[key], 1);
  if (!(plan.hotShare >= 0 && plan.hotShare <= 1))
    throw new Error(`reads.hotShare must be in [0, 1], got ${plan.hotShare}`);
  for (const key of ['changeShare', 'sporadicMetricHoursShare'] as const) {
    if (!(workload[key] >= 0 && workload[key] <= 1))
      throw new Error(`workload.${key} must be in [0, 1], got ${workload[key]}`);
  }
  for (const [key, value] of Object.entries(workload)) {
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`workload.${key} must be a number ≥ 0, got ${value}`);
  }
  const sizes = ['stateItemBytes', 'forecastItemBytes', 'forecastStepMinutes', 'forecastLookBackDays'];
  for (const key of sizes as (keyof AdvisorWorkload)[]) {
    if (!(workload[key] > 0)) throw new Error(`workload.${key} must be > 0, got ${workload[key]}`);
  }
}

/**
 * Monthly totals of the evaluate loop, counted tick by tick with the same read plan the code uses
 * and the same sharding (evaluateTickWork): a planner invocation every tick, plus one invocation
 * per shard when the services on a read slot are more than one shard holds.
 */
function evaluateTotals(input: AdvisorBillInput, plan: MetricReadPlan, w: AdvisorWorkload) {
  const ticks = MINUTES_PER_MONTH / input.scheduleMinutes;
  const max = input.shardSizes?.evaluate ?? MAX_SERVICES_PER_SHARD.evaluate;
  const totals = {
    ticks,
    statesRead: 0,
    servicesRead: 0,
    metricsRequested: 0,
    calls: 0,
    invocations: 0,
    killSwitchReads: 0,
    shards: 0,
    sendCalls: 0,
  };
  for (let tick = 0; tick < ticks; tick += 1) {
    const reads = readsOnTick(input.services, tick, input.scheduleMinutes, plan);
    const work = evaluateTickWork(reads, max, w.shardMessageBytesPerService, input.scheduleMinutes, plan);
    totals.statesRead += reads.statesRead;
    totals.servicesRead += reads.servicesRead;
    totals.metricsRequested += reads.metricsRequested;
    totals.calls += work.getMetricDataCalls;
    totals.invocations += work.invocations;
    totals.killSwitchReads += work.killSwitchReads;
    totals.shards += work.shards;
    totals.sendCalls += work.sendCalls;
  }
  return totals;
}

export function advisorMonthlyBill(input: AdvisorBillInput): AdvisorBill {
  const plan: MetricReadPlan = { ...adaptivePlan(input.kpisPerService), ...input.reads };
  const w: AdvisorWorkload = { ...DEFAULT_WORKLOAD, ...input.workload };
  const p = input.prices ?? US_EAST_1_PRICES;
  checkInput(input, plan, w);
  const free = input.freeTier === true;
  const net = (quantity: number, allowance: number): number =>
    free ? Math.max(0, quantity - allowance) : quantity;

  const evaluate = evaluateTotals(input, plan, w);
  const forecastRuns = MINUTES_PER_MONTH / w.forecastEveryMinutes;
  const forecastRun = forecastRunWork(
    input.services,
    input.shardSizes?.forecast ?? MAX_SERVICES_PER_SHARD.forecast,
    w.shardMessageBytesPerService,
    w.forecastLookBackDays,
  );
  // forecast/historyReads.ts: 14 days at 5 minutes every hour; every 8th hour per service, 3 days
  // of load, CPU and p99 at 1 minute (the margin, the rate and the learned capacity curve).
  const forecastMetrics = forecastRuns * input.services * forecastRun.metricsPerService;
  const forecastCalls = forecastRuns * forecastRun.getMetricDataCalls;

  const eventInvocations =
    w.remediationsPerMonth * w.lambdaInvocationsPerRemediation + w.queuedChangesPerMonth;
  const invocations = evaluate.invocations + forecastRuns * forecastRun.invocations + eventInvocations;
  const evaluateSeconds =
    (evaluate.ticks * w.evaluateBaseMs +
      evaluate.calls * w.msPerGetMetricDataCall +
      evaluate.servicesRead * w.msPerServiceEvaluated) /
    1000;
  const forecastSeconds =
    (forecastRuns * (w.evaluateBaseMs + input.services * w.forecastMsPerService) +
      forecastCalls * w.msPerGetMetricDataCall) /
    1000;
  const eventSeconds = (eventInvocations * w.evaluateBaseMs) / 1000;
  const gbSeconds =
    input.lambdaGbSecondsPerMonth ??
    evaluateSeconds * (w.evaluateMemoryMb / 1024) +
      forecastSeconds * (w.forecastMemoryMb / 1024) +
      eventSeconds * 0.25;

  const metricsRequested = evaluate.metricsRequested + forecastMetrics;
  // Strongly consistent: the kill switch every tick and the state of every service on a read slot.
  // Eventually consistent: the forecast item, once per evaluated service and once per service a
  // forecast run (the previous forecast, to score it); the state, once per minute read (the
  // launch time evaluate learned, which the rise margin is planned over).
  const stateRead = readUnits(w.stateItemBytes, 'strong');
  const forecastRead = readUnits(w.forecastItemBytes, 'eventual');
  const forecastItemReads = evaluate.servicesRead + forecastRuns * input.services;
  // A routine event (Recommendation, ActionApplied) is looked up in the notifier's posted marks
  // (BatchGetItem, eventually consistent) and marked once posted (aws/dynamoPostedEvents.ts): small items.
  const changes = evaluate.servicesRead * w.changeShare;
  const launchTimeReads = (forecastRuns * input.services) / MINUTE_READ_EVERY_HOURS;
  const dynamoReadUnits =
    (evaluate.killSwitchReads + evaluate.statesRead) * stateRead +
    forecastItemReads * forecastRead +
    changes * readUnits(POSTED_MARK_BYTES, 'eventual') +
    launchTimeReads * readUnits(w.stateItemBytes, 'eventual');
  // Per evaluation: state and decision record; per forecast run, one item per service; per queued
  // change, two; per routine event, its posted mark.
  const dynamoWriteUnits =
    evaluate.servicesRead * w.writesPerEvaluation +
    forecastRuns * input.services * writeUnits(w.forecastItemBytes) +
    w.queuedChangesPerMonth * 2 +
    changes * writeUnits(POSTED_MARK_BYTES);
  const events = changes + w.remediationsPerMonth * 2;
  const sqsRequests =
    w.polledQueues * w.idlePollsPerQueuePerMinute * MINUTES_PER_MONTH + w.queuedChangesPerMonth * 3;
  // The two shard queues (standard): the planners' sends, a receive and a delete per shard, and
  // the event sources' polling of an empty queue.
  // Recommendations and actions applied reach Slack through the digest queue.
  const digestRequests = digestQueueRequests(changes);
  const shardRequests = shardQueueRequests({
    sendCalls: evaluate.sendCalls + forecastRuns * forecastRun.sendCalls,
    messages: evaluate.shards + forecastRuns * forecastRun.shards,
  });
  const transitions = w.remediationsPerMonth * w.transitionsPerRemediation;
  const logGb = (invocations * w.logBytesPerInvocation + changes * w.logBytesPerChange) / 1e9;
  const schedulerInvocations = evaluate.ticks + forecastRuns;
  const metricMonths = w.customMetrics + w.sporadicCustomMetrics * w.sporadicMetricHoursShare;

  const line = (item: string, quantity: number, unit: string, usd: number): BillLine => ({
    item,
    quantity,
    unit,
    usd,
  });
  const lines: BillLine[] = [
    line(
      'CloudWatch GetMetricData',
      metricsRequested,
      'metrics requested',
      (metricsRequested / 1000) * p.getMetricDataPerThousandMetrics,
    ),
    line(
      'Lambda requests',
      invocations,
      'invocations',
      (net(invocations, MONTHLY_FREE_TIER.lambdaRequests) / 1e6) * p.lambdaPerMillionRequests,
    ),
    line(
      'Lambda compute (arm64)',
      gbSeconds,
      'GB-seconds',
      net(gbSeconds, MONTHLY_FREE_TIER.lambdaGbSeconds) * p.lambdaArmPerGbSecond,
    ),
    line(
      'DynamoDB reads (on-demand)',
      dynamoReadUnits,
      'read request units',
      (dynamoReadUnits / 1e6) * p.dynamoPerMillionReadUnits,
    ),
    line(
      'DynamoDB writes (on-demand)',
      dynamoWriteUnits,
      'write request units',
      (dynamoWriteUnits / 1e6) * p.dynamoPerMillionWriteUnits,
    ),
    line(
      'EventBridge Scheduler',
      schedulerInvocations,
      'invocations',
      (net(schedulerInvocations, MONTHLY_FREE_TIER.schedulerInvocations) / 1e6) *
        p.schedulerPerMillionInvocations,
    ),
    line('EventBridge custom events', events, 'events', (events / 1e6) * p.eventBridgePerMillionEvents),
    line(
      'SQS FIFO requests',
      sqsRequests,
      'requests',
      (net(sqsRequests, MONTHLY_FREE_TIER.sqsRequests) / 1e6) * p.sqsFifoPerMillionRequests,
    ),
    line(
      'SQS standard requests (shard queues)',
      shardRequests,
      'requests',
      (net(shardRequests, Math.max(0, MONTHLY_FREE_TIER.sqsRequests - sqsRequests)) / 1e6) *
        p.sqsStandardPerMillionRequests,
    ),
    line(
      'SQS standard requests (Slack digests)',
      digestRequests,
      'requests',
      (net(digestRequests, Math.max(0, MONTHLY_FREE_TIER.sqsRequests - sqsRequests - shardRequests)) / 1e6) *
        p.sqsStandardPerMillionRequests,
    ),
    line(
      'Step Functions (standard)',
      transitions,
      'state transitions',
      (net(transitions, MONTHLY_FREE_TIER.stepFunctionsTransitions) / 1000) *
        p.stepFunctionsPerThousandTransitions,
    ),
    line(
      'CloudWatch custom metrics (EMF)',
      metricMonths,
      'metric-months',
      net(metricMonths, MONTHLY_FREE_TIER.customMetrics) * p.customMetricPerMonth,
    ),
    line('CloudWatch alarms', w.alarms, 'alarms', net(w.alarms, MONTHLY_FREE_TIER.alarms) * p.alarmPerMonth),
    line(
      'CloudWatch Logs ingestion',
      logGb,
      'GB',
      net(logGb, MONTHLY_FREE_TIER.logsGb) * p.logsIngestionPerGb,
    ),
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  return {
    lines,
    totalUsd,
    reads: plan,
    evaluateInvocations: evaluate.invocations,
    forecastInvocations: forecastRuns * forecastRun.invocations,
    shardMessages: evaluate.shards + forecastRuns * forecastRun.shards,
    shardQueueRequests: shardRequests,
    statesRead: evaluate.statesRead,
    servicesEvaluated: evaluate.servicesRead,
    metricsRequested,
    getMetricDataCalls: evaluate.calls + forecastCalls,
  };
}
