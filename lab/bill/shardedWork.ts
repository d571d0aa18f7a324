/**
 * What the sharded flows cost per tick and per forecast run, counted as the code does it
 * (shards/fanOut.ts, aws/sqsShardQueue.ts, forecast/refreshForecasts.ts readHistory): the bill
 * sums these, and tests/lab/scale compares them with what the simulation called.
 */
import {
  getMetricDataCalls,
  MAX_DATAPOINTS_PER_CALL,
  type MetricReadPlan,
  type TickReads,
} from '@headroom/core/evaluate/readPlan.js';
import { shardCount } from '@headroom/core/shards/shardPlan.js';
import { MINUTE_READ_EVERY_HOURS, MINUTE_READ_KPIS } from '@headroom/core/forecast/historyReads.js';
import { MINUTES_PER_MONTH } from './prices.js';

/** SendMessageBatch: 10 entries and 256 KiB a call. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 262_144;

/** Sends of `shards` shard messages of up to `servicesPerShard` services each. */
export function sendCalls(shards: number, servicesPerShard: number, bytesPerService: number): number {
  if (shards === 0) return 0;
  const perCall = Math.max(
    1,
    Math.min(BATCH_ENTRIES, Math.floor(BATCH_BYTES / (servicesPerShard * bytesPerService))),
  );
  return Math.ceil(shards / perCall);
}

export interface TickWork {
  /** The planner, plus one per shard. */
  invocations: number;
  shards: number;
  sendCalls: number;
  /** One per invocation that evaluates (the planner when it keeps the work, else each shard). */
  killSwitchReads: number;
  /** Each evaluating invocation reads its own services' metrics. */
  getMetricDataCalls: number;
}

export function evaluateTickWork(
  reads: TickReads,
  maxPerShard: number,
  bytesPerService: number,
  scheduleMinutes: number,
  plan: MetricReadPlan,
): TickWork {
  const candidates = reads.statesRead;
  const shards = candidates > maxPerShard ? shardCount(candidates, maxPerShard) : 0;
  const evaluating = candidates === 0 ? 0 : Math.max(1, shards);
  const datapoints = Math.max(plan.hotEveryMinutes, plan.calmEveryMinutes, scheduleMinutes);
  const perInvocation = evaluating === 0 ? 0 : Math.ceil(reads.metricsRequested / evaluating);
  return {
    invocations: 1 + shards,
    shards,
    sendCalls: sendCalls(shards, Math.ceil(candidates / Math.max(1, shards)), bytesPerService),
    killSwitchReads: evaluating,
    getMetricDataCalls: evaluating * getMetricDataCalls(perInvocation, datapoints),
  };
}

/**
 * One forecast hour (forecast/historyReads.ts): every service's 14 days at 5 minutes, and a
 * 1/MINUTE_READ_EVERY_HOURS share of them (staggered) its last 3 days of load, CPU and p99 at 1 minute.
 */
export function forecastRunWork(
  services: number,
  maxPerShard: number,
  bytesPerService: number,
  lookBackDays: number,
  /** Share of the services that read their minutes this hour (1: a first run). */
  minuteShare: number = 1 / MINUTE_READ_EVERY_HOURS,
) {
  const shards = services > maxPerShard ? shardCount(services, maxPerShard) : 0;
  const perShard = Math.ceil(services / Math.max(1, shards));
  const runs = Math.max(1, shards);
  // Each read is paged at 100,800 datapoints; a call per page.
  const pages = (points: number) => (points <= 0 ? 0 : Math.ceil(points / MAX_DATAPOINTS_PER_CALL));
  const callsPerShard =
    pages(perShard * lookBackDays * 288) +
    pages(Math.ceil(perShard * minuteShare) * 3 * 1440 * MINUTE_READ_KPIS.length);
  return {
    invocations: 1 + shards,
    shards,
    sendCalls: sendCalls(shards, perShard, bytesPerService),
    getMetricDataCalls: services === 0 ? 0 : runs * callsPerShard,
    metricsPerService: 1 + MINUTE_READ_KPIS.length * minuteShare,
  };
}

/**
 * Polls of an empty queue by an event source, each a 20 s long poll: Lambda drops to 2 pollers when
 * idle, but not on a source with MaximumConcurrency (the forecast shards'), which keeps 5.
 */
export const IDLE_POLLS_PER_MINUTE = { evaluateShards: 6, forecastShards: 15, digests: 6 };

/**
 * The Slack digest queue (template.yaml NotificationDigestQueue): EventBridge's send, the event
 * source's receive and delete for each routine event (counted one by one, though batched), and
 * the idle polling.
 */
export function digestQueueRequests(routineEvents: number): number {
  return 3 * routineEvents + IDLE_POLLS_PER_MINUTE.digests * MINUTES_PER_MONTH;
}

export function shardQueueRequests(work: { sendCalls: number; messages: number }): number {
  const idle =
    (IDLE_POLLS_PER_MINUTE.evaluateShards + IDLE_POLLS_PER_MINUTE.forecastShards) * MINUTES_PER_MONTH;
  return work.sendCalls + 2 * work.messages + idle;
}
