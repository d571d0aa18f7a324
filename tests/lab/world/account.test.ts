import { describe, expect, it } from '@jest/globals';
import { SimulatedService } from '@headroom/lab/world/account';
import { sloAlarmRules } from '@headroom/lab/world/alarms';
import { SimFleet } from '@headroom/lab/world/fleet';
import { makeService } from './fixtures';

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;

function sim(extra: Partial<ConstructorParameters<typeof SimulatedService>[0]> = {}): SimulatedService {
  return new SimulatedService({
    service: makeService(),
    muPerInstance: 10,
    startAt: T0,
    initialCapacity: 2,
    ...extra,
  });
}

describe('SimFleet', () => {
  it('instances serve only after boot + warm-up, and are billed from launch with a 60 s minimum', () => {
    const fleet = new SimFleet({ bootSeconds: 180, warmupSeconds: 120, initialInService: 1, startAt: 0 });
    fleet.setDesired(3, 0);
    fleet.advanceTo(299_999);
    expect([fleet.inService, fleet.warmingUp, fleet.bootedAt(180_000)]).toEqual([1, 2, 3]);
    fleet.advanceTo(300_000);
    expect([fleet.inService, fleet.warmingUp]).toEqual([3, 0]);
    // One more launched at 400 s and terminated at 410 s is billed 60 s.
    fleet.setDesired(4, 400_000);
    fleet.setDesired(3, 410_000);
    expect(fleet.launches).toBe(3);
    expect(fleet.instanceSeconds(600_000)).toBe(3 * 600 + 60);
  });

  it('terminates the newest (warming) instances first', () => {
    const fleet = new SimFleet({ bootSeconds: 60, warmupSeconds: 0, initialInService: 2, startAt: 0 });
    fleet.setDesired(4, 0);
    fleet.setDesired(2, 30_000);
    fleet.advanceTo(120_000);
    expect([fleet.inService, fleet.warmingUp]).toEqual([2, 0]);
  });
});

describe('SimulatedService', () => {
  it('CPU counts only instances out of warm-up; latency and errors follow M/M/c', () => {
    const s = sim();
    // 2 instances × 10 req/s = 1200 req/min capacity; 600 req/min is 50 % CPU.
    const calm = s.advanceMinute(600);
    expect(calm.at).toBe(T0 + MIN);
    expect(calm.cpuPct).toBeCloseTo(50, 9);
    expect(calm.errorRatePct).toBe(0);
    s.setDesired(4);
    const stillWarming = s.advanceMinute(1800);
    expect(s.capacity()).toMatchObject({ desired: 4, inService: 2, warmingUp: 2 });
    expect(stillWarming.cpuPct).toBe(100);
    expect(stillWarming.errorRatePct).toBeCloseTo((100 * 600) / 1800, 9);
    for (let i = 0; i < 4; i++) s.advanceMinute(1800);
    // Launched at T0+1 min, ready at T0+6 min: serves the minute that starts then.
    const served = s.advanceMinute(1800);
    expect(s.capacity().inService).toBe(4);
    expect(served.cpuPct).toBeCloseTo(75, 9);
    expect(served.errorRatePct).toBe(0);
  });

  it('refuses a desired capacity outside [min, max], naming the group', () => {
    expect(() => sim().setDesired(51)).toThrow(/web-asg.*\[1, 50\]/);
  });

  it('the CDN takes its hits off the backend, and an invalidation sends them back for a while', () => {
    const s = sim({ cdn: { hitRatioPct: 80, recoverySeconds: 600 } });
    expect(s.advanceMinute(1000).requestsPerMinute).toBeCloseTo(200, 9);
    s.invalidateCdn(1);
    const after = s.advanceMinute(1000);
    expect(after.cdnHitRatioPct).toBe(0);
    expect(after.requestsPerMinute).toBe(1000);
    for (let i = 0; i < 90; i++) s.advanceMinute(1000);
    expect(s.advanceMinute(1000).cdnHitRatioPct).toBeGreaterThan(79.9);
  });

  it('the database saturates at max connections and a read replica helps once provisioned', () => {
    const database = {
      maxConnections: 100,
      baseConnections: 10,
      queriesPerRequest: 2,
      queryMs: 100,
      replicaProvisionSeconds: 600,
    };
    // 80 instances; 9000 req/min = 150 req/s → 300 queries/s × 0.1 s = 30 in flight + 10 = 40 %.
    const s = sim({ initialCapacity: 80, database });
    expect(s.advanceMinute(9000).dbConnectionsPct).toBeCloseTo(40, 9);
    // 36000 req/min = 600 req/s → 120 in flight + 10 = 130 > 100: 30/130 of requests fail.
    const saturated = s.advanceMinute(36000);
    expect(saturated.dbConnectionsPct).toBe(100);
    expect(saturated.errorRatePct).toBeCloseTo((100 * 30) / 130, 6);
    s.addReadReplica();
    expect(s.replicas('database')).toEqual({ total: 1, ready: 0 });
    for (let i = 0; i < 10; i++) s.advanceMinute(36000);
    // Reads spread over writer + replica: 60 + 10 = 70 %.
    expect(s.advanceMinute(36000).dbConnectionsPct).toBeCloseTo(70, 9);
  });

  it('the cache hit ratio falls beyond its capacity and a replica restores it', () => {
    const cache = { requestsPerSecondPerNode: 100, hitRatioPct: 90, replicaProvisionSeconds: 300 };
    const s = sim({ initialCapacity: 40, cache });
    expect(s.advanceMinute(3000).cacheHitRatioPct).toBe(90);
    expect(s.advanceMinute(12000).cacheHitRatioPct).toBeCloseTo(45, 9);
    s.addCacheReplica();
    for (let i = 0; i < 5; i++) s.advanceMinute(12000);
    expect(s.advanceMinute(12000).cacheHitRatioPct).toBe(90);
  });

  it('raises an SLO alarm after 3 breaching minutes, once, and again after recovering', () => {
    const service = makeService();
    const s = sim({ alarms: sloAlarmRules(service.id, service.slo), initialCapacity: 1 });
    s.advanceMinute(1200);
    s.advanceMinute(1200);
    expect(s.takeAlarms()).toEqual([]);
    s.advanceMinute(1200);
    const alarms = s.takeAlarms();
    expect(alarms.map((a) => a.name).sort()).toEqual(['web-errors', 'web-p99']);
    expect(alarms[0]).toMatchObject({ at: T0 + 3 * MIN, tier: 'compute' });
    s.advanceMinute(1200);
    expect(s.takeAlarms()).toEqual([]);
  });

  it('adds seeded latency jitter only when a random source is given', () => {
    const values = [0.0, 1 - 1e-9];
    let i = 0;
    const s = sim({ random: () => values[i++ % 2] as number, latencyJitterPct: 10 });
    const low = s.advanceMinute(600).p99LatencyMs as number;
    const high = s.advanceMinute(600).p99LatencyMs as number;
    const plain = sim().advanceMinute(600).p99LatencyMs as number;
    expect(low).toBeCloseTo(plain * 0.9, 6);
    expect(high).toBeCloseTo(plain * 1.1, 6);
  });

  it('bills instance-hours and converts them to dollars', () => {
    const s = sim();
    for (let i = 0; i < 60; i++) s.advanceMinute(600);
    expect(s.instanceHours()).toBeCloseTo(2, 9);
    expect(s.costUsd()).toBeCloseTo(0.2, 9);
  });
});
