/**
 * A soak in simulation: months of minutes on the simulated account, the real evaluateServices
 * every few minutes through ports that fail at random (a seeded FaultPlan), a kill switch that
 * comes and goes, and a stream of change messages through a FIFO queue with a dead-letter queue.
 * It records what happened; the caller checks it (guardrails held, nothing lost).
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  withDeadLetters,
  type DeadLetteredEvent,
  type EventDeadLetters,
} from '@headroom/core/aws/withDeadLetters.js';
import { evaluateServices } from '@headroom/core/evaluate/evaluateServices.js';
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

const MINUTE_MS = 60_000;

export interface QueueMessage {
  id: string;
  body: string;
  groupId: string;
  receiveCount: number;
}

/** Handles a batch; returns the ids that failed (a throw fails them all), as an SQS consumer reports them. */
export type ChangeConsumer = (batch: readonly QueueMessage[]) => Promise<readonly string[]>;

/**
 * SQS FIFO as the change worker meets it: a group delivers in order and not while an earlier
 * message of it is in flight; a failed message comes back after the visibility timeout, and after
 * `maxReceiveCount` receives goes to the dead-letter queue. Nothing is ever dropped.
 */
export class FifoQueue {
  private readonly messages: (QueueMessage & { visibleAt: number })[] = [];
  readonly deadLetters: QueueMessage[] = [];
  sent = 0;
  deleted = 0;

  constructor(
    private readonly maxReceiveCount: number,
    private readonly visibilityMs: number,
  ) {}

  send(body: string, groupId: string, at: number): void {
    this.sent += 1;
    this.messages.push({ id: `msg-${this.sent}`, body, groupId, receiveCount: 0, visibleAt: at });
  }

  get pending(): number {
    return this.messages.length;
  }

  receive(at: number, max = 10): QueueMessage[] {
    const blocked = new Set<string>();
    const out: QueueMessage[] = [];
    for (const m of this.messages) {
      if (out.length === max) break;
      if (blocked.has(m.groupId)) continue;
      blocked.add(m.groupId);
      if (m.visibleAt > at) continue;
      m.receiveCount += 1;
      m.visibleAt = at + this.visibilityMs;
      out.push({ id: m.id, body: m.body, groupId: m.groupId, receiveCount: m.receiveCount });
    }
    return out;
  }

  /** Deletes the handled messages; the failed ones wait for their timeout or go to the dead-letter queue. */
  settle(batch: readonly QueueMessage[], failed: ReadonlySet<string>): void {
    for (const m of batch) {
      const i = this.messages.findIndex((x) => x.id === m.id);
      if (i < 0) continue;
      if (!failed.has(m.id)) {
        this.messages.splice(i, 1);
        this.deleted += 1;
      } else if (m.receiveCount >= this.maxReceiveCount) {
        this.messages.splice(i, 1);
        this.deadLetters.push(m);
      }
    }
  }
}

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
  services: readonly SoakService[];
  faults: Partial<Record<FaultKind, number>>;
  /** Expected kill-switch episodes per day, each lasting an hour. */
  killSwitchPerDay: number;
  changes?: ChangeStream;
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
  /** Decisions in the state store, and those whose write failed but the report carries. */
  recorded: DecisionRecord[];
  reportedUnrecorded: DecisionRecord[];
  actions: SoakAction[];
  faults: FaultPlan;
  advisorEvents: AdvisorEventCount;
  queue?: FifoQueue;
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
  const bus = new InMemoryEventPublisher();
  const deadLetters = new InMemoryDeadLetters();
  const advisorEvents = { produced: 0, published: bus.events, deadLettered: deadLetters.letters };
  // As in the evaluate function: a publish that fails (a fault) sends the events to the DLQ.
  const publisher = withDeadLetters(plan.events(bus), deadLetters);
  const deps = {
    clock,
    metrics: plan.metrics(new SimMetricsReader(account)),
    fleet: plan.fleet(witnessed(new SimFleetControl(account), account, actions, () => killSwitch)),
    state: plan.state(store),
    events: {
      publish: async (events: readonly AdvisorEvent[]) => {
        advisorEvents.produced += events.length;
        await publisher.publish(events);
      },
    },
  };
  const loads = new Map(options.services.map((s) => [s.service.id, s.load]));
  const minutes = Math.round(options.days * 1440);
  const queue =
    options.changes &&
    new FifoQueue(options.changes.maxReceiveCount, options.changes.visibilityTimeoutSeconds * 1000);
  const result: SoakResult = {
    minutes,
    evaluations: 0,
    decided: 0,
    recorded: store.decisions,
    reportedUnrecorded: [],
    actions,
    faults: plan,
    advisorEvents,
    ...(queue ? { queue } : {}),
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
      const report = await evaluateServices(deps, {
        windowMinutes: options.windowMinutes,
        dailyActionBudget: options.dailyActionBudget,
      });
      result.evaluations += 1;
      const unrecorded = new Set(
        report.errors.filter((e) => e.stage.startsWith('record ')).map((e) => e.stage.slice(7)),
      );
      for (const s of report.services) {
        if (s.status !== 'evaluated' || !s.record) continue;
        result.decided += 1;
        if (unrecorded.has(s.serviceId)) result.reportedUnrecorded.push(s.record);
      }
    }
    if (queue && options.changes) await exchange(queue, options.changes, clock.now(), random);
  }
  if (queue && options.changes) {
    // Drain: bounded, since every message is settled within maxReceiveCount deliveries.
    const step = options.changes.visibilityTimeoutSeconds * 1000;
    for (let i = 0; queue.pending > 0 && i < options.changes.maxReceiveCount * 10 + 10; i++) {
      clock.advance(step);
      await deliver(queue, options.changes.consume, clock.now());
    }
  }
  return result;
}

async function exchange(
  queue: FifoQueue,
  changes: ChangeStream,
  at: number,
  random: () => number,
): Promise<void> {
  if (random() < changes.perDay / 1440) {
    const { body, groupId } = changes.message(queue.sent, random);
    queue.send(body, groupId, at);
  }
  if (queue.pending > 0) await deliver(queue, changes.consume, at);
}

async function deliver(queue: FifoQueue, consume: ChangeConsumer, at: number): Promise<void> {
  const batch = queue.receive(at);
  if (batch.length === 0) return;
  let failed: ReadonlySet<string>;
  try {
    failed = new Set(await consume(batch));
  } catch {
    // The invocation failed: Lambda hands the whole batch back to SQS.
    failed = new Set(batch.map((m) => m.id));
  }
  queue.settle(batch, failed);
}

/** Records each change that reaches the fleet, with the capacity it replaced. */
function witnessed(
  inner: FleetControl,
  account: SimulatedAccount,
  actions: SoakAction[],
  killSwitch: () => boolean,
): FleetControl {
  return {
    discover: () => inner.discover(),
    describe: (names) => inner.describe(names),
    setDesiredCapacity: async (groupName, desired, honorCooldown) => {
      const sim = account.byGroupName(groupName);
      const from = sim?.fleet.size ?? 0;
      await inner.setDesiredCapacity(groupName, desired, honorCooldown);
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
