/**
 * The scheduled side of a sharded flow: discover the estate, keep the services with work this
 * run, and either do it here (it fits one shard: no queue, no second invocation) or send it as
 * shards to a queue whose workers run them in parallel (SQS → Lambda). Each shard is its own
 * message: it is retried and dead-lettered alone, so one shard failing never loses another's work.
 */
import { managedServices } from '../config/managedServices.js';
import type { ManagedService } from '../model/service.js';
import type { FleetControl } from '../ports/index.js';
import type { EvaluationDeps, EvaluationOptions, EvaluationReport } from '../evaluate/evaluation.js';
import { evaluateServices } from '../evaluate/evaluateServices.js';
import { readCandidates } from '../evaluate/metricReads.js';
import { MAX_SERVICES_PER_SHARD, planShards, shardCount, type Shard, type ShardFlow } from './shardPlan.js';
import { shardStartDelays } from './shardPacing.js';

/** Where shards go to be run (SQS in AWS). */
export interface ShardQueue {
  /** `startDelaysSeconds[i]`: how long shard i is held back before a worker may take it (shardPacing.ts). */
  send(shards: readonly Shard[], startDelaysSeconds?: readonly number[]): Promise<void>;
}

export interface FanOutReport {
  at: number;
  /** Services discovered, mode off included. */
  discovered: number;
  /** Services with work this run (on a read slot, for evaluate). */
  withWork: number;
  /** Shards sent to the queue; 0 when the work was done in this invocation. */
  shardsSent: number;
  /** The report of the work done here, when it fit one shard. */
  inline?: EvaluationReport;
  errors: { stage: string; message: string }[];
}

export interface FanOutOptions {
  maxServicesPerShard?: number;
}

/** Discovered services with their mode on, config entries over tags. */
async function activeServices(
  fleet: Pick<FleetControl, 'discover'>,
  configured: readonly ManagedService[] | undefined,
  report: FanOutReport,
): Promise<ManagedService[]> {
  const fail = (stage: string, error: unknown) => report.errors.push({ stage, message: messageOf(error) });
  const { services } = await managedServices(fleet, configured, fail);
  report.discovered = services.length;
  return services.filter((s) => s.mode !== 'off');
}

/** Sends the shards; a failed send is a run error (the schedule retries the run). */
async function send(
  queue: ShardQueue,
  flow: ShardFlow,
  services: readonly ManagedService[],
  report: FanOutReport,
  max: number,
  startDelaysSeconds?: readonly number[],
): Promise<void> {
  const shards = planShards(flow, services, report.at, max);
  try {
    await queue.send(shards, startDelaysSeconds);
    report.shardsSent = shards.length;
  } catch (error) {
    report.errors.push({ stage: 'send-shards', message: messageOf(error) });
  }
}

/**
 * One evaluate tick. Only services on a read slot can be due (metricReads.ts), so only they are
 * sent: a tick at 10,000 services carries about a fifth of the estate, not all of it.
 */
export async function evaluateFleet(
  deps: EvaluationDeps & { shards?: ShardQueue },
  options: EvaluationOptions & FanOutOptions,
): Promise<FanOutReport> {
  const at = deps.clock.now();
  const report: FanOutReport = { at, discovered: 0, withWork: 0, shardsSent: 0, errors: [] };
  const active = await activeServices(deps.fleet, options.servicesFromConfig, report);
  const schedule = options.readEverything === true ? undefined : options.reads;
  const withWork = schedule ? readCandidates(active, at, schedule) : active;
  report.withWork = withWork.length;
  const max = options.maxServicesPerShard ?? MAX_SERVICES_PER_SHARD.evaluate;
  if (deps.shards === undefined || withWork.length <= max) {
    report.inline = await evaluateServices(deps, { ...options, services: withWork });
    report.errors.push(...report.inline.errors);
    return report;
  }
  // Starts spread over the minute so the shards' first calls do not land in the same second.
  const count = shardCount(withWork.length, max);
  const delays = shardStartDelays(count, (deps.clock.now() - at) / 1000);
  await send(deps.shards, 'evaluate', withWork, report, max, delays);
  return report;
}

/** One forecast hour: every active service, in shards (or here, when they fit one). */
export async function planForecastShards(
  deps: { clock: EvaluationDeps['clock']; fleet: Pick<FleetControl, 'discover'>; shards: ShardQueue },
  options: { servicesFromConfig?: readonly ManagedService[] } & FanOutOptions,
): Promise<FanOutReport & { services: ManagedService[] }> {
  const at = deps.clock.now();
  const report: FanOutReport = { at, discovered: 0, withWork: 0, shardsSent: 0, errors: [] };
  const active = await activeServices(deps.fleet, options.servicesFromConfig, report);
  report.withWork = active.length;
  const max = options.maxServicesPerShard ?? MAX_SERVICES_PER_SHARD.forecast;
  if (active.length <= max) return { ...report, services: active };
  await send(deps.shards, 'forecast', active, report, max);
  return { ...report, services: [] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
