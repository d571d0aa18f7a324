/**
 * The remediation workflow's tasks bound to the simulated account: the same steps the Lambda
 * functions run, the change worker behind a simulated FIFO queue (retried while its resource is
 * busy, dead-lettered after five receives, as SQS would), and RDS / ElastiCache answered by the
 * simulated tiers. Imported by path (not part of the Lambda layer).
 */
import type { AdvisorEventType, Clock, EventPublisher } from '@headroom/core/ports/index.js';
import type { SimulatedAccount, SimulatedService } from '../world/account.js';
import { InMemoryStateStore, SimFleetControl, SimMetricsReader } from '../world/adapters.js';
import { CREATED_BY_TAG, type ResourceChange } from '@headroom/core/remediation/changes.js';
import type { RemediationBindings } from './localRun.js';
import { InMemoryChangeTargets } from './changeTargets.js';
import type {
  AuroraReaderControl,
  CacheGroup,
  CacheReplicaControl,
  DbInstance,
  DbReplicaControl,
  FollowUp,
  FollowUpQueue,
} from '@headroom/core/remediation/ports.js';
import {
  applyChange,
  followChange,
  ResourceBusyError,
  type WorkerPorts,
} from '@headroom/core/remediation/worker.js';
import { diagnoseStep, guardrailsStep, loadContext } from '@headroom/core/remediation/workflow.js';
import { claimStep, scaleStep } from '@headroom/core/remediation/atAction.js';
import { recordStep } from '@headroom/core/remediation/record.js';

/** What the simulated approver answers; `ignore` lets the request time out. */
export type SimApprover = 'approve' | 'reject' | 'ignore';

const MAX_RECEIVES = 5;

/** The database tier as RDS would describe it: the source and its replicas, Headroom's tagged. */
export class SimDatabase implements DbReplicaControl {
  private readonly ids: string[] = [];
  private readonly ours = new Set<string>();

  constructor(
    private readonly sim: SimulatedService,
    private readonly sourceId: string,
  ) {
    const initial = sim.replicas('database').total;
    for (let i = 0; i < initial; i++) this.ids.push(`${sourceId}-replica-${i + 1}`);
  }

  async describe(id: string): Promise<DbInstance | undefined> {
    if (id === this.sourceId) return { id, status: 'available', tags: {}, replicaIds: [...this.ids] };
    const index = this.ids.indexOf(id);
    if (index < 0) return undefined;
    // Replicas take the same time to provision, so the oldest are the ready ones.
    const status = index < this.sim.replicas('database').ready ? 'available' : 'creating';
    return {
      id,
      status,
      tags: this.ours.has(id) ? { [CREATED_BY_TAG.key]: CREATED_BY_TAG.value } : {},
      replicaIds: [],
    };
  }

  async createReplica(_sourceId: string, replicaId: string): Promise<'created' | 'exists'> {
    if (this.ids.includes(replicaId)) return 'exists';
    this.sim.addReadReplica();
    this.ids.push(replicaId);
    this.ours.add(replicaId);
    return 'created';
  }

  async deleteReplica(replicaId: string): Promise<'deleting' | 'gone'> {
    // The simulated tier removes its newest replica, which is the one Headroom asks for (newest first).
    if (this.ids[this.ids.length - 1] !== replicaId) return 'gone';
    this.sim.removeReadReplica();
    this.ids.pop();
    return 'deleting';
  }
}

export class SimCache implements CacheReplicaControl {
  constructor(
    private readonly sim: SimulatedService,
    private readonly groupId: string,
  ) {}

  async describe(id: string): Promise<CacheGroup | undefined> {
    if (id !== this.groupId) return undefined;
    const { total, ready } = this.sim.replicas('cache');
    return {
      id,
      status: ready < total ? 'modifying' : 'available',
      replicasPerShard: [total],
      automaticFailover: false,
    };
  }

  async setReplicaCount(_id: string, newCount: number): Promise<void> {
    while (this.sim.replicas('cache').total < newCount) this.sim.addCacheReplica();
    while (this.sim.replicas('cache').total > newCount && this.sim.removeCacheReplica());
  }
}

interface Queued<T> {
  body: T;
  visibleAt: number;
  receives: number;
}

/** The change queue and the follow-up queue, as the worker sees them, on the virtual clock. */
export class SimChangeQueues implements FollowUpQueue {
  readonly changes: Queued<ResourceChange>[] = [];
  readonly followUps: Queued<FollowUp>[] = [];
  readonly deadLetters: { body: unknown; error: string }[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** FIFO deduplication: the same change id is accepted once. */
  sendChange(change: ResourceChange): void {
    if (this.seen.has(change.id)) return;
    this.seen.add(change.id);
    this.changes.push({ body: change, visibleAt: this.clock.now(), receives: 0 });
  }

  async send(followUp: FollowUp, delaySeconds: number): Promise<void> {
    this.followUps.push({ body: followUp, visibleAt: this.clock.now() + delaySeconds * 1000, receives: 0 });
  }

  /** Delivers what is visible now to the worker; a failure comes back after the visibility timeout. */
  async deliver(ports: WorkerPorts, visibilityTimeoutSeconds = 360): Promise<void> {
    const now = this.clock.now();
    for (const queue of [this.changes, this.followUps] as Queued<ResourceChange | FollowUp>[][]) {
      const due = queue.filter((m) => m.visibleAt <= now);
      for (const message of due) {
        queue.splice(queue.indexOf(message), 1);
        message.receives += 1;
        try {
          if ('kind' in message.body) await applyChange(message.body, ports, now);
          else await followChange(message.body, ports, now);
        } catch (error) {
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          if (!(error instanceof ResourceBusyError) || message.receives >= MAX_RECEIVES) {
            this.deadLetters.push({ body: message.body, error: reason });
          } else {
            queue.push({ ...message, visibleAt: now + visibilityTimeoutSeconds * 1000 });
          }
        }
      }
    }
  }
}

export interface SimWorld {
  account: SimulatedAccount;
  serviceId: string;
  store: InMemoryStateStore;
  events: EventPublisher;
  queues: SimChangeQueues;
  workerPorts: WorkerPorts;
}

export function simWorld(account: SimulatedAccount, serviceId: string, events: EventPublisher): SimWorld {
  const sim = account.services.get(serviceId);
  if (sim === undefined) throw new Error(`the simulated account has no service ${serviceId}`);
  const { dbInstanceId, cacheReplicationGroupId } = sim.service.tiers;
  const queues = new SimChangeQueues(account.clock);
  const db = dbInstanceId === undefined ? new AbsentTier('database') : new SimDatabase(sim, dbInstanceId);
  const cache =
    cacheReplicationGroupId === undefined
      ? new AbsentTier('cache')
      : new SimCache(sim, cacheReplicationGroupId);
  const store = new InMemoryStateStore();
  return {
    account,
    serviceId,
    store,
    events,
    queues,
    // The simulated service is declared (as in ServicesJson): its tiers are its own; nothing is tagged.
    workerPorts: {
      db,
      // The simulated database is RDS, never Aurora.
      aurora: new AbsentTier('Aurora'),
      cache,
      followUps: queues,
      events,
      targets: new InMemoryChangeTargets(),
      guard: store,
      configured: [sim.service],
      owners: { serviceOf: async () => undefined },
      services: new SimFleetControl(account),
    },
  };
}

/** A tier the simulated service does not have: every call says so. */
class AbsentTier implements DbReplicaControl, CacheReplicaControl, AuroraReaderControl {
  constructor(private readonly name: string) {}
  private fail(): never {
    throw new Error(`the simulated service has no ${this.name} tier`);
  }
  async describe(): Promise<never> {
    return this.fail();
  }
  async createReplica(): Promise<never> {
    return this.fail();
  }
  async deleteReplica(): Promise<never> {
    return this.fail();
  }
  async setReplicaCount(): Promise<never> {
    return this.fail();
  }
  async describeCluster(): Promise<never> {
    return this.fail();
  }
  async createReader(): Promise<never> {
    return this.fail();
  }
  async deleteReader(): Promise<never> {
    return this.fail();
  }
}

const ADVISOR_EVENT_TYPES: readonly AdvisorEventType[] = [
  'Recommendation',
  'ActionApplied',
  'ApprovalRequested',
  'ActionFailed',
  'RemediationCompleted',
];

function advisorEventType(name: string): AdvisorEventType {
  const type = ADVISOR_EVENT_TYPES.find((t) => t === name);
  if (type === undefined) throw new Error(`the workflow published an unknown event type "${name}"`);
  return type;
}

/** The workflow's tasks, bound to the world. `approver` stands in for the person in Slack. */
export function simBindings(world: SimWorld, approver: SimApprover): RemediationBindings {
  const { account, store, queues } = world;
  const fleet = new SimFleetControl(account);
  const metrics = new SimMetricsReader(account);
  const now = () => account.clock.now();
  return {
    loadContext: (event) =>
      loadContext(event, { fleet, metrics, state: store }, { alarmPrefix: '', now: now() }),
    diagnose: async (state) => diagnoseStep(state),
    guardrails: async (state) => guardrailsStep(state, { now: now() }),
    claim: (state) => claimStep(state, { fleet, state: store }, { now: now() }),
    scale: (scale) => scaleStep(scale, { fleet, killSwitch: store }, now()),
    sendChange: async (message) => {
      queues.sendChange(message.MessageBody);
      return message.MessageDeduplicationId;
    },
    requestApproval: async () => {
      if (approver === 'approve') return { answer: 'approved', by: 'simulated approver' };
      throw Object.assign(new Error('no answer'), {
        name: approver === 'reject' ? 'Headroom.Rejected' : 'States.Timeout',
      });
    },
    publish: async (type, detail) => {
      const { serviceId, at, ...rest } = detail as { serviceId: string; at: number };
      await world.events.publish([{ type: advisorEventType(type), serviceId, at, detail: rest }]);
    },
    record: (state) => recordStep(state, store, now()),
    keepInDeadLetter: async (body) => {
      queues.deadLetters.push({ body, error: 'kept by the workflow' });
    },
  };
}
