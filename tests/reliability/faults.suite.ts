/**
 * Each fault, injected through the ports into the real evaluateServices over the simulated
 * account, and the behaviour docs/reliability.md promises for it.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  evaluateServices,
  EventsLostError,
  withDeadLetters,
  type DeadLetteredEvent,
  type EventDeadLetters,
} from '@headroom/core';
import type { FaultPlan } from '@headroom/lab/world/faults.js';
import { loadAt, service, SimWorld } from './world.js';
import { tally } from './tally.js';

/** Two services of four instances, run for ten minutes at `cpuPct` each. */
function world(cpuPct: { web: number; api: number }): SimWorld {
  const w = new SimWorld([
    { service: service('web'), initialCapacity: 4 },
    { service: service('api'), initialCapacity: 4 },
  ]);
  w.run(10, (id) => loadAt(4, id === 'web' ? cpuPct.web : cpuPct.api));
  return w;
}
const HOT = 95;
const CALM = 20;

let plans: FaultPlan[] = [];
afterEach(() => {
  for (const p of plans) tally.faultsInjected += p.count();
  plans = [];
});
function planFor(w: SimWorld, ...args: Parameters<SimWorld['plan']>): FaultPlan {
  const plan = w.plan(...args);
  plans.push(plan);
  return plan;
}
const outcomes = (w: SimWorld) => w.store.decisions.map((r) => [r.decision.serviceId, r.outcome]);

describe('without faults (the baseline the fault tests compare with)', () => {
  it('scales a hot service out and a calm one in', async () => {
    const w = world({ web: HOT, api: CALM });
    await w.evaluate();
    expect(w.desired('web')).toBeGreaterThan(4);
    expect(w.desired('api')).toBeLessThan(4);
    tally.actionsTaken += w.actions.length;
  });
});

describe('throttling, 5xx and timeouts once the SDK retries are spent', () => {
  it('a failed metrics read is reported and nothing scales in on the missing data', async () => {
    const w = world({ web: CALM, api: CALM });
    const plan = planFor(w, { rates: { throttling: 1 }, calls: ['metrics.readKpis'] });
    const report = await w.evaluate(plan);
    expect(report.errors).toEqual([
      { stage: 'read-kpis', message: expect.stringContaining('ThrottlingException') },
    ]);
    expect(w.actions).toEqual([]);
    expect(w.store.decisions.map((r) => r.decision.rule)).toEqual([
      'target-tracking/hold-no-metric',
      'target-tracking/hold-no-metric',
    ]);
  });

  it('a failed describe fails every service and changes nothing, state included', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { 'server-error': 1 }, calls: ['fleet.describe'] });
    const report = await w.evaluate(plan);
    expect(report.errors[0]).toEqual({
      stage: 'describe',
      message: expect.stringContaining('InternalServerError'),
    });
    expect(report.services.map((s) => s.status)).toEqual(['failed', 'failed']);
    expect(w.actions).toEqual([]);
    expect(await w.store.getServiceState('web')).toBeUndefined();
  });

  it('a timed-out SetDesiredCapacity is recorded as blocked and published as ActionFailed', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { timeout: 1 }, calls: ['fleet.setDesiredCapacity'] });
    await w.evaluate(plan);
    expect(w.actions).toEqual([]);
    expect(w.desired('web')).toBe(4);
    expect(w.store.decisions.map((r) => [r.outcome, r.guardrails.at(-1)])).toEqual([
      ['blocked', 'action-failed'],
      ['blocked', 'action-failed'],
    ]);
    expect(w.published.events.map((e) => [e.type, e.detail['error']])).toEqual([
      ['ActionFailed', expect.stringContaining('TimeoutError')],
      ['ActionFailed', expect.stringContaining('TimeoutError')],
    ]);
  });

  it('an unreadable kill switch is taken as on: decisions are recorded, nothing is applied', async () => {
    const w = world({ web: HOT, api: CALM });
    const plan = planFor(w, { rates: { throttling: 1 }, calls: ['state.isKillSwitchOn'] });
    const report = await w.evaluate(plan);
    expect(report.killSwitch).toBe(true);
    expect(w.actions).toEqual([]);
    expect(w.store.decisions.map((r) => r.guardrails)).toEqual([['kill-switch'], ['kill-switch']]);
  });

  it('a failed state write (the lock) fails the service without acting', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { 'server-error': 1 }, calls: ['state.putServiceState'] });
    const report = await w.evaluate(plan);
    expect(report.services.map((s) => [s.status, s.message])).toEqual([
      ['failed', expect.stringContaining('InternalServerError')],
      ['failed', expect.stringContaining('InternalServerError')],
    ]);
    expect(w.actions).toEqual([]);
  });

  it('a decision that cannot be recorded after acting is still reported and published', async () => {
    const w = world({ web: HOT, api: CALM });
    const plan = planFor(w, { rates: { throttling: 1 }, calls: ['state.recordDecision'] });
    const report = await w.evaluate(plan);
    // The action happened: the run must say so, with the decision, so the log and the bus keep it.
    expect(w.actions.map((a) => a.groupName)).toEqual(['web-asg', 'api-asg']);
    expect(report.services.map((s) => [s.serviceId, s.record?.outcome])).toEqual([
      ['web', 'applied'],
      ['api', 'applied'],
    ]);
    expect(report.errors.map((e) => e.stage)).toEqual(['record web', 'record api']);
    expect(w.published.events.map((e) => e.type)).toEqual(['ActionApplied', 'ActionApplied']);
    tally.actionsTaken += w.actions.length;
  });

  it('a failed publish behind withDeadLetters: every event is kept on the DLQ, no run error', async () => {
    const w = world({ web: HOT, api: CALM });
    const plan = planFor(w, { rates: { throttling: 1 }, calls: ['events.publish'] });
    const kept: DeadLetteredEvent[] = [];
    const deadLetters: EventDeadLetters = { send: async (letters) => void kept.push(...letters) };
    const deps = w.deps(plan);
    const report = await evaluateServices(
      { ...deps, events: withDeadLetters(deps.events, deadLetters) },
      { windowMinutes: 10, dailyActionBudget: 96 },
    );
    expect(report.errors).toEqual([]);
    expect(w.published.events).toEqual([]);
    expect(kept.map((l) => [l.event.type, l.event.serviceId, l.errorCode])).toEqual([
      ['ActionApplied', 'web', 'ThrottlingException'],
      ['ActionApplied', 'api', 'ThrottlingException'],
    ]);
    tally.messagesIn += 2;
    tally.deadLettered += kept.length;
  });

  it('the DLQ refusing too is a publish run error naming the lost events (the handler then throws)', async () => {
    const w = world({ web: HOT, api: CALM });
    const plan = planFor(w, { rates: { throttling: 1 }, calls: ['events.publish'] });
    const refusing: EventDeadLetters = {
      send: async (letters) => {
        throw new EventsLostError(
          letters.map((l) => l.event),
          'QueueDoesNotExist: gone',
        );
      },
    };
    const deps = w.deps(plan);
    const report = await evaluateServices(
      { ...deps, events: withDeadLetters(deps.events, refusing) },
      { windowMinutes: 10, dailyActionBudget: 96 },
    );
    // Each service's events are published as it goes, so each lost publish is its own error.
    expect(report.errors).toEqual([
      {
        stage: 'publish',
        message: expect.stringContaining('neither published nor dead-lettered (ActionApplied web)'),
      },
      {
        stage: 'publish',
        message: expect.stringContaining('neither published nor dead-lettered (ActionApplied api)'),
      },
    ]);
    expect(outcomes(w)).toEqual([
      ['web', 'applied'],
      ['api', 'applied'],
    ]);
  });

  it('a failed publish is a run error; the decisions are recorded all the same', async () => {
    const w = world({ web: HOT, api: CALM });
    const plan = planFor(w, { rates: { throttling: 1 }, calls: ['events.publish'] });
    const report = await w.evaluate(plan);
    expect(report.errors).toEqual([
      { stage: 'publish', message: expect.stringContaining('ThrottlingException') },
      { stage: 'publish', message: expect.stringContaining('ThrottlingException') },
    ]);
    expect(outcomes(w)).toEqual([
      ['web', 'applied'],
      ['api', 'applied'],
    ]);
    tally.actionsTaken += w.actions.length;
  });
});

describe('partial, missing and stale metrics', () => {
  it('PartialData: an incomplete read never scales in, and is noted', async () => {
    const w = world({ web: CALM, api: CALM });
    const plan = planFor(w, { rates: { 'partial-data': 1 } });
    const report = await w.evaluate(plan);
    expect(report.notes).toContain('web: incomplete read of cpuPct, p99LatencyMs, errorRatePct');
    expect(w.actions).toEqual([]);
    expect(w.store.decisions.map((r) => r.decision.action)).toEqual(['hold', 'hold']);
  });

  it('PartialData: an incomplete read may still scale out (adding capacity is the safe side)', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { 'partial-data': 1 } });
    await w.evaluate(plan);
    expect(w.actions.map((a) => a.groupName)).toEqual(['web-asg', 'api-asg']);
    tally.actionsTaken += w.actions.length;
  });

  it('missing CPU datapoints: no scale-in, as the HPA holds without a metric', async () => {
    const w = world({ web: CALM, api: CALM });
    const plan = planFor(w, { rates: { 'missing-datapoints': 1 } });
    await w.evaluate(plan);
    expect(w.actions).toEqual([]);
    expect(w.store.decisions.map((r) => r.decision.rule)).toEqual([
      'target-tracking/hold-no-metric',
      'target-tracking/hold-no-metric',
    ]);
  });

  it('stale metrics: never acted on, even when they say the service is on fire', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { 'stale-metrics': 1 } });
    await w.evaluate(plan);
    expect(w.actions).toEqual([]);
    for (const r of w.store.decisions) {
      expect(r.decision.rule).toBe('data/stale');
      expect(r.decision.confidence).toBeLessThanOrEqual(0.2);
    }
  });
});

describe('the Auto Scaling group and the change', () => {
  it('a group deleted before the run fails that service only', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { 'group-deleted': 1 }, calls: ['fleet.describe'] });
    const report = await w.evaluate(plan);
    const failed = report.services.filter((s) => s.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/Auto Scaling group .*-asg not found/);
    expect(w.actions).toHaveLength(1);
    tally.actionsTaken += w.actions.length;
  });

  it('a group deleted mid-flight: the change is refused, recorded and published as ActionFailed', async () => {
    const w = world({ web: HOT, api: HOT });
    const plan = planFor(w, { rates: { 'group-deleted': 1 }, calls: ['fleet.setDesiredCapacity'] });
    await w.evaluate(plan);
    expect(w.actions).toEqual([]);
    expect(w.published.events.map((e) => [e.type, e.detail['error']])).toEqual([
      ['ActionFailed', expect.stringContaining('AutoScalingGroup name not found - web-asg')],
      ['ActionFailed', expect.stringContaining('AutoScalingGroup name not found - api-asg')],
    ]);
  });

  it('a change AWS rejects (scaling activity in progress) is not retried in the same run', async () => {
    const w = world({ web: HOT, api: CALM });
    const plan = planFor(w, { rates: { 'change-rejected': 1 } });
    const report = await w.evaluate(plan);
    expect(w.actions).toEqual([]);
    expect(report.services.map((s) => s.message)).toEqual([
      expect.stringContaining('(activity-in-progress)'),
      expect.stringContaining('(activity-in-progress)'),
    ]);
    expect(outcomes(w)).toEqual([
      ['web', 'blocked'],
      ['api', 'blocked'],
    ]);
  });
});
