/**
 * Remediation in the simulation: the load replayed through a service that also has a database
 * and a cache tier, compute scaled by the headroom policy as in every other run, and every alarm
 * the simulated account raises handled by the real remediation state machine (run locally), its
 * replica and cache changes applied by the real change worker. The result is the timeline events
 * the report draws.
 */
import { BENCH_MU_PER_INSTANCE, BENCH_SERVICE } from '../bench/benchSetup.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import type { RunResult, TimelineEvent } from '@headroom/core/model/replay.js';
import type { AdvisorEvent } from '@headroom/core/ports/index.js';
import { deployedHeadroom } from '../world/deployedHeadroom.js';
import { SimulatedAccount, SimulatedService } from '../world/account.js';
import { InMemoryEventPublisher, VirtualClock } from '../world/adapters.js';
import { sloAlarmRules, type AlarmRule, type SimAlarm } from '../world/alarms.js';
import type { CacheSetup, DatabaseSetup } from '../world/tiers.js';
import { runRemediationLocally, type LocalRunResult } from './localRun.js';
import { simBindings, simWorld, type SimApprover, type SimWorld } from './simBindings.js';

/** The benchmark's service with a database and a cache behind it, objectives on both. */
export const REMEDIATION_SERVICE: ManagedService = {
  ...BENCH_SERVICE,
  id: 'shop',
  autoScalingGroupName: 'shop',
  // The benchmark lets a policy jump anywhere; an alarm-driven action takes measured steps.
  capacity: { ...BENCH_SERVICE.capacity, maxStepPct: 25, maxStepInstances: 8 },
  slo: { ...BENCH_SERVICE.slo, dbConnectionsMaxPct: 80, cacheHitRatioMinPct: 85 },
  // The simulated application spreads its reads over the database's replicas, and says so.
  tiers: { dbInstanceId: 'shop-db', dbReadsOnReplicas: true, cacheReplicationGroupId: 'shop-cache' },
};

/**
 * Sized so that weekday peaks (about 200 requests/s) overload one cache node and push the
 * database's connections past 80 %: each tier needs a replica, and gets one.
 */
export const REMEDIATION_DATABASE: DatabaseSetup = {
  maxConnections: 30,
  baseConnections: 6,
  queriesPerRequest: 10,
  queryMs: 100,
  replicaProvisionSeconds: 15 * 60,
};
export const REMEDIATION_CACHE: CacheSetup = {
  requestsPerSecondPerNode: 150,
  hitRatioPct: 92,
  replicaProvisionSeconds: 8 * 60,
};

export interface RemediationSimOptions {
  /** Requests per minute, one per minute from startAt. */
  load: readonly number[];
  startAt: number;
  approver?: SimApprover;
  service?: ManagedService;
  database?: DatabaseSetup;
  cache?: CacheSetup;
}

export interface RemediationSimResult {
  events: TimelineEvent[];
  alarms: number;
  /** Workflow executions by outcome (applied, advised, rejected, timed-out, failed, or the failure). */
  outcomes: Record<string, number>;
  replicas: { database: number; cache: number };
  deadLetters: number;
}

/**
 * A low-utilisation alarm as a user would create it: database connections under a third of the
 * objective for two hours. It lets the night give back the replica the evening needed.
 */
export function idleAlarmRules(service: ManagedService): AlarmRule[] {
  const objective = service.slo.dbConnectionsMaxPct;
  if (objective === undefined || service.tiers.dbInstanceId === undefined) return [];
  return [
    {
      name: `${service.id}-db-idle`,
      tier: 'database',
      metric: 'dbConnectionsPct',
      comparison: 'below',
      threshold: objective / 3,
      datapoints: 120,
    },
  ];
}

/** The EventBridge event CloudWatch would send for this alarm. */
export function alarmEventOf(alarm: SimAlarm): Record<string, unknown> {
  const time = new Date(alarm.at).toISOString();
  return {
    version: '0',
    id: `sim-${alarm.name}-${alarm.at}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '000000000000',
    time,
    region: 'sim',
    resources: [],
    detail: {
      alarmName: alarm.name,
      state: {
        value: 'ALARM',
        reason: `${alarm.metric} ${round(alarm.value)} crossed ${alarm.threshold}`,
        timestamp: time,
      },
    },
  };
}

export async function simulateRemediation(options: RemediationSimOptions): Promise<RemediationSimResult> {
  const service = options.service ?? REMEDIATION_SERVICE;
  const { startAt, load } = options;
  const sim = new SimulatedService({
    service,
    muPerInstance: BENCH_MU_PER_INSTANCE,
    startAt,
    initialCapacity: startingCapacity(load[0] ?? 0, service),
    database: options.database ?? REMEDIATION_DATABASE,
    cache: options.cache ?? REMEDIATION_CACHE,
    alarms: [...sloAlarmRules(service.id, service.slo), ...idleAlarmRules(service)],
  });
  const account = new SimulatedAccount([sim], new VirtualClock(startAt));
  const published = new InMemoryEventPublisher();
  const world = simWorld(account, service.id, published);
  const bindings = simBindings(world, options.approver ?? 'approve');
  const policy = deployedHeadroom(service);
  const events: TimelineEvent[] = [];
  const outcomes: Record<string, number> = {};
  let alarms = 0;
  let seenEvents = 0;
  for (let i = 0; i < load.length; i++) {
    account.advanceMinute(() => load[i] ?? 0);
    const latest = sim.samples[sim.samples.length - 1];
    if (latest === undefined) continue;
    const fleet = sim.capacity();
    const wanted = Math.min(
      fleet.max,
      Math.max(
        fleet.min,
        Math.round(await policy.decide({ at: latest.at, fleet, latest, history: sim.samples })),
      ),
    );
    if (wanted !== fleet.desired) sim.setDesired(wanted);
    for (const alarm of sim.takeAlarms()) {
      alarms += 1;
      events.push({
        at: alarm.at,
        kind: 'alarm',
        label: `${alarm.name}: ${alarm.metric} ${round(alarm.value)} (threshold ${round(alarm.threshold)})`,
      });
      const run = await runRemediationLocally(alarmEventOf(alarm), bindings, {
        noRetryPause: true,
        executionId: `sim-${alarm.at}`,
      });
      const outcome = run.output?.outcome?.name ?? `failed: ${run.error ?? 'unknown'}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      events.push({ at: alarm.at, kind: 'remediation', label: remediationLabel(run) });
    }
    await world.queues.deliver(world.workerPorts);
    for (const event of published.events.slice(seenEvents)) {
      const label = workerLabel(event);
      if (label !== undefined) events.push({ at: event.at, kind: 'remediation', label });
    }
    seenEvents = published.events.length;
  }
  return {
    events,
    alarms,
    outcomes,
    replicas: { database: sim.replicas('database').total, cache: sim.replicas('cache').total },
    deadLetters: world.queues.deadLetters.length,
  };
}

function remediationLabel(run: LocalRunResult): string {
  const plan = run.output?.plan;
  const outcome = run.output?.outcome?.name;
  if (plan === undefined || outcome === undefined) return `failed: ${run.error ?? 'no plan'}`;
  const held = plan.guardrails.length > 0 ? ` [${plan.guardrails.join(', ')}]` : '';
  const failure = outcome === 'failed' ? `: ${run.output?.error?.Error ?? 'unknown'}` : '';
  const how =
    plan.verdict === 'approve' && outcome !== 'rejected' && outcome !== 'timed-out'
      ? `approved, ${outcome}`
      : outcome;
  const change = plan.changes[0];
  const tier =
    plan.tier === 'none' && change !== undefined
      ? change.kind === 'db-read-replicas'
        ? 'database'
        : 'cache'
      : plan.tier;
  return `${tier}: ${plan.summary} (${how}${failure})${held}`;
}

/** What the change worker reported, in the timeline's words; the workflow's own events are already there. */
function workerLabel(event: AdvisorEvent): string | undefined {
  const detail = event.detail as { summary?: string; minutes?: number; error?: string };
  if (event.type === 'RemediationCompleted') return `done: ${detail.summary} after ${detail.minutes} min`;
  if (event.type === 'ActionFailed' && 'changeId' in event.detail)
    return `refused: ${detail.summary} (${detail.error})`;
  return undefined;
}

/** Enough instances for the first minute at 60 % CPU, so the run does not open with an overload. */
function startingCapacity(firstMinuteLoad: number, service: ManagedService): number {
  const wanted = Math.ceil(firstMinuteLoad / 60 / (BENCH_MU_PER_INSTANCE * 0.6));
  return Math.min(service.capacity.max, Math.max(service.capacity.min, wanted));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export type { SimWorld };

/**
 * The remediation events on the headroom run's timeline (the policy the Lambda runs); they come
 * from the same workload replayed with the database and cache tiers, which the note says.
 */
export function addRemediationToRuns(runs: readonly RunResult[], result: RemediationSimResult): RunResult[] {
  return runs.map((run) =>
    run.summary.policy === 'headroom'
      ? { ...run, events: [...run.events, ...result.events].sort((a, b) => a.at - b.at) }
      : run,
  );
}

export function remediationNote(result: RemediationSimResult): string {
  const outcomes = Object.entries(result.outcomes)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ');
  return (
    `Remediation (headroom timeline): the same workload with a database and a cache tier raised ${result.alarms} alarms; ` +
    `the remediation state machine ran for each (${outcomes || 'none'}), ending with ${result.replicas.database} read ` +
    `replica(s) and ${result.replicas.cache} cache replica(s) per shard; ${result.deadLetters} message(s) dead-lettered.`
  );
}
