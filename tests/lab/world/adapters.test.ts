import { describe, expect, it } from '@jest/globals';
import type { DecisionRecord } from '@headroom/core';
import { SimulatedAccount, SimulatedService } from '@headroom/lab/world/account';
import {
  InMemoryEventPublisher,
  InMemoryStateStore,
  ScalingRefusedError,
  SimFleetControl,
  SimMetricsReader,
  VirtualClock,
} from '@headroom/lab/world/adapters';
import { makeService } from './fixtures';

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

function makeAccount(): { account: SimulatedAccount; clock: VirtualClock } {
  const clock = new VirtualClock(T0);
  const web = new SimulatedService({
    service: makeService(),
    muPerInstance: 10,
    startAt: T0,
    initialCapacity: 2,
  });
  const api = new SimulatedService({
    service: makeService({ id: 'api', autoScalingGroupName: 'api-asg' }),
    muPerInstance: 10,
    startAt: T0,
    initialCapacity: 4,
  });
  return { account: new SimulatedAccount([web, api], clock), clock };
}

describe('VirtualClock', () => {
  it('moves only forward', () => {
    const clock = new VirtualClock(5);
    clock.advance(10);
    expect(clock.now()).toBe(15);
    expect(() => clock.advance(-1)).toThrow(/forward/);
  });
});

describe('SimMetricsReader', () => {
  it('reads one-minute samples inside the window, per service', async () => {
    const { account } = makeAccount();
    for (let m = 0; m < 10; m++) account.advanceMinute((id) => (id === 'web' ? 600 : 1200));
    const reader = new SimMetricsReader(account);
    const services = [...account.services.values()].map((s) => s.service);
    const kpis = await reader.readKpis(services, {
      start: T0 + 2 * MIN,
      end: T0 + 5 * MIN,
      periodSeconds: 60,
    });
    const web = kpis.get('web')?.samples ?? [];
    expect(web.map((s) => s.at)).toEqual([T0 + 3 * MIN, T0 + 4 * MIN, T0 + 5 * MIN]);
    expect(web[0]?.cpuPct).toBeCloseTo(50, 9);
    expect(kpis.get('api')?.samples[0]?.cpuPct).toBeCloseTo(50, 9);
    expect(reader.calls).toBe(1);
  });

  it('aggregates to longer periods (mean, worst p99) and returns only the KPIs asked for', async () => {
    const { account } = makeAccount();
    const loads = [600, 600, 600, 600, 1200];
    for (const load of loads) account.advanceMinute(() => load);
    const web = account.services.get('web');
    const worstP99 = Math.max(...(web?.samples ?? []).map((s) => s.p99LatencyMs ?? 0));
    const reader = new SimMetricsReader(account);
    const kpis = await reader.readKpis(
      [makeService()],
      { start: T0, end: T0 + 5 * MIN, periodSeconds: 300 },
      ['cpuPct', 'p99LatencyMs'],
    );
    const [only] = kpis.get('web')?.samples ?? [];
    expect(only).toEqual({ at: T0 + 5 * MIN, cpuPct: (4 * 50 + 100) / 5, p99LatencyMs: worstP99 });
  });

  it('rejects a period that is not a multiple of a minute', async () => {
    const reader = new SimMetricsReader(makeAccount().account);
    await expect(reader.readKpis([], { start: 0, end: 1, periodSeconds: 30 })).rejects.toThrow();
  });
});

describe('SimFleetControl', () => {
  it('discovers the simulated services and describes their groups', async () => {
    const { account } = makeAccount();
    const control = new SimFleetControl(account);
    expect((await control.discover()).map((s) => s.id)).toEqual(['web', 'api']);
    const described = await control.describe(['api-asg', 'missing-asg']);
    expect([...described.keys()]).toEqual(['api-asg']);
    expect(described.get('api-asg')).toEqual({
      groupName: 'api-asg',
      desired: 4,
      inService: 4,
      warmingUp: 0,
      min: 1,
      max: 50,
    });
  });

  it('honours the cooldown when asked to, like AWS', async () => {
    const { account, clock } = makeAccount();
    const control = new SimFleetControl(account);
    await control.setDesiredCapacity('web-asg', 5, true);
    await expect(control.setDesiredCapacity('web-asg', 6, true)).rejects.toThrow(ScalingRefusedError);
    await control.setDesiredCapacity('web-asg', 6, false);
    for (let m = 0; m < 5; m++) account.advanceMinute(() => 0);
    expect(clock.now()).toBe(T0 + 5 * MIN);
    await control.setDesiredCapacity('web-asg', 7, true);
    expect((await control.describe(['web-asg'])).get('web-asg')).toMatchObject({
      desired: 7,
      lastActivityAt: T0 + 5 * MIN,
    });
  });

  it('rejects unknown groups and capacities outside min/max with AWS-like validation errors', async () => {
    const control = new SimFleetControl(makeAccount().account);
    await expect(control.setDesiredCapacity('nope', 2, false)).rejects.toThrow(/not found - nope/);
    await expect(control.setDesiredCapacity('web-asg', 51, false)).rejects.toThrow(/above max value 50/);
    await expect(control.setDesiredCapacity('web-asg', 0, false)).rejects.toThrow(ScalingRefusedError);
    await expect(control.setDesiredCapacity('web-asg', 0, false)).rejects.toMatchObject({
      reason: 'invalid-request',
    });
  });
});

describe('InMemoryStateStore', () => {
  it('writes conditionally on the expected version', async () => {
    const store = new InMemoryStateStore();
    expect(await store.putServiceState({ serviceId: 'web', version: 1 }, 0)).toBe(true);
    expect(await store.putServiceState({ serviceId: 'web', version: 2 }, 0)).toBe(false);
    expect(await store.putServiceState({ serviceId: 'web', version: 2, lastActionAt: 7 }, 1)).toBe(true);
    expect(await store.getServiceState('web')).toEqual({ serviceId: 'web', version: 2, lastActionAt: 7 });
    expect(await store.getServiceState('api')).toBeUndefined();
  });

  it('hands out copies, keeps decisions, and has a settable kill switch', async () => {
    const store = new InMemoryStateStore();
    await store.putServiceState({ serviceId: 'web', version: 1 }, 0);
    const read = await store.getServiceState('web');
    if (read) read.version = 99;
    expect((await store.getServiceState('web'))?.version).toBe(1);
    expect(await store.isKillSwitchOn()).toBe(false);
    store.setKillSwitch(true);
    expect(await store.isKillSwitchOn()).toBe(true);
    const record = { outcome: 'recommended', guardrails: [] } as unknown as DecisionRecord;
    await store.recordDecision(record);
    expect(store.decisions).toEqual([record]);
  });
});

describe('InMemoryEventPublisher', () => {
  it('keeps the events in order', async () => {
    const publisher = new InMemoryEventPublisher();
    await publisher.publish([{ type: 'Recommendation', serviceId: 'web', at: 1, detail: { desired: 3 } }]);
    await publisher.publish([{ type: 'ActionApplied', serviceId: 'web', at: 2, detail: {} }]);
    expect(publisher.events.map((e) => e.type)).toEqual(['Recommendation', 'ActionApplied']);
  });
});
