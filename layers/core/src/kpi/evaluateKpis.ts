/** A KPI sample measured against a service's objectives: what is breached, by how much, and what is unknown. */
import type { KpiName, KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';

export type Tier = 'compute' | 'database' | 'cache' | 'cdn';

export interface KpiBreach {
  kpi: KpiName;
  value: number;
  objective: number;
  /** How far past the objective, > 1 when breached (value/objective for ceilings, objective/value for floors). */
  ratio: number;
  tier: Tier;
  /**
   * `slo`: a user-facing objective is missed. `target`: a capacity signal (CPU above its target) that
   * calls for scaling but does not by itself miss the SLO.
   */
  kind: 'slo' | 'target';
}

export interface KpiEvaluation {
  breaches: KpiBreach[];
  /** KPIs the service is judged on that the sample does not carry; missing is never read as fine. */
  missing: KpiName[];
  /** `unknown` when nothing is breached but some objective could not be checked. */
  status: 'met' | 'breached' | 'unknown';
  sloMet: boolean;
}

interface Objective {
  kpi: KpiName;
  objective: number;
  bound: 'ceiling' | 'floor';
  tier: Tier;
  kind: KpiBreach['kind'];
}

/** The objectives a service is judged on: compute always, the other tiers where configured. */
export function objectivesOf(service: ManagedService): Objective[] {
  const { slo } = service;
  const objectives: Objective[] = [
    { kpi: 'p99LatencyMs', objective: slo.p99LatencyMs, bound: 'ceiling', tier: 'compute', kind: 'slo' },
    { kpi: 'errorRatePct', objective: slo.errorRatePct, bound: 'ceiling', tier: 'compute', kind: 'slo' },
    { kpi: 'cpuPct', objective: slo.cpuTargetPct, bound: 'ceiling', tier: 'compute', kind: 'target' },
  ];
  if (slo.dbConnectionsMaxPct !== undefined) {
    objectives.push({
      kpi: 'dbConnectionsPct',
      objective: slo.dbConnectionsMaxPct,
      bound: 'ceiling',
      tier: 'database',
      kind: 'slo',
    });
  }
  if (slo.cacheHitRatioMinPct !== undefined) {
    objectives.push({
      kpi: 'cacheHitRatioPct',
      objective: slo.cacheHitRatioMinPct,
      bound: 'floor',
      tier: 'cache',
      kind: 'slo',
    });
  }
  if (slo.cdnHitRatioMinPct !== undefined) {
    objectives.push({
      kpi: 'cdnHitRatioPct',
      objective: slo.cdnHitRatioMinPct,
      bound: 'floor',
      tier: 'cdn',
      kind: 'slo',
    });
  }
  return objectives;
}

export function evaluateKpis(service: ManagedService, sample: KpiSample | undefined): KpiEvaluation {
  const breaches: KpiBreach[] = [];
  const missing: KpiName[] = [];
  for (const { kpi, objective, bound, tier, kind } of objectivesOf(service)) {
    const value = sample?.[kpi];
    if (value === undefined || !Number.isFinite(value)) {
      missing.push(kpi);
      continue;
    }
    const breached = bound === 'ceiling' ? value > objective : value < objective;
    if (breached)
      breaches.push({ kpi, value, objective, ratio: breachRatio(value, objective, bound), tier, kind });
  }
  const sloBreached = breaches.some((b) => b.kind === 'slo');
  const status = sloBreached ? 'breached' : missing.length > 0 ? 'unknown' : 'met';
  return { breaches, missing, status, sloMet: status === 'met' };
}

function breachRatio(value: number, objective: number, bound: 'ceiling' | 'floor'): number {
  const [over, under] = bound === 'ceiling' ? [value, objective] : [objective, value];
  return under > 0 ? over / under : Number.POSITIVE_INFINITY;
}
