import { describe, expect, it } from '@jest/globals';
import {
  cachedDiscovery,
  evaluateFleet,
  planShards,
  readShardMessage,
  shardCount,
  shardMessageBody,
  type ManagedService,
  type Shard,
} from '@headroom/core';
import { DEFAULT_TIMING } from '@headroom/core/model/service.js';

const service = (id: string, mode: ManagedService['mode'] = 'advise'): ManagedService => ({
  id,
  autoScalingGroupName: id,
  mode,
  slo: { p99LatencyMs: 500, errorRatePct: 1, cpuTargetPct: 70 },
  capacity: { min: 1, max: 20, maxStepPct: 50, maxStepInstances: 4 },
  timing: DEFAULT_TIMING,
  pricePerInstanceHourUsd: 0.05,
  slowMinuteCostUsd: 10,
  tiers: { loadBalancer: `app/${id}/1` },
});
const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) => service(`svc-${String(i).padStart(4, '0')}`));

describe('planShards', () => {
  it('puts every service in exactly one shard, none larger than the limit, sizes within one', () => {
    const services = fleet(1_001);
    const shards = planShards('evaluate', [...services].reverse(), 60_000, 250);
    expect(shards).toHaveLength(5);
    expect(shards.map((s) => s.services.length)).toEqual([201, 200, 200, 200, 200]);
    expect(shards.every((s) => s.of === 5 && s.runAt === 60_000 && s.flow === 'evaluate')).toBe(true);
    const ids = shards.flatMap((s) => s.services.map((x) => x.id));
    expect(new Set(ids).size).toBe(1_001);
    expect(ids).toEqual(services.map((s) => s.id));
    expect(shardCount(1_001, 250)).toBe(5);
  });

  it('keeps a service in the same shard while the fleet does not change, whatever the order it came in', () => {
    const services = fleet(60);
    const a = planShards('forecast', services, 0, 25);
    const b = planShards(
      'forecast',
      [...services].sort(() => -1),
      0,
      25,
    );
    expect(a).toEqual(b);
  });

  it('plans nothing for no services and refuses a limit that is not a whole number ≥ 1', () => {
    expect(planShards('evaluate', [], 0, 10)).toEqual([]);
    expect(() => planShards('evaluate', fleet(3), 0, 0)).toThrow(
      /maxServices must be a whole number ≥ 1, got 0/,
    );
  });
});

describe('shard messages', () => {
  it('round-trips a shard and refuses one whose services are malformed, naming the field', () => {
    const shard: Shard = { flow: 'evaluate', index: 0, of: 1, runAt: 0, services: fleet(2) };
    expect(readShardMessage(shardMessageBody(shard))).toEqual(shard);
    const bad = JSON.stringify({ ...shard, services: [{ ...fleet(1)[0], slo: { p99LatencyMs: 'fast' } }] });
    expect(() => readShardMessage(bad)).toThrow(/services\.0\.slo\.p99LatencyMs/);
    expect(() => readShardMessage('{')).toThrow(/not JSON/);
  });
});

describe('evaluateFleet: fan out only what does not fit one shard', () => {
  const deps = (services: ManagedService[], sent: Shard[][], failSend = false) => ({
    clock: { now: () => 3 * 60_000 },
    fleet: {
      discover: async () => services,
      describe: async () => new Map(),
      setDesiredCapacity: async () => undefined,
    },
    metrics: { readKpis: async () => new Map() },
    state: {
      getServiceState: async () => undefined,
      putServiceState: async () => true,
      recordDecision: async () => undefined,
      isKillSwitchOn: async () => false,
    },
    events: { publish: async () => undefined },
    shards: {
      send: async (shards: readonly Shard[]) => {
        if (failSend) throw new Error('SQS is down');
        sent.push([...shards]);
      },
    },
  });

  it('evaluates here when the services fit one shard, and sends shards when they do not', async () => {
    const sent: Shard[][] = [];
    const small = await evaluateFleet(deps([...fleet(3), service('quiet', 'off')], sent), {
      windowMinutes: 15,
      dailyActionBudget: 20,
      maxServicesPerShard: 5,
    });
    expect(small.shardsSent).toBe(0);
    expect(small.discovered).toBe(4);
    expect(small.inline?.services.map((s) => s.serviceId)).toEqual(['svc-0000', 'svc-0001', 'svc-0002']);
    const large = await evaluateFleet(deps(fleet(12), sent), {
      windowMinutes: 15,
      dailyActionBudget: 20,
      maxServicesPerShard: 5,
    });
    expect(large.inline).toBeUndefined();
    expect(large.shardsSent).toBe(3);
    expect(sent.at(-1)?.map((s) => s.services.length)).toEqual([4, 4, 4]);
  });

  it('reports shards it could not send as a run error, so the handler fails the run', async () => {
    const report = await evaluateFleet(deps(fleet(12), [], true), {
      windowMinutes: 15,
      dailyActionBudget: 20,
      maxServicesPerShard: 5,
    });
    expect(report.shardsSent).toBe(0);
    expect(report.errors).toEqual([{ stage: 'send-shards', message: 'Error: SQS is down' }]);
  });
});

describe('cachedDiscovery', () => {
  it('reuses a discovery for its max age, then discovers again; a failed one is not kept', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const cached = cachedDiscovery(
      {
        discover: async () => {
          calls += 1;
          if (fail) throw new Error('Throttling');
          return fleet(calls);
        },
      },
      { now: () => now },
      300_000,
    );
    expect(await cached.discover()).toHaveLength(1);
    now = 299_999;
    expect(await cached.discover()).toHaveLength(1);
    now = 300_000;
    fail = true;
    await expect(cached.discover()).rejects.toThrow('Throttling');
    fail = false;
    expect(await cached.discover()).toHaveLength(3);
    expect(calls).toBe(3);
  });
});
