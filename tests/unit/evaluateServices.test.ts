import { describe, expect, it } from '@jest/globals';
import {
  DECISION_KPIS,
  evaluateServices,
  readAdvisorEvent,
  readPhase,
  readScheduleOf,
  type AdvisorEvent,
  type ApprovalWorkflowInput,
  type DecisionRecord,
  type EvaluationDeps,
  type FleetCapacity,
  type KpiName,
  type KpiSample,
  type KpiSeries,
  type ManagedService,
  type MetricsWindow,
  type ServiceState,
} from '@headroom/core';
import { aService } from './fixtures.js';

const start = Date.UTC(2026, 10, 24, 12, 0, 0);

/** Small in-memory stand-ins for the ports, recording what the use case asked of them. */
class World {
  now = start;
  services: ManagedService[] = [];
  groups = new Map<string, FleetCapacity>();
  samples = new Map<string, KpiSample[]>();
  states = new Map<string, ServiceState>();
  records: DecisionRecord[] = [];
  events: AdvisorEvent[] = [];
  setCalls: [string, number, boolean][] = [];
  readCalls = 0;
  reads: { ids: string[]; window: MetricsWindow; kpis: readonly KpiName[] | undefined; args: number }[] = [];
  killSwitch: boolean | Error = false;
  failDiscover = false;
  failSet: Error | undefined;
  loseLockFor = new Set<string>();

  deps(more: Partial<EvaluationDeps> = {}): EvaluationDeps {
    return {
      clock: { now: () => this.now },
      metrics: {
        readKpis: async (services, window, ...rest) => {
          this.readCalls++;
          const kpis = rest[0];
          this.reads.push({ ids: services.map((s) => s.id), window, kpis, args: 2 + rest.length });
          // Like CloudWatch, only what was asked for comes back.
          const asked = (sample: KpiSample): KpiSample =>
            kpis
              ? (Object.fromEntries(
                  Object.entries(sample).filter(([k]) => k === 'at' || kpis.includes(k as KpiName)),
                ) as unknown as KpiSample)
              : sample;
          return new Map(
            services.map((s): [string, KpiSeries] => [
              s.id,
              { serviceId: s.id, samples: (this.samples.get(s.id) ?? []).map(asked) },
            ]),
          );
        },
      },
      fleet: {
        discover: async () => {
          if (this.failDiscover) throw new Error('AccessDenied');
          return this.services;
        },
        describe: async (names) =>
          new Map(names.flatMap((n) => (this.groups.has(n) ? [[n, this.groups.get(n)!]] : []))),
        setDesiredCapacity: async (group, desired, honorCooldown) => {
          if (this.failSet) throw this.failSet;
          this.setCalls.push([group, desired, honorCooldown]);
          this.groups.set(group, { ...this.groups.get(group)!, desired });
        },
      },
      state: {
        getServiceState: async (id) => this.states.get(id),
        putServiceState: async (state, expectedVersion) => {
          if (this.loseLockFor.has(state.serviceId)) return false;
          if ((this.states.get(state.serviceId)?.version ?? 0) !== expectedVersion) return false;
          this.states.set(state.serviceId, state);
          return true;
        },
        recordDecision: async (record) => void this.records.push(record),
        isKillSwitchOn: async () => {
          if (this.killSwitch instanceof Error) throw this.killSwitch;
          return this.killSwitch;
        },
      },
      events: { publish: async (events) => void this.events.push(...events) },
      ...more,
    };
  }

  add(service: ManagedService, desired: number, sample: Partial<KpiSample>, ageSeconds = 60): void {
    this.services.push(service);
    this.groups.set(service.autoScalingGroupName, {
      groupName: service.autoScalingGroupName,
      desired,
      inService: desired,
      warmingUp: 0,
      min: 0,
      max: 100,
    });
    this.samples.set(service.id, [
      { at: this.now - ageSeconds * 1000, p99LatencyMs: 200, errorRatePct: 0, cpuPct: 70, ...sample },
    ]);
  }
}

const options = { windowMinutes: 15, dailyActionBudget: 20 };
const svc = (id: string, mode = 'apply') =>
  aService({ 'headroom:service-id': id, 'headroom:mode': mode, 'headroom:managed': 'true' });
const group = (id: string, mode = 'apply') => ({ ...svc(id, mode), autoScalingGroupName: `${id}-asg` });

describe('evaluateServices', () => {
  it('applies a scale-out in apply mode, records it, publishes it and takes the state lock', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 84 });
    world.add(group('api'), 4, {});
    const report = await evaluateServices(world.deps(), options);

    expect(world.readCalls).toBe(1);
    expect(world.setCalls).toEqual([['web-asg', 12, true]]);
    expect(report.services.map((s) => [s.serviceId, s.status, s.record?.outcome])).toEqual([
      ['web', 'evaluated', 'applied'],
      ['api', 'evaluated', 'unchanged'],
    ]);
    expect(world.events.map((e) => [e.type, e.serviceId])).toEqual([['ActionApplied', 'web']]);
    expect(world.records).toHaveLength(2);
    expect(world.states.get('web')).toMatchObject({ version: 1, lastActionAt: start, actionsToday: 1 });
    expect(report.errors).toEqual([]);
    expect(report.killSwitch).toBe(false);
  });

  it('advise mode only recommends', async () => {
    const world = new World();
    world.add(group('web', 'advise'), 10, { cpuPct: 84 });
    await evaluateServices(world.deps(), options);
    expect(world.setCalls).toEqual([]);
    expect(world.events.map((e) => e.type)).toEqual(['Recommendation']);
    expect(world.events[0]?.detail).toMatchObject({
      outcome: 'recommended',
      decision: { desiredCapacity: 12 },
    });
  });

  it('publishes an unchanged recommendation once an hour, and again as soon as it changes', async () => {
    const world = new World();
    world.add(group('web', 'advise'), 10, { cpuPct: 84 });
    const types = async (minutesLater: number, cpuPct = 84) => {
      world.now = start + minutesLater * 60_000;
      world.samples.set('web', [{ at: world.now - 60_000, p99LatencyMs: 200, errorRatePct: 0, cpuPct }]);
      world.events = [];
      const report = await evaluateServices(world.deps(), options);
      return [world.events.map((e) => e.type), report.services[0]?.repeatedNotice ?? false];
    };
    expect(await types(0)).toEqual([['Recommendation'], false]);
    expect(await types(1)).toEqual([[], true]);
    expect(await types(59)).toEqual([[], true]);
    expect(await types(60)).toEqual([['Recommendation'], false]);
    expect(await types(61, 95)).toEqual([['Recommendation'], false]);
    expect(world.records).toHaveLength(5);
  });

  it('the kill switch blocks every action', async () => {
    const world = new World();
    world.killSwitch = true;
    world.add(group('web'), 10, { cpuPct: 84 });
    const report = await evaluateServices(world.deps(), options);
    expect(world.setCalls).toEqual([]);
    expect(report.services[0]?.record).toMatchObject({ outcome: 'blocked', guardrails: ['kill-switch'] });
  });

  it('a kill switch that cannot be read counts as on', async () => {
    const world = new World();
    world.killSwitch = new Error('ThrottlingException');
    world.add(group('web'), 10, { cpuPct: 84 });
    const report = await evaluateServices(world.deps(), options);
    expect(world.setCalls).toEqual([]);
    expect(report.killSwitch).toBe(true);
    expect(report.errors).toEqual([{ stage: 'kill-switch', message: 'Error: ThrottlingException' }]);
  });

  it('does not act when another evaluation won the state lock', async () => {
    const world = new World();
    world.loseLockFor.add('web');
    world.add(group('web'), 10, { cpuPct: 84 });
    const report = await evaluateServices(world.deps(), options);
    expect(report.services[0]).toMatchObject({ serviceId: 'web', status: 'conflict' });
    expect(world.setCalls).toEqual([]);
    expect(world.records).toEqual([]);
    expect(world.events).toEqual([]);
  });

  it('never acts on stale data and says why', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 95 }, 600);
    const report = await evaluateServices(world.deps(), options);
    expect(world.setCalls).toEqual([]);
    expect(report.services[0]?.record?.decision.rule).toBe('data/stale');
    expect(report.services[0]?.record?.decision.reason).toContain('600 s old');
  });

  it('reads CPU under EC2 basic monitoring (a datapoint every 5 min) as fresh for 15 min, not 3', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 95 });
    // What a 1-minute query returns for basic monitoring: one datapoint in five, the latest 4 min old.
    world.samples.set(
      'web',
      [14, 9, 4].map((minutesAgo) => ({ at: world.now - minutesAgo * 60_000, cpuPct: 95 })),
    );
    const report = await evaluateServices(world.deps(), options);
    expect(report.services[0]?.record?.decision.rule).not.toBe('data/stale');
    expect(report.services[0]?.record?.decision.desiredCapacity).toBeGreaterThan(10);

    // The same three datapoints 16 min later are stale even at that period.
    world.now += 12 * 60_000;
    const later = await evaluateServices(world.deps(), options);
    expect(later.services[0]?.record?.decision.rule).toBe('data/stale');
  });

  it('says why it cannot tell the period of a lone, old datapoint, and does not act on it', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 95 }, 240);
    const report = await evaluateServices(world.deps(), options);
    expect(world.setCalls).toEqual([]);
    expect(report.services[0]?.record?.decision.rule).toBe('data/stale');
    expect(report.notes.join('\n')).toContain(
      'web: one datapoint in the read window, too few to tell how often the metric is published',
    );
  });

  it('one failing service does not stop the others', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 84 });
    world.add(group('gone'), 3, {});
    world.add(group('api'), 4, { cpuPct: 140 });
    world.groups.delete('gone-asg');
    const report = await evaluateServices(world.deps(), options);
    expect(report.services.map((s) => [s.serviceId, s.status])).toEqual([
      ['web', 'evaluated'],
      ['gone', 'failed'],
      ['api', 'evaluated'],
    ]);
    expect(report.services[1]?.message).toBe('Auto Scaling group gone-asg not found');
    expect(world.setCalls).toEqual([
      ['web-asg', 12, true],
      ['api-asg', 8, true],
    ]);
  });

  it("publishes each service's events before evaluating the next, so a run that times out later loses none", async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 84 });
    world.add(group('api'), 4, { cpuPct: 140 });
    let reachedApi!: () => void;
    const stuck = new Promise<void>((resolve) => (reachedApi = resolve));
    const deps = world.deps();
    const setDesiredCapacity = deps.fleet.setDesiredCapacity;
    deps.fleet.setDesiredCapacity = async (name, desired, honorCooldown) => {
      if (name !== 'api-asg') return setDesiredCapacity(name, desired, honorCooldown);
      reachedApi();
      // The Lambda's time runs out here: this call never returns.
      return new Promise<void>(() => undefined);
    };
    void evaluateServices(deps, options);
    await stuck;
    expect(world.setCalls).toEqual([['web-asg', 12, true]]);
    expect(world.events.map((e) => [e.type, e.serviceId])).toEqual([['ActionApplied', 'web']]);
  });

  it("a failed publish of one service is reported and does not stop the next service's", async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 84 });
    world.add(group('api'), 4, { cpuPct: 140 });
    let calls = 0;
    const report = await evaluateServices(
      world.deps({
        events: {
          publish: async (events) => {
            calls += 1;
            if (calls === 1) throw new Error('ThrottlingException');
            world.events.push(...events);
          },
        },
      }),
      options,
    );
    expect(report.errors).toEqual([{ stage: 'publish', message: 'Error: ThrottlingException' }]);
    expect(world.events.map((e) => [e.type, e.serviceId])).toEqual([['ActionApplied', 'api']]);
  });

  it('a refused action is published as ActionFailed and recorded as blocked', async () => {
    const world = new World();
    world.failSet = Object.assign(new Error('Scaling activity in progress'), {
      name: 'ScalingActivityInProgressFault',
    });
    world.add(group('web'), 10, { cpuPct: 84 });
    const report = await evaluateServices(world.deps(), options);
    expect(report.services[0]?.record).toMatchObject({ outcome: 'blocked', guardrails: ['action-failed'] });
    expect(world.events[0]).toMatchObject({
      type: 'ActionFailed',
      detail: { error: 'ScalingActivityInProgressFault: Scaling activity in progress' },
    });
  });

  it('a large scale-in waits for approval: the workflow is started with an absolute plan, and it (not evaluate) publishes the request', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 14 });
    const requested: ApprovalWorkflowInput[] = [];
    const deps = world.deps({ approvals: { request: async (input) => void requested.push(input) } });
    const report = await evaluateServices(deps, options);
    expect(report.services[0]?.record?.outcome).toBe('approval-required');
    expect(world.setCalls).toEqual([]);
    expect(world.events).toEqual([]);
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({
      origin: 'evaluate',
      plan: {
        serviceId: 'web',
        verdict: 'approve',
        alarmName: null,
        scales: [
          { groupName: 'web-asg', from: 10, to: report.services[0]!.record!.decision.desiredCapacity },
        ],
        changes: [],
        approval: { approvalId: expect.stringMatching(/^apr-[0-9a-f]{24}$/), expiresAt: start + 3_600_000 },
      },
    });
    // The next run within the hour does not ask again.
    world.now += 60_000;
    world.samples.set('web', [{ at: world.now - 60_000, p99LatencyMs: 200, errorRatePct: 0, cpuPct: 14 }]);
    await evaluateServices(deps, options);
    expect(requested).toHaveLength(1);
  });

  it('says ActionFailed when the approval cannot be requested, and advises when there is no approval workflow', async () => {
    const failing = new World();
    failing.add(group('web'), 10, { cpuPct: 14 });
    const report = await evaluateServices(
      failing.deps({
        approvals: {
          request: async () => {
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
          },
        },
      }),
      options,
    );
    expect(report.services[0]?.record).toMatchObject({ outcome: 'blocked' });
    expect(report.services[0]?.record?.guardrails).toContain('action-failed');
    expect(failing.events.map((e) => [e.type, e.detail.error])).toEqual([
      ['ActionFailed', 'approval could not be requested: ThrottlingException: Rate exceeded'],
    ]);

    const unattended = new World();
    unattended.add(group('web'), 10, { cpuPct: 14 });
    await evaluateServices(unattended.deps(), options);
    expect(unattended.events.map((e) => [e.type, e.detail.outcome])).toEqual([
      ['Recommendation', 'approval-required'],
    ]);
  });

  it('puts on the bus only events the notifier can read (an approval request without its task token would be dead-lettered)', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 14 });
    world.add(group('api'), 4, { cpuPct: 140 });
    world.add(group('batch', 'advise'), 10, { cpuPct: 84 });
    await evaluateServices(world.deps(), options);
    expect(world.events.length).toBe(3);
    for (const event of world.events) expect(() => readAdvisorEvent(event)).not.toThrow();
  });

  it('evaluates configured services when discovery fails, and config overrides tags', async () => {
    const world = new World();
    world.add(group('web', 'advise'), 10, { cpuPct: 84 });
    const configured = { ...group('web', 'apply') };
    world.failDiscover = true;
    const report = await evaluateServices(world.deps(), { ...options, servicesFromConfig: [configured] });
    expect(report.errors).toEqual([{ stage: 'discover', message: 'Error: AccessDenied' }]);
    expect(world.setCalls).toEqual([['web-asg', 12, true]]);

    world.failDiscover = false;
    const again = await evaluateServices(world.deps(), { ...options, servicesFromConfig: [configured] });
    expect(again.notes).toContain('web: the config parameter overrides its tags');
  });

  it('skips services whose mode is off', async () => {
    const world = new World();
    world.add(group('web', 'off'), 10, { cpuPct: 84 });
    const report = await evaluateServices(world.deps(), options);
    expect(report.services).toEqual([{ serviceId: 'web', status: 'skipped', message: 'mode is off' }]);
    expect(world.readCalls).toBe(0);
  });

  it('raises capacity to a forecast floor, and keeps going when a forecast fails', async () => {
    const world = new World();
    world.add(group('web'), 10, {});
    world.add(group('api'), 4, {});
    const forecasts = async (id: string) => {
      if (id === 'api') throw new Error('no forecast stored');
      return { capacity: 13, confidence: 0.8, explanation: 'Morning ramp.' };
    };
    const report = await evaluateServices(world.deps({ forecasts }), options);
    expect(world.setCalls).toEqual([['web-asg', 13, true]]);
    expect(report.errors).toEqual([{ stage: 'forecast api', message: 'Error: no forecast stored' }]);
  });

  it('a second run within the cooldown is blocked by the stored state', async () => {
    const world = new World();
    world.add(group('web'), 10, { cpuPct: 84 });
    await evaluateServices(world.deps(), options);
    world.now += 60_000;
    world.samples.set('web', [{ at: world.now - 60_000, p99LatencyMs: 200, errorRatePct: 0, cpuPct: 95 }]);
    const report = await evaluateServices(world.deps(), options);
    expect(report.services[0]?.record).toMatchObject({ outcome: 'blocked', guardrails: ['cooldown'] });
    expect(world.states.get('web')?.version).toBe(2);
    expect(world.setCalls).toHaveLength(1);
  });
});

describe('evaluateServices with a read schedule (calm every 40 min, hot every 5)', () => {
  const MINUTE = 60_000;
  const reads = readScheduleOf({ calmEveryMinutes: 40, hotEveryMinutes: 5 }, 1);
  // A run on a tick divisible by 40: a service is on its calm slot when its phase is too.
  const slotStart = Math.ceil(start / (40 * MINUTE)) * 40 * MINUTE;
  const idWhere = (prefix: string, test: (phase: number) => boolean): string => {
    const id = Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`).find((c) => test(readPhase(c)));
    if (id === undefined) throw new Error(`no id for ${prefix}`);
    return id;
  };
  const calmId = idWhere('calm', (p) => p % 40 === 0);
  const hotId = idWhere('hot', (p) => p % 5 === 0 && p % 40 !== 0);
  const idleId = idWhere('idle', (p) => p % 5 !== 0);
  const stored = (id: string, lastReadAt: number, hot = false): ServiceState => ({
    serviceId: id,
    version: 1,
    lastReadAt,
    hot,
    ...(hot ? { hotBecause: 'SLO breached' } : {}),
  });

  function world(calmMode = 'advise'): World {
    const w = new World();
    w.now = slotStart;
    w.add(group(calmId, calmMode), 10, { cpuPct: 30 });
    w.add(group(hotId, 'advise'), 10, { cpuPct: 84 });
    w.add(group(idleId, 'advise'), 10, { cpuPct: 30 });
    w.states.set(calmId, stored(calmId, w.now - 40 * MINUTE));
    w.states.set(hotId, stored(hotId, w.now - 5 * MINUTE, true));
    w.states.set(idleId, stored(idleId, w.now - 20 * MINUTE));
    return w;
  }

  it('reads only the services due, one call per KPI set, each window back to the last read', async () => {
    const w = world();
    const report = await evaluateServices(w.deps(), { ...options, reads });

    expect(w.reads).toEqual([
      {
        ids: [calmId],
        window: { start: w.now - 43 * MINUTE, end: w.now, periodSeconds: 60 },
        kpis: DECISION_KPIS,
        args: 3,
      },
      // Every KPI (no list), and at least the configured window.
      {
        ids: [hotId],
        window: { start: w.now - 15 * MINUTE, end: w.now, periodSeconds: 60 },
        kpis: undefined,
        args: 2,
      },
    ]);
    expect(report.services.map((s) => [s.serviceId, s.status, s.message])).toEqual([
      [idleId, 'skipped', 'not due'],
      [calmId, 'evaluated', undefined],
      [hotId, 'evaluated', undefined],
    ]);
    expect(w.states.get(idleId)).toEqual(stored(idleId, w.now - 20 * MINUTE));
    expect(w.records.map((r) => r.decision.serviceId)).toEqual([calmId, hotId]);
    expect(w.states.get(calmId)).toMatchObject({ version: 2, lastReadAt: w.now, hot: false });
    expect(w.states.get(hotId)).toMatchObject({ version: 2, lastReadAt: w.now, hot: true });
    expect(w.states.get(hotId)?.hotBecause).toMatch(/^CPU 84 % within 10 points/);
  });

  it('an apply-mode scale-in from a calm read waits for the full read at the next hot slot', async () => {
    const w = world('apply');
    const first = await evaluateServices(w.deps(), { ...options, reads });
    const calmRecord = first.services.find((s) => s.serviceId === calmId)?.record;
    expect(calmRecord?.decision).toMatchObject({ action: 'hold', rule: 'data/confirm-scale-in' });
    expect(calmRecord?.decision.reason).toContain('waits for a full read');
    expect(w.setCalls).toEqual([]);
    expect(w.states.get(calmId)).toMatchObject({
      hot: true,
      hotBecause: 'a scale-in to confirm with a full read',
    });

    w.now += 5 * MINUTE;
    w.samples.set(calmId, [{ at: w.now - MINUTE, p99LatencyMs: 200, errorRatePct: 0, cpuPct: 30 }]);
    const second = await evaluateServices(w.deps(), { ...options, reads });
    // Both hot services share one full read.
    expect(w.reads.slice(2)).toEqual([expect.objectContaining({ ids: [calmId, hotId], kpis: undefined })]);
    expect(second.services.find((s) => s.serviceId === calmId)?.record?.outcome).toBe('applied');
    expect(w.setCalls).toHaveLength(1);
    expect(w.setCalls[0]![1]).toBeLessThan(10);
  });

  it('readEverything reads every KPI of every service in one call, whatever the schedule says', async () => {
    const w = world();
    const report = await evaluateServices(w.deps(), { ...options, reads, readEverything: true });
    expect(w.reads).toHaveLength(1);
    expect(w.reads[0]).toMatchObject({ ids: [calmId, hotId, idleId], kpis: undefined, args: 2 });
    expect(report.services.every((s) => s.status === 'evaluated')).toBe(true);
    // The read is remembered, so the schedule picks up from it.
    expect(w.states.get(idleId)).toMatchObject({ lastReadAt: w.now, hot: false });
  });

  it('a state that cannot be read fails that service only; a failed metric read leaves its set without data', async () => {
    const w = world();
    const deps = w.deps();
    const getServiceState = deps.state.getServiceState.bind(deps.state);
    deps.state.getServiceState = async (id) => {
      if (id === hotId) throw new Error('ProvisionedThroughputExceeded');
      return getServiceState(id);
    };
    const report = await evaluateServices(deps, { ...options, reads });
    expect(report.services.find((s) => s.serviceId === hotId)).toEqual({
      serviceId: hotId,
      status: 'failed',
      message: 'Error: ProvisionedThroughputExceeded',
    });
    expect(w.reads.map((r) => r.ids)).toEqual([[calmId]]);
  });
});
