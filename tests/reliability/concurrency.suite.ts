/**
 * Two evaluations of the same service at once (a schedule overlapping an alarm) scale it once:
 * the conditional write on the state table is the lock, shown against dynalite with real
 * concurrent calls. And a change delivered twice at once is applied once (idempotency on its id).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  diagnoseStep,
  DynamoStateStore,
  evaluateServices,
  guardrailsStep,
  loadContext,
  scaleStep,
  ScalingRefusedError,
  type EvaluationDeps,
  type FleetCapacity,
  type FleetControl,
  type FleetScale,
  type ManagedService,
  type StateStore,
} from '@headroom/core';
import { InMemoryEventPublisher } from '@headroom/lab/world/adapters.js';
import { changeRecord, changeWorker, replicaChange } from './changeWorkerHarness.js';
import { service as managed } from './world.js';
import { IDEMPOTENCY_TABLE, startDynalite, STATE_TABLE, type LocalDynamo } from '../support/dynalite.js';
import { tally } from './tally.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/** One group of four, hot; counts every SetDesiredCapacity that reaches it. */
class CountingFleet implements FleetControl {
  setCalls = 0;
  constructor(
    private readonly service: ManagedService,
    private capacity: FleetCapacity,
  ) {}
  async discover() {
    return [this.service];
  }
  async describe() {
    return new Map([[this.capacity.groupName, { ...this.capacity }]]);
  }
  /** As Auto Scaling does: with HonorCooldown, refused until the cooldown after the last activity is over. */
  async setDesiredCapacity(group: string, desired: number, honorCooldown: boolean) {
    const last = this.capacity.lastActivityAt;
    if (honorCooldown && last !== undefined && T0 - last < this.service.timing.cooldownSeconds * 1000)
      throw new ScalingRefusedError(group, desired, 'activity-in-progress', 'Scaling activity in progress');
    this.setCalls += 1;
    this.capacity = { ...this.capacity, desired, lastActivityAt: T0 };
  }
}

/** Holds every caller of `getServiceState` until `parties` have read: all read the same version. */
function readTogether(inner: StateStore, parties: number): StateStore {
  let waiting: (() => void)[] = [];
  return {
    getServiceState: async (id) => {
      const state = await inner.getServiceState(id);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === parties) {
          for (const release of waiting) release();
          waiting = [];
        }
      });
      return state;
    },
    putServiceState: (state, expected) => inner.putServiceState(state, expected),
    recordDecision: (record) => inner.recordDecision(record),
    isKillSwitchOn: () => inner.isKillSwitchOn(),
  };
}

function world(serviceId: string, parties?: number) {
  const service = managed(serviceId);
  const fleet = new CountingFleet(service, {
    groupName: service.autoScalingGroupName,
    desired: 4,
    inService: 4,
    warmingUp: 0,
    min: 2,
    max: 20,
  });
  const store = new DynamoStateStore(dynamo.client, { tableName: STATE_TABLE });
  const state = parties ? readTogether(store, parties) : store;
  const deps = (): EvaluationDeps => ({
    clock: { now: () => T0 },
    metrics: {
      readKpis: async (services) =>
        new Map(
          services.map((s) => [
            s.id,
            {
              serviceId: s.id,
              samples: [
                { at: T0 - 60_000, cpuPct: 95, p99LatencyMs: 900, errorRatePct: 0, requestsPerMinute: 2000 },
              ],
            },
          ]),
        ),
    },
    fleet,
    state,
    events: new InMemoryEventPublisher(),
  });
  const evaluate = () => evaluateServices(deps(), { windowMinutes: 10, dailyActionBudget: 96 });
  const metrics = deps().metrics;
  const alarm = {
    id: `alarm-${serviceId}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    time: new Date(T0).toISOString(),
    detail: { alarmName: `${serviceId}-p99`, state: { value: 'ALARM', reason: 'Threshold Crossed' } },
  };
  /** The alarm flow's steps up to its plan, as remediate.asl.json runs them. */
  const plan = async () => {
    const context = await loadContext(alarm, { fleet, metrics, state: store }, { alarmPrefix: '', now: T0 });
    return guardrailsStep(diagnoseStep({ context }), { now: T0 }).plan!;
  };
  const act = async (scales: FleetScale[]) => {
    for (const scale of scales) await scaleStep(scale, { fleet, killSwitch: store }, T0);
  };
  /** Plans, and acts when the verdict is to apply (no approval needed); returns the verdict. */
  const remediate = async () => {
    const planned = await plan();
    if (planned.verdict === 'apply') await act(planned.scales);
    return planned;
  };
  return { fleet, store, evaluate, plan, act, remediate, deps };
}

describe('two evaluations of one service at once', () => {
  it('both read the same state; the conditional write lets one act, the other stands down', async () => {
    const w = world('race-lock', 2);
    const reports = await Promise.all([w.evaluate(), w.evaluate()]);
    expect(w.fleet.setCalls).toBe(1);
    const statuses = reports.map((r) => r.services[0]!.status).sort();
    expect(statuses).toEqual(['conflict', 'evaluated']);
    expect((await w.store.getServiceState('race-lock'))?.version).toBe(1);
    expect(await w.store.recentDecisions('race-lock', 10)).toHaveLength(1);
    tally.actionsTaken += w.fleet.setCalls;
  });

  it('whatever the interleaving, 20 rounds of 3 overlapping runs scale each service exactly once', async () => {
    for (let round = 0; round < 20; round++) {
      const w = world(`race-${round}`);
      await Promise.all([w.evaluate(), w.evaluate(), w.evaluate()]);
      // A loser either lost the lock or, reading after the winner, found the service in cooldown.
      expect(w.fleet.setCalls).toBe(1);
      tally.actionsTaken += w.fleet.setCalls;
    }
  });
});

describe('a schedule overlapping an alarm', () => {
  it('started together, the evaluate flow and the remediation workflow scale once', async () => {
    for (const [round, order] of [
      'evaluate-first',
      'alarm-first',
      'evaluate-first',
      'alarm-first',
    ].entries()) {
      const w = world(`overlap-${round}`);
      const outcomes = await Promise.allSettled(
        order === 'evaluate-first' ? [w.evaluate(), w.remediate()] : [w.remediate(), w.evaluate()],
      );
      expect(w.fleet.setCalls).toBe(1);
      // The loser says so: a refused remediation step, or an evaluation recorded as action-failed.
      const refused = outcomes
        .filter((o) => o.status === 'rejected')
        .map((o) => (o as PromiseRejectedResult).reason);
      for (const reason of refused) expect(reason).toBeInstanceOf(ScalingRefusedError);
      tally.actionsTaken += w.fleet.setCalls;
    }
  });

  it('alarm planned, then the schedule acts, then the alarm acts: the alarm step is refused', async () => {
    const w = world('overlap-plan-first');
    const { verdict, scales } = await w.plan();
    expect(verdict).toBe('apply');
    await w.evaluate();
    // Acting now would set the capacity the plan computed from the old size: double or undo the change.
    await expect(w.act(scales)).rejects.toBeInstanceOf(ScalingRefusedError);
    expect(w.fleet.setCalls).toBe(1);
    tally.actionsTaken += 1;
  });

  it('the schedule took the lock, then the alarm comes: it finds the cooldown and only advises', async () => {
    const w = world('overlap-decide-first');
    let entered!: () => void;
    let release!: () => void;
    const atTheAction = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const deps = w.deps();
    const paused: FleetControl = {
      discover: () => deps.fleet.discover(),
      describe: (names) => deps.fleet.describe(names),
      setDesiredCapacity: async (group, desired, honorCooldown) => {
        entered();
        await released;
        return deps.fleet.setDesiredCapacity(group, desired, honorCooldown);
      },
    };
    const evaluation = evaluateServices(
      { ...deps, fleet: paused },
      { windowMinutes: 10, dailyActionBudget: 96 },
    );
    await atTheAction;
    // The schedule's conditional write already recorded its action: the alarm flow sees the cooldown.
    const planned = await w.remediate();
    expect([planned.verdict, planned.guardrails]).toEqual(['advise', ['cooldown']]);
    release();
    const report = await evaluation;
    expect(w.fleet.setCalls).toBe(1);
    expect(report.services[0]!.record?.outcome).toBe('applied');
    tally.actionsTaken += 1;
  });

  it('an approved remediation does not act on a group that changed while it waited', async () => {
    const w = world('overlap-late');
    const { scales } = await w.plan();
    await w.evaluate();
    // The approval came an hour later: the group's cooldown is long over, its size is not the planned one.
    const later = new CountingFleet(managed('overlap-late'), {
      ...(await w.fleet.describe()).get('overlap-late-asg')!,
      lastActivityAt: T0 - 3_600_000,
    });
    await expect(
      scaleStep(scales[0]!, { fleet: later, killSwitch: { isKillSwitchOn: async () => false } }, T0),
    ).rejects.toThrow(/not the 4 the plan was made from/);
    expect(later.setCalls).toBe(0);
  });
});

describe('a change delivered twice at once', () => {
  it('is applied once: the copy that arrives mid-flight is failed back to SQS, then finds it done', async () => {
    const persistence = new DynamoDBPersistenceLayer({
      tableName: IDEMPOTENCY_TABLE,
      awsSdkV3Client: dynamo.client,
    });
    // Two Lambda containers: their own handler each, one idempotency table, one RDS.
    const worker = changeWorker(persistence, () => T0);
    const other = changeWorker(persistence, () => T0, { db: worker.db });
    worker.db.addSource('orders-db');
    const body = JSON.stringify(replicaChange('chg-concurrent-0001', 'orders-db', 2));
    let entered!: () => void;
    let release!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    worker.db.hold = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    const first = worker.handle([changeRecord(body, 'orders-db')]);
    await inFlight;
    // The second copy arrives while the first is applying: it must not apply, and must not be dropped.
    // A batch whose every record failed fails the invocation: SQS gets the whole batch back.
    await expect(other.handle([changeRecord(body, 'orders-db', 1, 'm-copy')])).rejects.toMatchObject({
      name: 'FullBatchFailureError',
    });
    worker.db.hold = undefined;
    release();
    expect((await first).batchItemFailures).toEqual([]);
    expect(worker.db.creates).toBe(2);
    const again = await other.handle([changeRecord(body, 'orders-db', 2)]);
    expect(again.batchItemFailures).toEqual([]);
    expect(worker.db.creates).toBe(2);
    expect(worker.followUps).toHaveLength(1);
    tally.messagesIn += 3;
    tally.messagesOut += 3;
  });
});
