import { describe, expect, it } from '@jest/globals';
import { evaluateKpis, type KpiSample } from '@headroom/core';
import { aService } from './fixtures.js';

const tiers = aService({
  'headroom:db-instance': 'db',
  'headroom:db-connections-max-pct': '80',
  'headroom:cache-group': 'cache',
  'headroom:cache-hit-min-pct': '90',
  'headroom:cdn-distribution': 'cdn',
  'headroom:cdn-hit-min-pct': '75',
});
const at = 0;
const healthy: KpiSample = { at, p99LatencyMs: 200, errorRatePct: 0.1, cpuPct: 50 };
const healthyTiers: KpiSample = {
  ...healthy,
  dbConnectionsPct: 40,
  cacheHitRatioPct: 95,
  cdnHitRatioPct: 80,
};

describe('evaluateKpis', () => {
  it.each([
    // name, service, sample, breaches as kpi:ratio:tier:kind, missing, status
    ['healthy compute', aService(), healthy, [], [], 'met'],
    [
      'at the objective is not a breach',
      aService(),
      { at, p99LatencyMs: 500, errorRatePct: 1, cpuPct: 70 },
      [],
      [],
      'met',
    ],
    ['slow', aService(), { ...healthy, p99LatencyMs: 750 }, ['p99LatencyMs:1.5:compute:slo'], [], 'breached'],
    ['errors', aService(), { ...healthy, errorRatePct: 4 }, ['errorRatePct:4:compute:slo'], [], 'breached'],
    [
      'hot CPU alone is a target breach, not an SLO miss',
      aService(),
      { ...healthy, cpuPct: 84 },
      ['cpuPct:1.2:compute:target'],
      [],
      'met',
    ],
    ['no sample at all', aService(), undefined, [], ['p99LatencyMs', 'errorRatePct', 'cpuPct'], 'unknown'],
    ['latency missing', aService(), { at, errorRatePct: 0, cpuPct: 30 }, [], ['p99LatencyMs'], 'unknown'],
    ['NaN is missing', aService(), { ...healthy, cpuPct: Number.NaN }, [], ['cpuPct'], 'unknown'],
    [
      'breach wins over missing',
      aService(),
      { at, p99LatencyMs: 1000 },
      ['p99LatencyMs:2:compute:slo'],
      ['errorRatePct', 'cpuPct'],
      'breached',
    ],
    [
      'unconfigured tiers are not judged',
      aService(),
      { ...healthy, dbConnectionsPct: 99, cacheHitRatioPct: 1 },
      [],
      [],
      'met',
    ],
    ['healthy tiers', tiers, healthyTiers, [], [], 'met'],
    [
      'tiers missing',
      tiers,
      healthy,
      [],
      ['dbConnectionsPct', 'cacheHitRatioPct', 'cdnHitRatioPct'],
      'unknown',
    ],
    [
      'database saturated',
      tiers,
      { ...healthyTiers, dbConnectionsPct: 96 },
      ['dbConnectionsPct:1.2:database:slo'],
      [],
      'breached',
    ],
    [
      'cache hit ratio low',
      tiers,
      { ...healthyTiers, cacheHitRatioPct: 45 },
      ['cacheHitRatioPct:2:cache:slo'],
      [],
      'breached',
    ],
    [
      'cdn hit ratio zero',
      tiers,
      { ...healthyTiers, cdnHitRatioPct: 0 },
      ['cdnHitRatioPct:Infinity:cdn:slo'],
      [],
      'breached',
    ],
  ] as const)('%s', (_name, service, sample, breaches, missing, status) => {
    const result = evaluateKpis(service, sample);
    expect(result.breaches.map((b) => `${b.kpi}:${Number(b.ratio.toFixed(3))}:${b.tier}:${b.kind}`)).toEqual(
      breaches,
    );
    expect(result.missing).toEqual(missing);
    expect(result.status).toBe(status);
    expect(result.sloMet).toBe(status === 'met');
  });

  it('keeps value and objective on the breach', () => {
    const [breach] = evaluateKpis(aService(), { ...healthy, p99LatencyMs: 612 }).breaches;
    expect(breach).toMatchObject({ value: 612, objective: 500 });
  });

  it('a zero error objective is breached by any error', () => {
    const strict = aService({ 'headroom:error-rate-pct': '0' });
    const [breach] = evaluateKpis(strict, { ...healthy, errorRatePct: 0.01 }).breaches;
    expect(breach?.ratio).toBe(Number.POSITIVE_INFINITY);
  });
});
