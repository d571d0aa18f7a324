import { describe, expect, it } from '@jest/globals';
import {
  cachedDiscovery,
  evaluateFleet,
  planShards,
  readShardMessage,
  shardCount,
  shardMessageBody,
  shardStartDelays,
  SHARD_STARTS_WITHIN_SECONDS,
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
  const startDelays: number[][] = [];
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
      send: async (shards: readonly Shard[], delays?: readonly number[]) => {
        if (failSend) throw new Error('SQS is down');
        sent.push([...shards]);
        startDelays.push([...(delays ?? [])]);
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
    // Their starts are spread: each later shard is held back longer than the one before.
    expect(startDelays.at(-1)).toEqual(shardStartDelays(3, 0));
    expect(startDelays.at(-1)).toEqual([0, 3, 6]);
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

describe('cachedDiscovery: kept across runs, refreshed a few pages a run', () => {
  /** An estate of `pages` pages of 2 services; `fail` makes the next page call throw that error name. */
  const estate = (pages: number) => {
    const state = {
      pages,
      calls: 0,
      /** The token of every page asked for, in order. */
      tokens: [] as (string | undefined)[],
      fail: undefined as string | undefined,
      extra: [] as ManagedService[],
    };
    const all = () => [...fleet(pages * 2), ...state.extra];
    return Object.assign(state, {
      discover: async () => all(),
      discoverPage: async (token: string | undefined) => {
        state.calls += 1;
        state.tokens.push(token);
        if (state.fail !== undefined) throw Object.assign(new Error(state.fail), { name: state.fail });
        const from = token === undefined ? 0 : Number(token);
        const services = all().slice(from, from + 2);
        return from + 2 < all().length ? { services, nextToken: String(from + 2) } : { services };
      },
    });
  };
  const ids = (services: readonly ManagedService[]) => services.map((s) => s.id).sort();

  it('reads a cold estate a few pages a run, serving what it found, then keeps it for its max age', async () => {
    let now = 0;
    const source = estate(3);
    const cached = cachedDiscovery(source, { now: () => now }, { maxAgeMs: 300_000, pagesPerRun: 2 });
    expect(await cached.discover()).toHaveLength(4);
    now = 60_000;
    expect(await cached.discover()).toHaveLength(6);
    expect(source.calls).toBe(3);
    now = 299_999;
    expect(await cached.discover()).toHaveLength(6);
    expect(source.calls).toBe(3);
  });

  it('refreshes after the max age: a new group counts once its page is read, a removed one leaves when the pass ends', async () => {
    let now = 0;
    const source = estate(2);
    const cached = cachedDiscovery(source, { now: () => now }, { maxAgeMs: 300_000, pagesPerRun: 1 });
    await cached.discover();
    await cached.discover();
    expect(await cached.discover()).toHaveLength(4);
    // The estate changes: svc-0000 untagged, a new group tagged (on the last page).
    source.pages = 2;
    source.extra = [service('svc-new')];
    const before = source.calls;
    now = 300_000;
    const during = await cached.discover();
    expect(source.calls).toBe(before + 1);
    expect(ids(during)).toEqual(['svc-0000', 'svc-0001', 'svc-0002', 'svc-0003']);
    now = 360_000;
    expect(ids(await cached.discover())).toContain('svc-0002');
    now = 420_000;
    expect(ids(await cached.discover())).toEqual(['svc-0000', 'svc-0001', 'svc-0002', 'svc-0003', 'svc-new']);
    // The pass that ended was started at 300,000: the list is fresh until 600,000.
    const after = source.calls;
    now = 599_999;
    await cached.discover();
    expect(source.calls).toBe(after);
  });

  it('goes on with the kept list when a page fails, says so, and resumes from the same page', async () => {
    let now = 0;
    const errors: string[] = [];
    const source = estate(2);
    const cached = cachedDiscovery(
      source,
      { now: () => now },
      { maxAgeMs: 300_000, pagesPerRun: 1, onPageError: (e) => errors.push((e as Error).name) },
    );
    await cached.discover();
    await cached.discover();
    now = 300_000;
    await cached.discover(); // the refresh pass reads its first page
    source.fail = 'Throttling';
    now = 360_000;
    expect(await cached.discover()).toHaveLength(4);
    expect(errors).toEqual(['Throttling']);
    source.fail = undefined;
    const asked = source.tokens.length;
    now = 420_000;
    await cached.discover();
    expect(source.tokens.slice(asked)).toEqual(['2']);
  });

  it('starts the pass again after InvalidNextToken, and fails the run only when it has nothing to serve', async () => {
    let now = 0;
    const source = estate(3);
    const cached = cachedDiscovery(source, { now: () => now }, { maxAgeMs: 300_000, pagesPerRun: 1 });
    source.fail = 'Throttling';
    await expect(cached.discover()).rejects.toThrow('Throttling');
    source.fail = undefined;
    expect(await cached.discover()).toHaveLength(2);
    source.fail = 'InvalidNextToken';
    now = 60_000;
    expect(await cached.discover()).toHaveLength(2);
    source.fail = undefined;
    const asked = source.tokens.length;
    now = 120_000;
    await cached.discover();
    expect(source.tokens.slice(asked)).toEqual([undefined]);
  });

  it('refuses a page budget that is not a whole number ≥ 1', () => {
    expect(() => cachedDiscovery(estate(1), { now: () => 0 }, { pagesPerRun: 0 })).toThrow(
      /pagesPerRun must be a whole number ≥ 1, got 0/,
    );
  });
});

describe('shardStartDelays: starts spread over the minute', () => {
  it.each([
    // count, seconds the planner spent, delays
    [0, 0, []],
    [1, 5, [0]],
    [4, 0, [0, 3, 6, 9]],
    [9, 8, [0, 2, 4, 6, 8, 10, 12, 14, 16]],
    [40, 8, Array.from({ length: 40 }, (_, i) => Math.floor((i * 16) / 39))],
    [3, 30, [0, 0, 0]],
  ])('%i shards after %i s: %j', (count, elapsed, delays) => {
    expect(shardStartDelays(count, elapsed)).toEqual(delays);
  });

  it('has every shard started within the window and refuses a count that is not a whole number', () => {
    for (const count of [2, 7, 40, 400]) {
      const delays = shardStartDelays(count, 3);
      expect(Math.max(...delays)).toBeLessThanOrEqual(SHARD_STARTS_WITHIN_SECONDS - 3);
      expect(delays.every((d, i) => i === 0 || d >= (delays[i - 1] ?? 0))).toBe(true);
    }
    expect(() => shardStartDelays(-1, 0)).toThrow(/count must be a whole number ≥ 0, got -1/);
  });
});
