/**
 * Fault injection through the ports: a seeded FaultPlan wraps any MetricsReader, FleetControl,
 * StateStore or EventPublisher (and the change worker's RDS, ElastiCache and queue ports) and makes
 * it fail the way AWS does, so the real use case can be shown to retry, fall back or fail loudly.
 * Errors carry the AWS SDK's shape (`name`, `$fault`, `$metadata`): what a caller sees once the
 * SDK's own retries are spent. Some faults strike after the write: the call took effect, then its
 * answer was lost, or the function timed out right after it (every later call of the same
 * invocation fails, until the harness starts the next one with `newInvocation`).
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { DecisionRecord } from '@headroom/core/model/decision.js';
import type { FleetCapacity } from '@headroom/core/model/fleet.js';
import type { KpiName, KpiSeries } from '@headroom/core/model/kpi.js';
import type {
  AdvisorEvent,
  Clock,
  EventPublisher,
  FleetControl,
  MetricsReader,
  MetricsWindow,
  ServiceState,
  StateStore,
} from '@headroom/core/ports/index.js';
import { ScalingRefusedError } from '@headroom/core/aws/errors.js';
import type {
  CacheReplicaControl,
  DbReplicaControl,
  FollowUpQueue,
} from '@headroom/core/remediation/ports.js';
import type { ApprovalWorkflow } from '@headroom/core/remediation/approvals.js';

/** Failures of any call. */
export const TRANSPORT_FAULTS = ['throttling', 'server-error', 'timeout'] as const;
/** What a metrics read can come back with. */
export const DATA_FAULTS = ['partial-data', 'missing-datapoints', 'stale-metrics'] as const;
/** What a capacity change can run into. */
export const FLEET_FAULTS = ['group-deleted', 'change-rejected'] as const;
/** What strikes after a write took effect. */
export const AFTER_WRITE_FAULTS = ['answer-lost', 'timeout-after-write'] as const;
export const FAULT_KINDS = [
  ...TRANSPORT_FAULTS,
  ...DATA_FAULTS,
  ...FLEET_FAULTS,
  ...AFTER_WRITE_FAULTS,
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A port call by name, e.g. `fleet.setDesiredCapacity`. */
export type PortCall =
  | 'metrics.readKpis'
  | 'fleet.discover'
  | 'fleet.describe'
  | 'fleet.setDesiredCapacity'
  | 'state.getServiceState'
  | 'state.putServiceState'
  | 'state.recordDecision'
  | 'state.isKillSwitchOn'
  | 'events.publish'
  | 'db.describe'
  | 'db.createReplica'
  | 'db.deleteReplica'
  | 'cache.describe'
  | 'cache.setReplicaCount'
  | 'queue.send'
  | 'approvals.request';

/** The calls that change something: where a fault can strike after the change took effect. */
export const WRITE_CALLS: readonly PortCall[] = [
  'fleet.setDesiredCapacity',
  'state.putServiceState',
  'state.recordDecision',
  'events.publish',
  'db.createReplica',
  'db.deleteReplica',
  'cache.setReplicaCount',
  'queue.send',
  'approvals.request',
];

export interface FaultPlanOptions {
  seed: number;
  /** Chance per call of each fault, 0..1; a fault only happens on the calls it applies to. */
  rates: Partial<Record<FaultKind, number>>;
  /** Only these calls fail (default: all). */
  calls?: readonly PortCall[];
  /** How far behind `stale-metrics` leaves the newest datapoint, minutes (default 5). */
  staleMinutes?: number;
}

export interface InjectedFault {
  kind: FaultKind;
  call: PortCall;
  at: number;
}

/** An AWS-shaped failure the plan threw. */
export class InjectedAwsError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; attempts: number };
  constructor(
    readonly kind: (typeof TRANSPORT_FAULTS)[number],
    readonly call: PortCall,
  ) {
    const shape = AWS_SHAPES[kind];
    super(`${shape.message} (injected on ${call})`);
    this.name = shape.name;
    this.$fault = shape.fault;
    // Five attempts: what the SDK's retry (clients.ts) has made before the error reaches the caller.
    this.$metadata = { httpStatusCode: shape.status, attempts: 5 };
  }
}

/** The call took effect, but its answer never came back: the caller sees a timeout. */
export class AnswerLostError extends InjectedAwsError {
  constructor(call: PortCall) {
    super('timeout', call);
    this.message = `the request took effect but its answer was lost (injected on ${call})`;
  }
}

/** Lambda ended the invocation at its timeout, right after this call took effect. */
export class FunctionTimedOutError extends Error {
  override readonly name = 'Sandbox.Timedout';
  constructor(readonly call: PortCall) {
    super(`Task timed out right after ${call} (injected)`);
  }
}

const AWS_SHAPES = {
  throttling: { name: 'ThrottlingException', message: 'Rate exceeded', fault: 'client', status: 400 },
  'server-error': {
    name: 'InternalServerError',
    message: 'We encountered an internal error. Please try again.',
    fault: 'server',
    status: 500,
  },
  timeout: {
    name: 'TimeoutError',
    message: 'the request socket timed out after 5000 ms of inactivity',
    fault: 'client',
    status: 0,
  },
} as const;

const APPLIES_TO: Record<FaultKind, (call: PortCall) => boolean> = {
  throttling: () => true,
  'server-error': () => true,
  timeout: () => true,
  'partial-data': (call) => call === 'metrics.readKpis',
  'missing-datapoints': (call) => call === 'metrics.readKpis',
  'stale-metrics': (call) => call === 'metrics.readKpis',
  'group-deleted': (call) => call === 'fleet.describe' || call === 'fleet.setDesiredCapacity',
  'change-rejected': (call) => call === 'fleet.setDesiredCapacity',
  'answer-lost': (call) => WRITE_CALLS.includes(call),
  'timeout-after-write': (call) => WRITE_CALLS.includes(call),
};

export class FaultPlan {
  /** Every fault injected, in order. */
  readonly injected: InjectedFault[] = [];
  private readonly next: () => number;

  constructor(
    private readonly options: FaultPlanOptions,
    private readonly clock: Clock,
  ) {
    for (const [kind, rate] of Object.entries(options.rates)) {
      if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new RangeError(`unknown fault "${kind}"`);
      if (!(rate >= 0 && rate <= 1))
        throw new RangeError(`fault rate of ${kind} must be in [0, 1], got ${rate}`);
    }
    const rng = xoroshiro128plus(options.seed);
    this.next = () => uniformFloat64(rng);
  }

  /** Set when a `timeout-after-write` ended the current invocation. */
  private timedOut: PortCall | undefined;

  count(kind?: FaultKind): number {
    return kind === undefined ? this.injected.length : this.injected.filter((f) => f.kind === kind).length;
  }

  /** Faults that struck after the call took effect. */
  countAfterWrite(): number {
    return this.injected.filter((f) => (AFTER_WRITE_FAULTS as readonly string[]).includes(f.kind)).length;
  }

  /** The harness starts the next invocation: a timed-out one is over. */
  newInvocation(): void {
    this.timedOut = undefined;
  }

  /** A write: transport faults before it, and after it (it took effect) a lost answer or a timeout. */
  private async write<T>(call: PortCall, run: () => Promise<T>): Promise<T> {
    this.failMaybe(call);
    const result = await run();
    const kind = this.draw(call, AFTER_WRITE_FAULTS);
    if (kind === 'answer-lost') throw new AnswerLostError(call);
    if (kind === 'timeout-after-write') {
      this.timedOut = call;
      throw new FunctionTimedOutError(call);
    }
    return result;
  }

  /** The fault this call runs into, if any: one draw per applicable kind, in a fixed order. */
  draw(call: PortCall, kinds: readonly FaultKind[] = FAULT_KINDS): FaultKind | undefined {
    if (this.options.calls !== undefined && !this.options.calls.includes(call)) return undefined;
    for (const kind of kinds) {
      const rate = this.options.rates[kind] ?? 0;
      if (rate === 0 || !APPLIES_TO[kind](call)) continue;
      if (this.next() < rate) {
        this.injected.push({ kind, call, at: this.clock.now() });
        return kind;
      }
    }
    return undefined;
  }

  /** Throws an AWS-shaped error if a transport fault is drawn for this call. */
  private failMaybe(call: PortCall): void {
    // Nothing runs after an invocation's timeout.
    if (this.timedOut !== undefined) throw new FunctionTimedOutError(this.timedOut);
    const kind = this.draw(call, TRANSPORT_FAULTS);
    if (kind !== undefined) throw new InjectedAwsError(kind as (typeof TRANSPORT_FAULTS)[number], call);
  }

  metrics(inner: MetricsReader): MetricsReader {
    return {
      readKpis: async (services, window, kpis) => {
        this.failMaybe('metrics.readKpis');
        const series = await inner.readKpis(services, window, kpis);
        const kind = this.draw('metrics.readKpis', DATA_FAULTS);
        return kind === undefined ? series : this.spoil(series, kind, window, kpis);
      },
    };
  }

  private spoil(
    series: Map<string, KpiSeries>,
    kind: FaultKind,
    window: MetricsWindow,
    kpis: readonly KpiName[] | undefined,
  ): Map<string, KpiSeries> {
    const out = new Map<string, KpiSeries>();
    const staleBefore = window.end - (this.options.staleMinutes ?? 5) * 60_000;
    for (const [id, s] of series) {
      if (kind === 'stale-metrics') {
        // The pipeline lags: nothing newer than `staleMinutes` has arrived yet.
        out.set(id, { ...s, samples: s.samples.filter((x) => x.at <= staleBefore) });
      } else if (kind === 'missing-datapoints') {
        // EC2 published no CPU datapoint for the newest periods (the ALB's metrics did arrive):
        // CloudWatch simply leaves them out, nothing says the read was incomplete.
        const from = s.samples.length - 3;
        const samples = s.samples.map((x, i) => {
          if (i < from) return x;
          const { cpuPct: _cpu, ...rest } = x;
          return rest;
        });
        out.set(id, { ...s, samples });
      } else {
        // PartialData: GetMetricData returns newest first, so the page that never came holds the
        // older half; the read says which KPIs are incomplete.
        const incomplete: KpiName[] = kpis ? [...kpis] : ['cpuPct', 'p99LatencyMs', 'errorRatePct'];
        const samples = s.samples.slice(Math.floor(s.samples.length / 2));
        out.set(id, { ...s, samples, incomplete });
      }
    }
    return out;
  }

  fleet(inner: FleetControl): FleetControl {
    return {
      discover: async () => {
        this.failMaybe('fleet.discover');
        return inner.discover();
      },
      describe: async (groupNames) => {
        this.failMaybe('fleet.describe');
        const groups = await inner.describe(groupNames);
        if (groups.size > 0 && this.draw('fleet.describe', ['group-deleted'])) {
          // Like DescribeAutoScalingGroups for a deleted group: it is simply absent.
          const names = [...groups.keys()];
          const gone = names[Math.floor(this.next() * names.length)]!;
          const left = new Map<string, FleetCapacity>(groups);
          left.delete(gone);
          return left;
        }
        return groups;
      },
      setDesiredCapacity: async (groupName, desired, honorCooldown) => {
        this.failMaybe('fleet.setDesiredCapacity');
        const kind = this.draw('fleet.setDesiredCapacity', FLEET_FAULTS);
        // The messages are the ones Auto Scaling returns for the same requests.
        if (kind === 'group-deleted')
          throw new ScalingRefusedError(
            groupName,
            desired,
            'invalid-request',
            `AutoScalingGroup name not found - ${groupName}`,
          );
        if (kind === 'change-rejected')
          throw new ScalingRefusedError(
            groupName,
            desired,
            'activity-in-progress',
            `Scaling activity in progress for ${groupName}`,
          );
        return this.write('fleet.setDesiredCapacity', () =>
          inner.setDesiredCapacity(groupName, desired, honorCooldown),
        );
      },
    };
  }

  state(inner: StateStore): StateStore {
    return {
      getServiceState: async (serviceId: string): Promise<ServiceState | undefined> => {
        this.failMaybe('state.getServiceState');
        return inner.getServiceState(serviceId);
      },
      putServiceState: async (state: ServiceState, expectedVersion: number) =>
        this.write('state.putServiceState', () => inner.putServiceState(state, expectedVersion)),
      recordDecision: async (record: DecisionRecord) =>
        this.write('state.recordDecision', () => inner.recordDecision(record)),
      isKillSwitchOn: async () => {
        this.failMaybe('state.isKillSwitchOn');
        return inner.isKillSwitchOn();
      },
    };
  }

  events(inner: EventPublisher): EventPublisher {
    return {
      publish: async (events: readonly AdvisorEvent[]) =>
        this.write('events.publish', () => inner.publish(events)),
    };
  }

  /** The change worker's RDS port: transport faults on every call. */
  replicas(inner: DbReplicaControl): DbReplicaControl {
    return {
      describe: async (id) => {
        this.failMaybe('db.describe');
        return inner.describe(id);
      },
      createReplica: async (sourceId, replicaId, tags) =>
        this.write('db.createReplica', () => inner.createReplica(sourceId, replicaId, tags)),
      deleteReplica: async (replicaId) =>
        this.write('db.deleteReplica', () => inner.deleteReplica(replicaId)),
    };
  }

  /** The change worker's ElastiCache port. */
  cache(inner: CacheReplicaControl): CacheReplicaControl {
    return {
      describe: async (id) => {
        this.failMaybe('cache.describe');
        return inner.describe(id);
      },
      setReplicaCount: async (...args: Parameters<CacheReplicaControl['setReplicaCount']>) =>
        this.write('cache.setReplicaCount', () => inner.setReplicaCount(...args)),
    };
  }

  /** A queue send (the follow-up queue): SQS took the message, the answer may be lost. */
  queue(inner: FollowUpQueue): FollowUpQueue {
    return {
      send: async (followUp, delaySeconds) =>
        this.write('queue.send', () => inner.send(followUp, delaySeconds)),
    };
  }

  /** Starting an approval (StartExecution). */
  approvals(inner: ApprovalWorkflow): ApprovalWorkflow {
    return { request: async (input) => this.write('approvals.request', () => inner.request(input)) };
  }
}
