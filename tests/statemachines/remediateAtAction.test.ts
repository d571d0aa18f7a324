/**
 * The guardrails at the point of action, through the real remediate.asl.json: what a person does
 * while a plan waits (the kill switch, the mode) stops it, and alarms of one incident that run
 * together act once. ClaimAction re-checks and claims right before ApplyActions; the scaling step
 * reads the switch and the mode once more right before SetDesiredCapacity.
 */
import { describe, expect, it } from '@jest/globals';
import { scaleStep } from '@headroom/core/remediation/atAction';
import { aService, alarmEvent, FLEET, NOW } from '../remediation/fixtures.js';
import { FakeFleet, FakeStore } from '../remediation/fakes.js';
import { run, world } from './world.js';

describe('remediate.asl.json: the switch and the guardrails at the point of action', () => {
  it('an approval that arrives after the kill switch was turned on applies nothing', async () => {
    const store = new FakeStore();
    const w = world({
      store,
      latest: { dbConnectionsPct: 97 },
      approval: async () => {
        store.killSwitch = true;
        return { answer: 'approved', by: 'U123' };
      },
    });
    const result = await run(w);
    expect(result.status).toBe('succeeded');
    expect(w.approvals).toHaveLength(1);
    expect(w.sent).toEqual([]);
    expect(result.path).toEqual(expect.arrayContaining(['ClaimAction', 'Advised']));
    expect(w.store.records.map((r) => [r.outcome, r.guardrails])).toEqual([['recommended', ['kill-switch']]]);
    expect(w.store.states.get('orders')?.actionsToday).toBeUndefined();
  });

  it('an approval that arrives after the service was turned to advise applies nothing', async () => {
    const fleet = new FakeFleet([aService()], FLEET);
    const w = world({
      fleet,
      latest: { dbConnectionsPct: 97 },
      approval: async () => {
        fleet.services = [aService({ 'headroom:mode': 'advise' })];
        return { answer: 'approved', by: 'U123' };
      },
    });
    await run(w);
    expect(w.sent).toEqual([]);
    expect(w.store.records[0]?.guardrails).toEqual(['mode-advise']);
  });

  it('the kill switch turned on while the action is in flight stops the scaling step before it sends', async () => {
    const store = new FakeStore();
    const w = world({
      store,
      latest: { cpuPct: 91 },
      afterClaim: async () => {
        store.killSwitch = true;
      },
    });
    const result = await run(w);
    expect(w.fleet.scaled).toEqual([]);
    expect(result.path).toEqual(expect.arrayContaining(['Failed', 'NotifyFailure', 'Record']));
    expect(w.published.map((p) => [p.type, p.detail.error])).toEqual([['ActionFailed', 'ActionStopped']]);
    expect(String(w.published[0]?.detail.cause)).toContain('kill-switch');
    expect(w.store.records[0]?.guardrails).toEqual(['failed/ActionStopped']);
    expect(w.store.records[0]?.decision.reason).toContain('stopped by kill-switch: nothing was sent');
  });

  it('three alarms of one incident at once add one cache replica, not three', async () => {
    const store = new FakeStore();
    const fleet = new FakeFleet([aService()], FLEET);
    const runs = ['evt-a', 'evt-b', 'evt-c'].map((id) => {
      const w = world({ store, fleet, latest: { cacheHitRatioPct: 70 } });
      return { w, result: run(w, alarmEvent('headroom-orders-cache-hit', id)) };
    });
    await Promise.all(runs.map((r) => r.result));
    const sent = runs.flatMap((r) => r.w.sent);
    expect(sent).toHaveLength(1);
    expect(store.records.map((r) => r.outcome).sort()).toEqual(['applied', 'recommended', 'recommended']);
    expect(store.records.filter((r) => r.outcome === 'recommended').map((r) => r.guardrails)).toEqual([
      ['cooldown'],
      ['cooldown'],
    ]);
    expect(store.states.get('orders')).toMatchObject({ actionsToday: 1 });
  });

  it('three alarms of a hot fleet at once scale it once', async () => {
    const store = new FakeStore();
    const fleet = new FakeFleet([aService()], FLEET);
    const runs = ['evt-a', 'evt-b', 'evt-c'].map((id) =>
      run(world({ store, fleet, latest: { cpuPct: 91 } }), alarmEvent('headroom-orders-cpu', id)),
    );
    await Promise.all(runs);
    expect(fleet.scaled).toEqual([{ groupName: 'orders', desired: 6 }]);
  });
});

describe('scaleStep: an absolute target, checked against the group', () => {
  const scale = { groupName: 'orders', from: 4, to: 6 };
  const noSwitch = { isKillSwitchOn: async () => false };

  it('SetDesiredCapacity that took effect but whose answer was lost counts as applied, once', async () => {
    const fleet = new FakeFleet([aService()], FLEET);
    const set = fleet.setDesiredCapacity.bind(fleet);
    fleet.setDesiredCapacity = async (group, desired) => {
      await set(group, desired);
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    await expect(scaleStep(scale, { fleet, killSwitch: noSwitch }, NOW)).resolves.toMatchObject({ to: 6 });
    expect(fleet.scaled).toHaveLength(1);
  });

  it('a retried step after the write finds the target set and writes nothing more', async () => {
    const fleet = new FakeFleet([aService()], FLEET);
    await scaleStep(scale, { fleet, killSwitch: noSwitch }, NOW);
    await expect(scaleStep(scale, { fleet, killSwitch: noSwitch }, NOW)).resolves.toMatchObject({ to: 6 });
    expect(fleet.scaled).toEqual([{ groupName: 'orders', desired: 6 }]);
  });

  it('a write that failed and left the group as it was still fails', async () => {
    const fleet = new FakeFleet([aService()], FLEET);
    fleet.setDesiredCapacity = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    };
    await expect(scaleStep(scale, { fleet, killSwitch: noSwitch }, NOW)).rejects.toThrow('Rate exceeded');
  });
});
