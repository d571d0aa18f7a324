/**
 * 90 simulated days, the real evaluateServices every 5 simulated minutes (25,920 runs; every
 * minute would be 5× slower for no new path) over ports failing at random, before and after the
 * write; its approval requests through the real remediation workflow to a simulated person; and a
 * stream of change messages through a FIFO queue with a dead-letter queue (delivered twice or out
 * of order now and then) into the real change worker, whose RDS and queue calls fail too. At the
 * end: every decision recorded, every action within the guardrails, every message accounted for,
 * and the resources' own ledger compared with what was decided.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DEFAULT_TIMING, type ManagedService } from '@headroom/core';
import { runSoak, type SoakResult } from '@headroom/lab/world/soak.js';
import { generateWorkload } from '@headroom/lab/workloads/generator.js';
import { FaultPlan } from '@headroom/lab/world/faults.js';
import { EffectLedger } from '@headroom/lab/world/effects.js';
import { changeRecord, changeWorker, recordedDb, replicaChange } from './changeWorkerHarness.js';
import { IDEMPOTENCY_TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { tally } from './tally.js';

const START = Date.UTC(2026, 0, 5);
const DAYS = 90;
const BUDGET = 12;

function managed(
  id: string,
  mode: ManagedService['mode'],
  capacity: ManagedService['capacity'],
  cooldownSeconds: number,
): ManagedService {
  return {
    id,
    autoScalingGroupName: `${id}-asg`,
    mode,
    slo: { p99LatencyMs: 500, errorRatePct: 1, cpuTargetPct: 70 },
    capacity,
    timing: { ...DEFAULT_TIMING, cooldownSeconds },
    pricePerInstanceHourUsd: 0.1,
    slowMinuteCostUsd: 5,
    tiers: {},
  };
}

const services = [
  managed('web', 'apply', { min: 2, max: 40, maxStepPct: 50, maxStepInstances: 5 }, 300),
  managed('api', 'apply', { min: 3, max: 12, maxStepPct: 100, maxStepInstances: 2 }, 900),
  managed('batch', 'advise', { min: 1, max: 30, maxStepPct: 100, maxStepInstances: 10 }, 300),
];
const POISON = '{"kind":"db-read-replicas","id":"x"}';

let dynamo: LocalDynamo;
let result: SoakResult;
let poisonSent = 0;
const ledger = new EffectLedger();
/** Replicas each source would have if every started change took effect exactly once. */
let replicasDecided: Map<string, number>;
let replicasSeen: Map<string, number>;

beforeAll(async () => {
  dynamo = await startDynalite();
  const persistence = new DynamoDBPersistenceLayer({
    tableName: IDEMPOTENCY_TABLE,
    awsSdkV3Client: dynamo.client,
  });
  // RDS and the follow-up queue fail too: throttled, timed out, or after the write (the replica was
  // created or deleted, the message sent, but the answer was lost or the function timed out).
  const rdsFaults = new FaultPlan(
    {
      seed: 99,
      rates: { throttling: 0.02, timeout: 0.01, 'answer-lost': 0.01, 'timeout-after-write': 0.005 },
    },
    { now: () => START },
  );
  const worker = changeWorker(persistence, () => START, {
    dbPort: (db) => rdsFaults.replicas(recordedDb(db, (source, size) => ledger.record(source, size))),
    followUpPort: (queue) => rdsFaults.queue(queue),
    killSwitchOn: () => ledger.isKillSwitchOn(),
  });
  worker.db.addSource('orders-db');
  worker.db.addSource('billing-db');
  const loads = [11, 12, 13].map((seed, i) =>
    generateWorkload({ seed, startAt: START, days: DAYS, meanRequestsPerMinute: [6000, 2500, 4000][i]! }),
  );
  result = await runSoak({
    seed: 2026,
    startAt: START,
    days: DAYS,
    evaluateEveryMinutes: 5,
    windowMinutes: 10,
    dailyActionBudget: BUDGET,
    // Low enough that api's two-instance scale-ins wait for a person now and then.
    approvalScaleInPct: 30,
    services: services.map((service, i) => ({
      service,
      muPerInstance: 10,
      initialCapacity: service.capacity.min + 2,
      load: loads[i]!,
    })),
    faults: {
      throttling: 0.004,
      'server-error': 0.002,
      timeout: 0.002,
      'partial-data': 0.02,
      'missing-datapoints': 0.02,
      'stale-metrics': 0.01,
      'group-deleted': 0.005,
      'change-rejected': 0.02,
      'answer-lost': 0.004,
      'timeout-after-write': 0.002,
    },
    deliveryFaults: { duplicate: 0.05, outOfOrder: 0.05 },
    ledger,
    killSwitchPerDay: 1,
    changes: {
      perDay: 4,
      message: (n, random) => {
        const groupId = random() < 0.5 ? 'orders-db' : 'billing-db';
        if (random() < 0.05) {
          poisonSent += 1;
          return { body: POISON, groupId };
        }
        const delta = random() < 0.6 ? 1 : -1;
        // Unique in its first 12 characters, as a content hash is: replica names derive from them.
        const id = `c${String(n).padStart(6, '0')}-soak-change`;
        ledger.allow(`change:${id}`, Math.abs(delta));
        return { body: JSON.stringify(replicaChange(id, groupId, delta)), groupId };
      },
      consume: async (batch) => {
        rdsFaults.newInvocation();
        const response = await worker.handle(
          batch.map((m) => changeRecord(m.body, m.groupId, m.receiveCount, m.id)),
        );
        return response.batchItemFailures.map((f) => f.itemIdentifier);
      },
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 120,
    },
  });
  // The replicas each source ended with, and what the changes that started decided.
  replicasSeen = new Map(
    ['orders-db', 'billing-db'].map((id) => [id, worker.db.instances.get(id)!.replicaIds.length]),
  );
  replicasDecided = new Map(['orders-db', 'billing-db'].map((id) => [id, 0]));
  const started = new Map(worker.followUps.map((f) => [f.change.id, f.change]));
  for (const change of started.values())
    replicasDecided.set(change.resourceId, (replicasDecided.get(change.resourceId) ?? 0) + change.delta);

  tally.faultsInjected += result.faults.count() + rdsFaults.count();
  tally.faultsAfterWrite += result.faults.countAfterWrite() + rdsFaults.countAfterWrite();
  tally.actionsTaken += ledger.effects.length;
  tally.effectsAppliedTwice += ledger.appliedTwice().length;
  tally.actionsAfterKillSwitch += ledger.afterKillSwitch().length;
  tally.approvalsLost += result.approvalsAsked.filter((id) => !result.approvals.reachedPerson.has(id)).length;
  // Change messages through the FIFO queue, and the advisor's events to the bus or its DLQ.
  tally.messagesIn += result.queue!.sent + result.advisorEvents.produced;
  tally.messagesOut += result.queue!.deleted + result.advisorEvents.published.length;
  tally.deadLettered += result.queue!.deadLetters.length + result.advisorEvents.deadLettered.length;
}, 120_000);

afterAll(async () => {
  await dynamo.close();
});

describe(`a ${DAYS}-day soak with random faults`, () => {
  it('ran every evaluation, with faults of every kind injected', () => {
    expect(result.minutes).toBe(DAYS * 1440);
    expect(result.evaluations).toBe((DAYS * 1440) / 5);
    for (const kind of [
      'throttling',
      'server-error',
      'timeout',
      'partial-data',
      'missing-datapoints',
      'stale-metrics',
      'group-deleted',
      'change-rejected',
    ] as const)
      expect(result.faults.count(kind)).toBeGreaterThan(0);
    expect(result.actions.length).toBeGreaterThan(100);
  });

  it('recorded every decision: in the state table, or (when that write failed) in the run report', () => {
    const key = (r: {
      decision: { at: number; serviceId: string; desiredCapacity: number };
      outcome: string;
    }) => `${r.decision.at}/${r.decision.serviceId}/${r.decision.desiredCapacity}/${r.outcome}`;
    const kept = new Set([...result.recorded, ...result.reportedUnrecorded].map(key));
    expect(result.decidedRecords).toHaveLength(result.decided);
    expect(result.decidedRecords.filter((r) => !kept.has(key(r)))).toEqual([]);
    expect(result.reportedUnrecorded.length).toBeGreaterThan(0);
    const applied = [...result.recorded, ...result.reportedUnrecorded].filter((r) => r.outcome === 'applied');
    const at = (t: number, id: string, to: number) => `${t}/${id}/${to}`;
    // Every change that reached a fleet is a decision recorded as applied, or one whose answer was
    // lost after it took effect (recorded as action-failed: the next run sees the real capacity).
    const attempted = [...result.recorded, ...result.reportedUnrecorded].filter(
      (r) => r.outcome === 'applied' || r.guardrails.includes('action-failed'),
    );
    const attemptedKeys = new Set(
      attempted.map((r) => at(r.decision.at, r.decision.serviceId, r.decision.desiredCapacity)),
    );
    const appliedKeys = new Set(
      applied.map((r) => at(r.decision.at, r.decision.serviceId, r.decision.desiredCapacity)),
    );
    for (const a of result.actions) {
      // An approved plan is applied later than it was decided; its record is keyed by the decision.
      const fromApproval = result.ledger.effects.some(
        (e) => e.at === a.at && e.cause.startsWith('approval:'),
      );
      if (!fromApproval) expect(attemptedKeys).toContain(at(a.at, a.serviceId, a.to));
    }
    expect(appliedKeys.size).toBeGreaterThan(0);
  });

  it('took no action outside the guardrails: mode, kill switch, min/max, step, cooldown, daily budget', () => {
    const byId = new Map(services.map((s) => [s.id, s]));
    const last = new Map<string, number>();
    const perDay = new Map<string, number>();
    for (const a of result.actions) {
      const s = byId.get(a.serviceId)!;
      expect([a.mode, a.killSwitch]).toEqual(['apply', false]);
      expect(a.to).toBeGreaterThanOrEqual(s.capacity.min);
      expect(a.to).toBeLessThanOrEqual(s.capacity.max);
      const step = Math.max(
        1,
        Math.min(Math.floor((a.from * s.capacity.maxStepPct) / 100), s.capacity.maxStepInstances),
      );
      expect(Math.abs(a.to - a.from)).toBeLessThanOrEqual(step);
      expect(a.to).not.toBe(a.from);
      const previous = last.get(a.serviceId);
      if (previous !== undefined)
        expect(a.at - previous).toBeGreaterThanOrEqual(s.timing.cooldownSeconds * 1000);
      last.set(a.serviceId, a.at);
      const day = `${a.serviceId}/${Math.floor(a.at / 86_400_000)}`;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(BUDGET);
    expect(result.actions.some((a) => a.serviceId === 'batch')).toBe(false);
  });

  it('lost no message: in = out + dead-lettered, and every poison message is in the DLQ', () => {
    const queue = result.queue!;
    expect(queue.pending).toBe(0);
    expect(queue.sent).toBe(queue.deleted + queue.deadLetters.length);
    expect(poisonSent).toBeGreaterThan(0);
    expect(queue.deadLetters.filter((m) => m.body === POISON)).toHaveLength(poisonSent);
    // A good message reaches the DLQ only after five failed receives. Before issue 12's change
    // worker fixes (absolute targets, poison handling) some do under faults after the write: the
    // summary's dead-lettered count shows them.
    for (const m of queue.deadLetters) expect(m.receiveCount).toBe(5);
  });

  it('lost no advisor event: produced = published + dead-lettered, and only failed publishes were dead-lettered', () => {
    const { produced, published, deadLettered } = result.advisorEvents;
    expect(published.length).toBeGreaterThan(100);
    expect(deadLettered.length).toBeGreaterThan(0);
    // Nothing lost: every event produced is on the bus or in the DLQ. A publish whose answer was
    // lost after EventBridge took it is in both (the notifier handles an event id once).
    const key = (e: { type: string; serviceId: string; at: number }) => `${e.type}/${e.serviceId}/${e.at}`;
    const kept = new Set([...published.map(key), ...deadLettered.map((l) => key(l.event))]);
    expect(result.advisorEvents.producedEvents.filter((e) => !kept.has(key(e)))).toEqual([]);
    expect(produced).toBe(result.advisorEvents.producedEvents.length);
    const faultCodes = new Set([
      'ThrottlingException',
      'InternalServerError',
      'TimeoutError',
      'Sandbox.Timedout',
    ]);
    for (const letter of deadLettered) expect(faultCodes).toContain(letter.errorCode);
  });

  it('struck after the write, delivered twice and out of order, and asked people for approvals', () => {
    expect(result.faults.count('answer-lost')).toBeGreaterThan(0);
    expect(result.faults.count('timeout-after-write')).toBeGreaterThan(0);
    expect(result.queue!.duplicated).toBeGreaterThan(0);
    expect(result.queue!.reordered).toBeGreaterThan(0);
    expect(result.approvalsAsked.length).toBeGreaterThan(0);
    expect(result.approvals.answers['approved']).toBeGreaterThan(0);
  });

  it('lost no approval: every request a person had to see reached one, in a shape the notifier reads', () => {
    expect(result.approvalsAsked.filter((id) => !result.approvals.reachedPerson.has(id))).toEqual([]);
  });

  it('the fleets saw each decision once, and nothing while the kill switch was on', () => {
    const fleetCause = (cause: string) => cause.startsWith('run:') || cause.startsWith('approval:');
    expect(result.ledger.appliedTwice().filter(fleetCause)).toEqual([]);
    expect(result.ledger.afterKillSwitch().filter((e) => fleetCause(e.cause))).toEqual([]);
    // Approved plans changed groups too, each once, through the scale step.
    expect(result.ledger.effects.some((e) => e.cause.startsWith('approval:'))).toBe(true);
  });

  it('the databases differ from what the started changes decided only by the effects their ledger saw applied twice', () => {
    // Two measures taken apart: the replicas each source has, and the ledger of creates and
    // deletes by change. Until the change worker states absolute targets (issue 12, other branch),
    // a retried delete removes a second replica; the summary line's "effects applied twice" says
    // how often, and this checks that count against the resources themselves.
    const twice = result.ledger.appliedTwice().filter((c) => c.startsWith('change:'));
    for (const [source, decided] of replicasDecided) {
      const onSource = twice.filter((c) => c.endsWith(` on ${source}`)).length;
      expect(Math.abs(replicasSeen.get(source)! - decided)).toBeLessThanOrEqual(onSource);
    }
  });
});
