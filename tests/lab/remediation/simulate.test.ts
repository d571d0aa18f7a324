/**
 * Remediation in the simulation: the first day of the generated workload (seed 1) overloads the
 * database, then the cache, at the evening peak; the real workflow and change worker relieve both.
 */
import { describe, expect, it } from '@jest/globals';
import { simulateRemediation } from '@headroom/lab/remediation/simulate';
import { generateWorkload } from '@headroom/lab/workloads/generator';

const startAt = Date.UTC(2026, 0, 5);
const load = generateWorkload({ seed: 1, startAt, days: 1 });
const labels = (events: { kind: string; label: string }[], kind: string) =>
  events.filter((e) => e.kind === kind).map((e) => e.label);

describe('simulateRemediation', () => {
  it('asks for the database replica, applies the cache replica, and follows both until they serve', async () => {
    const result = await simulateRemediation({ load, startAt });
    const remediation = labels(result.events, 'remediation');
    // The cache's saturation shows as a hit-ratio alarm or, when compute runs close, as p99: either way
    // the diagnosis finds the cache tier.
    expect(labels(result.events, 'alarm').some((l) => /^shop-(cache-hit|p99):/.test(l))).toBe(true);
    expect(remediation).toEqual(
      expect.arrayContaining([
        'cache: add 1 cache replica per shard on shop-cache (applied)',
        'database: add 1 read replica on shop-db (approved, applied)',
        'done: add 1 cache replica per shard on shop-cache after 8 min',
        'done: add 1 read replica on shop-db after 16 min',
      ]),
    );
    // However many alarms the evening raises, each tier gets one replica: the second waits for the first.
    expect(result.replicas).toEqual({ database: 1, cache: 1 });
    expect(result.deadLetters).toBe(0);
    expect(result.events.every((e, i, all) => i === 0 || (all[i - 1]?.at ?? 0) <= e.at)).toBe(true);
  });

  it('adds no database replica when the approver rejects it', async () => {
    const result = await simulateRemediation({ load, startAt, approver: 'reject' });
    expect(result.replicas.database).toBe(0);
    expect(labels(result.events, 'remediation')).toContain(
      'database: add 1 read replica on shop-db (rejected)',
    );
  });

  it('gives the database replica back when its idle alarm fires at the weekend, and follows the deletion', async () => {
    const week = generateWorkload({ seed: 1, startAt, days: 7 });
    const result = await simulateRemediation({ load: week, startAt });
    const remediation = labels(result.events, 'remediation');
    expect(labels(result.events, 'alarm').some((l) => l.startsWith('shop-db-idle:'))).toBe(true);
    expect(remediation).toContain('database: remove 1 read replica on shop-db (approved, applied)');
    expect(remediation.some((l) => l.startsWith('done: remove 1 read replica on shop-db'))).toBe(true);
    expect(result.replicas.database).toBe(0);
  });
});
