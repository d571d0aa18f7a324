/** Diagnosis, planning, guardrails and limits of remediation, by table. */
import { describe, expect, it } from '@jest/globals';
import {
  applyRemediationGuardrails,
  guardrailsStep,
  readAlarmEvent,
  checkCacheLimit,
  checkReplicaLimit,
  diagnose,
  idleTierOfAlarm,
  proposeActions,
  serviceOfAlarm,
  UnknownAlarmError,
  type KpiSample,
  type ProposedActions,
} from '@headroom/core';
import { aService, alarmEvent, FLEET, HEALTHY, NOW } from './fixtures.js';

const service = aService();

describe('diagnose: cause before symptom', () => {
  it.each<[string, Partial<KpiSample>, string]>([
    ['healthy', {}, 'none'],
    ['CPU over target', { cpuPct: 90 }, 'compute'],
    ['latency over its objective', { p99LatencyMs: 900 }, 'compute'],
    [
      'database connections over, latency too',
      { dbConnectionsPct: 95, p99LatencyMs: 900, cpuPct: 40 },
      'database',
    ],
    [
      'cache misses load the database: the cache is the cause',
      { cacheHitRatioPct: 60, dbConnectionsPct: 95 },
      'cache',
    ],
    [
      'CDN misses load the fleet: the fleet is what can be scaled',
      { cdnHitRatioPct: 50, cpuPct: 95 },
      'compute',
    ],
    ['CDN alone', { cdnHitRatioPct: 50 }, 'cdn'],
  ])('%s → %s', (_, kpis, tier) => {
    expect(diagnose(service, { ...HEALTHY, ...kpis }).tier).toBe(tier);
  });

  it('names what it could not measure and is less sure', () => {
    const d = diagnose(service, { at: NOW, cpuPct: 90 });
    expect(d.reason).toContain('not measured: p99LatencyMs');
    expect(d.confidence).toBeLessThan(0.9);
    expect(d.evidence).toEqual({ cpuPct: 90 });
  });
});

describe('proposeActions', () => {
  const propose = (kpis: Partial<KpiSample>, tags: Record<string, string> = {}) => {
    const s = aService(tags);
    const latest = { ...HEALTHY, ...kpis };
    return proposeActions({
      service: s,
      fleet: FLEET,
      latest,
      diagnosis: diagnose(s, latest),
      origin: 'evt-1',
      now: NOW,
    });
  };
  const shape = (p: ProposedActions) => [
    p.scales.map((x) => x.to),
    p.changes.map((c) => `${c.kind}:${c.resourceId}:${c.delta}`),
    p.risk,
    p.blockedBy,
  ];

  it.each<[string, Partial<KpiSample>, Record<string, string>, unknown[]]>([
    ['CPU 105 % of a 70 % target: 4 → 6 instances', { cpuPct: 105 }, {}, [[6], [], 'low', undefined]],
    [
      'latency alone: one step (4 → 8 with a 100 % step)',
      { p99LatencyMs: 900 },
      {},
      [[8], [], 'low', undefined],
    ],
    [
      'at max capacity: nothing',
      { cpuPct: 99 },
      { 'headroom:max': '4', 'headroom:min': '1' },
      [[], [], 'low', 'limit/max-capacity'],
    ],
    [
      'database: one read replica, high risk',
      { dbConnectionsPct: 95 },
      {},
      [[], ['db-read-replicas:orders-db:1'], 'high', undefined],
    ],
    [
      'database whose application is not declared to read from replicas: advice, no replica',
      { dbConnectionsPct: 95 },
      { 'headroom:db-reads-on-replicas': 'false' },
      [[], [], 'low', 'advice/db-replica-takes-no-reads'],
    ],
    [
      'cache: one replica per shard, medium risk',
      { cacheHitRatioPct: 70 },
      {},
      [[], ['cache-replicas:orders-cache:1'], 'medium', undefined],
    ],
    ['CDN: advice only', { cdnHitRatioPct: 50 }, {}, [[], [], 'low', 'advice/cdn-cache-policy']],
  ])('%s', (_, kpis, tags, expected) => {
    expect(shape(propose(kpis, tags))).toEqual(expected);
  });

  it.each<[string, 'database' | 'cache', Partial<KpiSample>, unknown[]]>([
    [
      'an idle database gives back one replica, with approval',
      'database',
      { dbConnectionsPct: 20 },
      [[], ['db-read-replicas:orders-db:-1'], 'high', undefined],
    ],
    [
      'a database at half its objective is not idle',
      'database',
      { dbConnectionsPct: 45 },
      [[], [], 'low', 'advice/not-idle-database'],
    ],
    [
      'an idle cache gives back one replica per shard',
      'cache',
      {},
      [[], ['cache-replicas:orders-cache:-1'], 'high', undefined],
    ],
    [
      'nothing is given back while a tier is past its objective',
      'cache',
      { cpuPct: 95 },
      [[], [], 'low', 'advice/not-idle-compute'],
    ],
  ])('%s', (_, idleTier, kpis, expected) => {
    const s = aService();
    const latest = { ...HEALTHY, ...kpis };
    const p = proposeActions({
      service: s,
      fleet: FLEET,
      latest,
      diagnosis: diagnose(s, latest),
      origin: 'evt-1',
      now: NOW,
      idleTier,
    });
    expect(shape(p)).toEqual(expected);
  });

  it.each<[string, Partial<typeof FLEET>, number[], string | undefined]>([
    ['the group’s MaxSize 5 wins over the service’s max 20', { max: 5 }, [5], undefined],
    ['a group at its own MaxSize is not scaled at all', { desired: 4, max: 4 }, [], 'limit/max-capacity'],
    ['the group’s MinSize wins over the service’s min', { desired: 4, min: 7, max: 20 }, [7], undefined],
  ])('clamps to the Auto Scaling group’s own limits: %s', (_, fleet, to, blockedBy) => {
    const s = aService();
    const latest = { ...HEALTHY, cpuPct: 105 };
    const p = proposeActions({
      service: s,
      fleet: { ...FLEET, ...fleet },
      latest,
      diagnosis: diagnose(s, latest),
      origin: 'evt-1',
      now: NOW,
    });
    expect([p.scales.map((x) => x.to), p.blockedBy]).toEqual([to, blockedBy]);
  });

  it('reads idle alarms by their names', () => {
    expect(
      ['headroom-orders-db-idle', 'headroom-orders-cache-idle', 'headroom-orders-db-connections'].map(
        idleTierOfAlarm,
      ),
    ).toEqual(['database', 'cache', undefined]);
  });

  it('says in the decision why a read replica would not help, and what would make it', () => {
    const advice = propose({ dbConnectionsPct: 95 }, { 'headroom:db-reads-on-replicas': 'false' });
    expect(advice.summary).toContain(
      'no read replica for orders-db: a replica takes load only if the application reads from it',
    );
    expect(advice.summary).toContain('headroom:db-reads-on-replicas=true');
    expect(advice.evidence).toMatchObject({ dbReadsOnReplicas: 0 });
  });

  it('gives the same change the same id for the same alarm event, and another for another', () => {
    const a = propose({ dbConnectionsPct: 95 }).changes[0]?.id;
    expect(a).toBe(propose({ dbConnectionsPct: 95 }).changes[0]?.id);
    const s = aService();
    const latest = { ...HEALTHY, dbConnectionsPct: 95 };
    const other = proposeActions({
      service: s,
      fleet: FLEET,
      latest,
      diagnosis: diagnose(s, latest),
      origin: 'evt-2',
      now: NOW,
    });
    expect(other.changes[0]?.id).not.toBe(a);
  });
});

describe('applyRemediationGuardrails', () => {
  const proposed = (risk: ProposedActions['risk'], act = true): ProposedActions => ({
    scales: act ? [{ groupName: 'orders', from: 4, to: 6 }] : [],
    changes: [],
    risk,
    summary: '',
    monthlyCostDeltaUsd: 0,
    evidence: {},
    ...(act ? {} : { blockedBy: 'limit/max-capacity' }),
  });
  const base = { service, killSwitch: false, actionsToday: 0, dailyActionBudget: 96, now: NOW };

  it.each<[string, Partial<Parameters<typeof applyRemediationGuardrails>[0]>, string, string[]]>([
    ['low risk in apply mode', {}, 'apply', []],
    ['medium risk', { proposed: proposed('medium') }, 'apply', []],
    ['high risk waits for a person', { proposed: proposed('high') }, 'approve', []],
    [
      'medium risk when approvals start at medium',
      { proposed: proposed('medium'), approvalFrom: 'medium' },
      'approve',
      [],
    ],
    ['kill switch', { killSwitch: true }, 'advise', ['kill-switch']],
    ['advise mode', { service: aService({ 'headroom:mode': 'advise' }) }, 'advise', ['mode-advise']],
    ['off mode', { service: aService({ 'headroom:mode': 'off' }) }, 'advise', ['mode-off']],
    ['in cooldown (300 s)', { lastActionAt: NOW - 299_000 }, 'advise', ['cooldown']],
    ['cooldown over', { lastActionAt: NOW - 300_000 }, 'apply', []],
    ['daily budget spent', { actionsToday: 96 }, 'advise', ['daily-budget']],
    ['nothing to apply', { proposed: proposed('low', false) }, 'advise', ['limit/max-capacity']],
  ])('%s → %s', (_, override, verdict, guardrails) => {
    expect(applyRemediationGuardrails({ ...base, proposed: proposed('low'), ...override })).toEqual({
      verdict,
      guardrails,
    });
  });
});

describe('AWS limits', () => {
  it.each([
    [14, 1, true],
    [15, 1, false],
    [0, -1, false],
    [3, -1, true],
  ])('read replicas: %i %+i → ok %s', (current, delta, ok) => {
    expect(checkReplicaLimit(current, delta).ok).toBe(ok);
  });

  it.each<[number[], number, boolean, boolean]>([
    [[4, 4], 1, false, true],
    [[4, 5], 1, false, false],
    [[1, 1], -1, false, true],
    [[1, 1], -1, true, false],
    [[], 1, false, false],
  ])('cache replicas per shard %j %+i (failover %s) → ok %s', (shards, delta, failover, ok) => {
    expect(checkCacheLimit(shards, delta, failover).ok).toBe(ok);
  });
});

describe('serviceOfAlarm', () => {
  const services = [aService(), { ...aService(), id: 'orders-api', autoScalingGroupName: 'orders-api' }];
  it.each([
    ['headroom-orders-p99', 'orders'],
    ['headroom-orders-api-p99', 'orders-api'],
    ['headroom-orders', 'orders'],
  ])('%s → %s', (name, id) => {
    expect(serviceOfAlarm(name, 'headroom-', services).id).toBe(id);
  });

  it.each([['headroom-ordersx-p99'], ['other-orders-p99']])('%s is unknown, with a reason', (name) => {
    expect(() => serviceOfAlarm(name, 'headroom-', services)).toThrow(UnknownAlarmError);
  });
});

describe('guardrailsStep: the group’s own cooldown', () => {
  const step = (kpis: Partial<KpiSample>, lastActivityAt: number) =>
    guardrailsStep(
      {
        context: {
          alarm: readAlarmEvent(alarmEvent()),
          service,
          fleet: { ...FLEET, lastActivityAt },
          latest: { ...HEALTHY, ...kpis },
          killSwitch: false,
          actionsToday: 0,
        },
      },
      { now: NOW },
    ).plan;

  it.each<[string, Partial<KpiSample>, number, string, string[]]>([
    [
      'a fleet change waits while the group is in cooldown',
      { cpuPct: 95 },
      NOW - 60_000,
      'advise',
      ['cooldown'],
    ],
    ['a fleet change goes ahead after it', { cpuPct: 95 }, NOW - 600_000, 'apply', []],
    ['a cache change does not wait for the group', { cacheHitRatioPct: 60 }, NOW - 60_000, 'apply', []],
  ])('%s', (_, kpis, lastActivityAt, verdict, guardrails) => {
    expect(step(kpis, lastActivityAt)).toMatchObject({ verdict, guardrails });
  });
});
