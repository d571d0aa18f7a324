/**
 * 90 simulated days, the real evaluateServices every 5 simulated minutes (25,920 runs; every
 * minute would be 5× slower for no new path) over ports failing at random, and a stream of change
 * messages through a FIFO queue with a dead-letter queue into the real change worker. At the end:
 * every decision recorded, every action within the guardrails, every message accounted for.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DEFAULT_TIMING, type ManagedService } from '@headroom/core';
import { runSoak, type SoakResult } from '@headroom/lab/world/soak.js';
import { generateWorkload } from '@headroom/lab/workloads/generator.js';
import { FaultPlan } from '@headroom/lab/world/faults.js';
import { changeRecord, changeWorker, replicaChange } from './changeWorkerHarness.js';
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

beforeAll(async () => {
  dynamo = await startDynalite();
  const persistence = new DynamoDBPersistenceLayer({
    tableName: IDEMPOTENCY_TABLE,
    awsSdkV3Client: dynamo.client,
  });
  // RDS fails too: the worker's own calls are throttled or time out now and then.
  const rdsFaults = new FaultPlan(
    { seed: 99, rates: { throttling: 0.02, timeout: 0.01 } },
    { now: () => START },
  );
  const worker = changeWorker(persistence, () => START, { dbPort: (db) => rdsFaults.replicas(db) });
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
    },
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
        return {
          body: JSON.stringify(replicaChange(`soak-change-${String(n).padStart(6, '0')}`, groupId, delta)),
          groupId,
        };
      },
      consume: async (batch) => {
        const response = await worker.handle(
          batch.map((m) => changeRecord(m.body, m.groupId, m.receiveCount, m.id)),
        );
        return response.batchItemFailures.map((f) => f.itemIdentifier);
      },
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 120,
    },
  });
  tally.faultsInjected += result.faults.count() + rdsFaults.count();
  tally.actionsTaken += result.actions.length;
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
    expect(result.recorded.length + result.reportedUnrecorded.length).toBe(result.decided);
    expect(result.reportedUnrecorded.length).toBeGreaterThan(0);
    const applied = [...result.recorded, ...result.reportedUnrecorded].filter((r) => r.outcome === 'applied');
    const key = (at: number, id: string, to: number) => `${at}/${id}/${to}`;
    const appliedKeys = new Set(
      applied.map((r) => key(r.decision.at, r.decision.serviceId, r.decision.desiredCapacity)),
    );
    // Every change that reached a fleet is a decision recorded as applied.
    for (const a of result.actions) expect(appliedKeys).toContain(key(a.at, a.serviceId, a.to));
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

  it('lost no message: in = out + dead-lettered, and the DLQ holds exactly the poison messages', () => {
    const queue = result.queue!;
    expect(queue.pending).toBe(0);
    expect(queue.sent).toBe(queue.deleted + queue.deadLetters.length);
    expect(poisonSent).toBeGreaterThan(0);
    // Transient failures (throttled or timed-out RDS calls) were redelivered until they went through.
    expect(queue.deadLetters.map((m) => m.body)).toEqual(Array<string>(poisonSent).fill(POISON));
    for (const m of queue.deadLetters) expect(m.receiveCount).toBe(5);
  });

  it('lost no advisor event: produced = published + dead-lettered, and only failed publishes were dead-lettered', () => {
    const { produced, published, deadLettered } = result.advisorEvents;
    expect(published.length).toBeGreaterThan(100);
    expect(deadLettered.length).toBeGreaterThan(0);
    expect(produced).toBe(published.length + deadLettered.length);
    const faultCodes = new Set(['ThrottlingException', 'InternalServerError', 'TimeoutError']);
    for (const letter of deadLettered) expect(faultCodes).toContain(letter.errorCode);
    // Each event is in exactly one place.
    const key = (e: { type: string; serviceId: string; at: number }) => `${e.type}/${e.serviceId}/${e.at}`;
    const onBus = new Set(published.map(key));
    for (const letter of deadLettered) expect(onBus.has(key(letter.event))).toBe(false);
  });
});
