/**
 * A soak in simulation: months of minutes on the simulated account, the real evaluateServices
 * every few minutes through ports that fail at random (a seeded FaultPlan), before and after the
 * write; its approval requests through the real remediation workflow to a simulated person; a kill
 * switch that comes and goes; and a stream of change messages through a FIFO queue with a
 * dead-letter queue, delivered twice or out of order now and then. The resources keep a ledger of
 * every change that took effect (effects.ts); the caller checks it against what was decided.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  withDeadLetters,
  type DeadLetteredEvent,
  type EventDeadLetters,
} from '@headroom/core/aws/withDeadLetters.js';
import { evaluateServices } from '@headroom/core/evaluate/evaluateServices.js';
import { approvalIdOf } from '@headroom/core/remediation/approvals.js';
import type { DecisionRecord } from '@headroom/core/model/decision.js';
import type { ManagedService, Mode } from '@headroom/core/model/service.js';
import type { AdvisorEvent, FleetControl } from '@headroom/core/ports/index.js';
import { SimulatedAccount, SimulatedService } from './account.js';
import {
  InMemoryEventPublisher,
  InMemoryStateStore,
  SimFleetControl,
  SimMetricsReader,
  VirtualClock,
} from './adapters.js';
import { FaultPlan, type FaultKind } from './faults.js';
import { deliver, FifoQueue, type ChangeConsumer, type DeliveryFaults } from './fifoQueue.js';
import { EffectLedger } from './effects.js';
import { SoakApprovals } from './soakApprovals.js';

export { FifoQueue, type ChangeConsumer, type QueueMessage } from './fifoQueue.js';

const MINUTE_MS = 60_000;

export interface SoakService {
  service: ManagedService;
  muPerInstance: number;
  initialCapacity: number;
  /** Requests per minute, one per simulated minute (at least `days` × 1440). */
  load: readonly number[];
}

export interface ChangeStream {
  /** Expected messages per simulated day. */
  perDay: number;
  /** The n-th message's body and FIFO group. */
  message: (n: number, random: () => number) => { body: string; groupId: string };
  consume: ChangeConsumer;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

export interface SoakOptions {
  seed: number;
  startAt: number;
  days: number;
  /** Minutes between evaluations (the schedule); 1 is the real schedule, 5 keeps a 90-day soak fast. */
  evaluateEveryMinutes: number;
  windowMinutes: number;
  dailyActionBudget: number;
  /** Scale-ins removing more than this share of a group wait for a person (the evaluate flow's option). */
  approvalScaleInPct?: number;
  services: readonly SoakService[];
  faults: Partial<Record<FaultKind, number>>;
  /** Expected kill-switch episodes per day, each lasting an hour. */
  killSwitchPerDay: number;
  changes?: ChangeStream;
  /** Duplicate and out-of-order deliveries of the change queue. */
  deliveryFaults?: DeliveryFaults;
  /**
   * The resources' ledger; the change stream's resources record into it too. The soak sets its
   * cause around each invocation (one change message per invocation, so each effect has one cause).
   */
  ledger?: EffectLedger;
}

/** A capacity change that reached the fleet, with what the guardrails must have known then. */
export interface SoakAction {
  at: number;
  serviceId: string;
  from: number;
  to: number;
  mode: Mode;
  killSwitch: boolean;
}

/** The advisor's events: every one the runs produced is on the bus or in the dead-letter queue. */
export interface AdvisorEventCount {
  produced: number;
  /** Every event the runs and the approval workflows produced, in order. */
  producedEvents: AdvisorEvent[];
  published: readonly AdvisorEvent[];
  deadLettered: readonly DeadLetteredEvent[];
}

/** The advisor-events DLQ of the soak keeps what it is given; its own failure is the handler's to test. */
class InMemoryDeadLetters implements EventDeadLetters {
  readonly letters: DeadLetteredEvent[] = [];

  async send(letters: readonly DeadLetteredEvent[]): Promise<void> {
    this.letters.push(...letters);
  }
}

export interface SoakResult {
  minutes: number;
  evaluations: number;
  /** Services evaluated to a decision, by the reports. */
  decided: number;
  /** Decisions in the state store (the approval workflows' records too), and those whose write failed but the report carries. */
  recorded: DecisionRecord[];
  /** The decisions of the evaluate runs, by their reports. */
  decidedRecords: DecisionRecord[];
  reportedUnrecorded: DecisionRecord[];
  actions: SoakAction[];
  faults: FaultPlan;
  advisorEvents: AdvisorEventCount;
  queue?: FifoQueue;
  ledger: EffectLedger;
  approvals: SoakApprovals;
  /** Approval requests a person had to see (approval-required, not a repeat). */
  approvalsAsked: string[];
  /** The kill switch, for the caller's ledger. */
  killSwitchOn: () => boolean;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const clock = new VirtualClock(options.startAt);
  const rng = xoroshiro128plus(options.seed);
  const random = () => uniformFloat64(rng);
  const sims = options.services.map(
    (s) =>
      new SimulatedService({
        service: s.service,
        muPerInstance: s.muPerInstance,
        startAt: options.startAt,
        initialCapacity: s.initialCapacity,
        keepMinutes: options.windowMinutes + 5,
      }),
  );
  const account = new SimulatedAccount(sims, clock);
  const store = new InMemoryStateStore();
  const plan = new FaultPlan({ seed: options.seed + 1, rates: options.faults }, clock);
  const actions: SoakAction[] = [];
  let killSwitch = false;
  const ledger = options.ledger ?? new EffectLedger();
  ledger.attach(clock, () => killSwitch);
  const approvals = new SoakApprovals();
  const approvalsAsked: string[] = [];
  const bus = new InMemoryEventPublisher();
  const deadLetters = new InMemoryDeadLetters();
  const advisorEvents = {
    produced: 0,
    producedEvents: [] as AdvisorEvent[],
    published: bus.events,
    deadLettered: deadLetters.letters,
  };
  // As in the evaluate function: a publish that fails (a fault) sends the events to the DLQ.
  const publisher = withDeadLetters(plan.events(bus), deadLetters);
  const deps = {
    clock,
    metrics: plan.metrics(new SimMetricsReader(account)),
    fleet: plan.fleet(witnessed(new SimFleetControl(account), account, actions, () => killSwitch, ledger)),
    state: plan.state(store),
    approvals: plan.approvals(approvals),
    events: {
      publish: async (events: readonly AdvisorEvent[]) => {
        advisorEvents.produced += events.length;
        advisorEvents.producedEvents.push(...events);
        await publisher.publish(events);
      },
    },
  };
  const loads = new Map(options.services.map((s) => [s.service.id, s.load]));
  const minutes = Math.round(options.days * 1440);
  const queue =
    options.changes &&
    new FifoQueue(
      options.changes.maxReceiveCount,
      options.changes.visibilityTimeoutSeconds * 1000,
      options.deliveryFaults,
      random,
    );
  const approvalPorts = {
    fleet: deps.fleet,
    state: deps.state,
    events: deps.events,
    now: () => clock.now(),
    random,
    ledger,
    newInvocation: () => plan.newInvocation(),
  };
  const result: SoakResult = {
    minutes,
    evaluations: 0,
    decided: 0,
    recorded: store.decisions,
    decidedRecords: [],
    reportedUnrecorded: [],
    actions,
    faults: plan,
    advisorEvents,
    ...(queue ? { queue } : {}),
    ledger,
    approvals,
    approvalsAsked,
    killSwitchOn: () => killSwitch,
  };
  let killSwitchUntil = -Infinity;

  for (let m = 0; m < minutes; m++) {
    account.advanceMinute((id) => loads.get(id)![m] ?? 0);
    if (m % 60 === 0) {
      if (clock.now() >= killSwitchUntil && random() < options.killSwitchPerDay / 24)
        killSwitchUntil = clock.now() + 60 * MINUTE_MS;
      killSwitch = clock.now() < killSwitchUntil;
      store.setKillSwitch(killSwitch);
    }
    if ((m + 1) % options.evaluateEveryMinutes === 0) {
      plan.newInvocation();
      ledger.cause = `run:${result.evaluations}`;
      const report = await evaluateServices(deps, {
        windowMinutes: options.windowMinutes,
        dailyActionBudget: options.dailyActionBudget,
        ...(options.approvalScaleInPct === undefined
          ? {}
          : { approvalScaleInPct: options.approvalScaleInPct }),
      });
      result.evaluations += 1;
      const unrecorded = new Set(
        report.errors.filter((e) => e.stage.startsWith('record ')).map((e) => e.stage.slice(7)),
      );
      for (const s of report.services) {
        if (s.status !== 'evaluated' || !s.record) continue;
        result.decided += 1;
        result.decidedRecords.push(s.record);
        if (unrecorded.has(s.serviceId)) result.reportedUnrecorded.push(s.record);
        if (s.record.outcome === 'approval-required' && !s.repeatedNotice)
          approvalsAsked.push(approvalIdOf(s.record));
      }
      await approvals.runAll(approvalPorts);
    }
    if (queue && options.changes) await exchange(queue, options.changes, clock.now(), random, plan, ledger);
  }
  if (queue && options.changes) {
    // Drain: bounded, since every message is settled within maxReceiveCount deliveries.
    const step = options.changes.visibilityTimeoutSeconds * 1000;
    for (let i = 0; queue.pending > 0 && i < options.changes.maxReceiveCount * 10 + 10; i++) {
      clock.advance(step);
      await deliverOne(queue, options.changes.consume, clock.now(), plan, ledger);
    }
  }
  return result;
}

async function exchange(
  queue: FifoQueue,
  changes: ChangeStream,
  at: number,
  random: () => number,
  plan: FaultPlan,
  ledger: EffectLedger,
): Promise<void> {
  if (random() < changes.perDay / 1440) {
    const { body, groupId } = changes.message(queue.sent, random);
    queue.send(body, groupId, at);
  }
  if (queue.pending > 0) await deliverOne(queue, changes.consume, at, plan, ledger);
}

/** One message per invocation, so what the resources see has one cause: the change's id. */
async function deliverOne(
  queue: FifoQueue,
  consume: ChangeConsumer,
  at: number,
  plan: FaultPlan,
  ledger: EffectLedger,
): Promise<void> {
  plan.newInvocation();
  await deliver(
    queue,
    async (batch) => {
      ledger.cause = `change:${changeIdOf(batch[0]?.body ?? '')}`;
      return consume(batch);
    },
    at,
    1,
  );
}

function changeIdOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'id' in parsed ? String(parsed.id) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Records each change that reaches the fleet, with the capacity it replaced. */
function witnessed(
  inner: FleetControl,
  account: SimulatedAccount,
  actions: SoakAction[],
  killSwitch: () => boolean,
  ledger: EffectLedger,
): FleetControl {
  return {
    discover: () => inner.discover(),
    describe: (names) => inner.describe(names),
    setDesiredCapacity: async (groupName, desired, honorCooldown) => {
      const sim = account.byGroupName(groupName);
      const from = sim?.fleet.size ?? 0;
      await inner.setDesiredCapacity(groupName, desired, honorCooldown);
      if (desired !== from) ledger.record(groupName, 1);
      actions.push({
        at: account.clock.now(),
        serviceId: sim?.service.id ?? groupName,
        from,
        to: desired,
        mode: sim?.service.mode ?? 'off',
        killSwitch: killSwitch(),
      });
    },
  };
}
