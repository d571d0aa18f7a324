/**
 * Which tier is the bottleneck when an alarm fires. The tiers sit in a chain (CDN → compute →
 * cache → database), and a saturated tier pushes its symptoms onto the others: a cache that
 * misses loads the database, and a database that runs out of connections makes every request
 * slow. So the diagnosis names the tier furthest upstream of the symptoms that is itself past its
 * objective, rather than the loudest symptom.
 */
import type { Evidence } from '../model/decision.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import { evaluateKpis, type KpiBreach, type Tier } from '../kpi/evaluateKpis.js';

export type BottleneckTier = Tier | 'none';

export interface Diagnosis {
  serviceId: string;
  /** Epoch ms of the sample the diagnosis rests on. */
  at: number;
  tier: BottleneckTier;
  /** Why, in one sentence a person can read. */
  reason: string;
  evidence: Evidence;
  /** 0..1: lower when KPIs the service is judged on were missing. */
  confidence: number;
}

/** Cause before symptom: each tier's saturation shows up in the tiers listed after it. */
const CAUSE_ORDER: readonly Tier[] = ['cache', 'database', 'compute', 'cdn'];

const WHY: Record<BottleneckTier, string> = {
  cache: 'the cache hit ratio is below its objective, so misses load the database',
  database: 'database connections are past their objective, which slows every request',
  compute: 'the compute fleet is past its CPU target or latency objective',
  cdn: 'the CDN hit ratio is below its objective; the origin takes the misses',
  none: 'no KPI is past its objective any more',
};

export function diagnose(service: ManagedService, sample: KpiSample): Diagnosis {
  const evaluation = evaluateKpis(service, sample);
  const tier = bottleneckOf(evaluation.breaches);
  const evidence: Evidence = {};
  for (const b of evaluation.breaches) evidence[b.kpi] = round(b.value);
  const judged = evaluation.breaches.length + evaluation.missing.length;
  const confidence =
    evaluation.missing.length === 0 ? 0.9 : round(0.9 * (1 - evaluation.missing.length / (judged + 1)));
  const missing = evaluation.missing.length > 0 ? ` (not measured: ${evaluation.missing.join(', ')})` : '';
  return {
    serviceId: service.id,
    at: sample.at,
    tier,
    reason: `${tierLabel(tier)}: ${WHY[tier]}${missing}`,
    evidence,
    confidence,
  };
}

function bottleneckOf(breaches: readonly KpiBreach[]): BottleneckTier {
  for (const tier of CAUSE_ORDER) if (breaches.some((b) => b.tier === tier)) return tier;
  return 'none';
}

function tierLabel(tier: BottleneckTier): string {
  return tier === 'none' ? 'No bottleneck' : `Bottleneck is the ${tier} tier`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
