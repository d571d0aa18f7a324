/** The record `npm run bench:scale` writes for one size, from one scale run. */
import { MINUTES_PER_MONTH } from '../bill/prices.js';
import { advisorMonthlyBill } from '../bill/advisorMonthlyBill.js';
import type { InvocationRecord } from './engine.js';
import type { ScaleRunResult } from './scaleRun.js';

/** Ticks of the first run (every service unread, read on its hot slot): left out of the month. */
export const FIRST_RUN_TICKS = 5;

export interface ScaleRecord {
  services: number;
  /** The slowest tick: from the schedule's tick to the end of its last shard. */
  evaluateRoundSeconds: number;
  /** The forecast hour: from its tick to the end of its last shard. */
  forecastRunSeconds: number;
  maxQuotaUsePct: number;
  maxQuotaApi: string;
  peakMemoryMb: number;
  memorySizeMb: number;
  busiestFunction: string;
  lambdaGbSecondsPerMonth: number;
  billUsdPerMonth: number;
  billUsdPerServiceMonth: number;
  /** The rest, to read the numbers above by. */
  detail: {
    ticks: number;
    firstRunRoundSeconds: number;
    steadyRoundSeconds: number;
    evaluateShardsPerTickMax: number;
    forecastShards: number;
    failedInvocations: number;
    failures: string[];
    throttledCalls: Record<string, number>;
    quotaPeaksPct: Record<string, number>;
    peakConcurrentExecutions: number;
    memory: ScaleRunResult['memory'];
    calls: Record<string, number>;
    eventsPublished: number;
    realSeconds: number;
  };
}

const gbSeconds = (records: readonly InvocationRecord[]) =>
  records.reduce((sum, r) => sum + ((r.end - r.start) / 1000) * (r.memoryMb / 1024), 0);

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export function scaleRecord(services: number, result: ScaleRunResult): ScaleRecord {
  const steady = result.ticks.slice(FIRST_RUN_TICKS);
  const steadyStart = steady[0]?.tick ?? Number.POSITIVE_INFINITY;
  const steadyInvocations = result.evaluateInvocations.filter((r) => r.start >= steadyStart);
  const perTick = steady.length === 0 ? 0 : gbSeconds(steadyInvocations) / steady.length;
  const lambdaGbSecondsPerMonth =
    perTick * MINUTES_PER_MONTH + gbSeconds(result.forecastInvocations) * (MINUTES_PER_MONTH / 60);
  const bill = advisorMonthlyBill({
    services,
    scheduleMinutes: 1,
    kpisPerService: 4,
    lambdaGbSecondsPerMonth,
  });
  const busiest = [...result.memory].sort(
    (a, b) => b.peakMemoryMb / b.memorySizeMb - a.peakMemoryMb / a.memorySizeMb,
  )[0];
  const peak = result.aws.meter.peak();
  const concurrencyPct = (100 * result.engine.peakConcurrency()) / 1000;
  const quota =
    concurrencyPct > peak.pct ? { name: 'Lambda concurrent executions', pct: concurrencyPct } : peak;
  const all = [...result.forecastInvocations, ...result.evaluateInvocations];
  return {
    services,
    evaluateRoundSeconds: round(Math.max(...result.ticks.map((t) => t.seconds))),
    forecastRunSeconds: round(result.forecastRunSeconds),
    maxQuotaUsePct: round(quota.pct),
    maxQuotaApi: quota.name,
    peakMemoryMb: round(busiest?.peakMemoryMb ?? 0, 1),
    memorySizeMb: busiest?.memorySizeMb ?? 0,
    busiestFunction: busiest?.fn ?? '',
    lambdaGbSecondsPerMonth: Math.round(lambdaGbSecondsPerMonth),
    billUsdPerMonth: round(bill.totalUsd),
    billUsdPerServiceMonth: round(bill.totalUsd / services, 4),
    detail: {
      ticks: result.ticks.length,
      firstRunRoundSeconds: round(Math.max(...result.ticks.slice(0, FIRST_RUN_TICKS).map((t) => t.seconds))),
      steadyRoundSeconds: round(Math.max(0, ...steady.map((t) => t.seconds))),
      evaluateShardsPerTickMax: Math.max(...result.ticks.map((t) => t.invocations - 1)),
      forecastShards: result.forecastInvocations.filter((r) => r.body !== undefined).length,
      failedInvocations: all.filter((r) => r.error !== undefined).length,
      failures: [...new Set(all.flatMap((r) => (r.error === undefined ? [] : [`${r.fn}: ${r.error}`])))],
      throttledCalls: result.aws.counts.throttled,
      quotaPeaksPct: Object.fromEntries(
        Object.entries(result.aws.meter.peaks()).map(([k, v]) => [k, round(v)]),
      ),
      peakConcurrentExecutions: result.engine.peakConcurrency(),
      memory: result.memory.map((m) => ({ ...m, peakMemoryMb: round(m.peakMemoryMb, 1) })),
      calls: result.aws.counts.calls,
      eventsPublished: result.aws.counts.eventsPublished,
      realSeconds: round(result.realSeconds, 1),
    },
  };
}
