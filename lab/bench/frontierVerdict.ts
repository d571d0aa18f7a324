/**
 * Issue 11's rule. Headroom beats a baseline point (cost c, SLO minutes s) when one of Headroom's
 * points has (cost ≤ c and SLO minutes ≤ 0.5·s) or (SLO minutes ≤ s and cost ≤ 0.85·c): half the
 * misses for the same spend, or 15 % less spend for no more misses. The target: every
 * aws-target-tracking, aws-combined and k8s-hpa point beaten on every trace at both sizes, and
 * Headroom's default point within 1.15 × the oracle's instance-hours.
 */
import type { FrontierRecord } from './frontierRecords.js';

export const VERDICT_RULE = {
  /** Same spend, at most this share of the baseline's SLO minutes. */
  sloShare: 0.5,
  /** No more SLO minutes, at most this share of the baseline's cost. */
  costShare: 0.85,
  /** Headroom's default point, at most this multiple of the oracle's instance-hours. */
  oracleRatio: 1.15,
  /** `npm run bench`, wall-clock seconds. */
  benchSeconds: 180,
} as const;

/** The baselines whose every point Headroom has to beat. */
export const COMPARED_POLICIES = ['aws-target-tracking', 'aws-combined', 'k8s-hpa'] as const;

type Point = Pick<FrontierRecord, 'costUsd' | 'sloViolationMinutes'>;

/**
 * Whether one Headroom point beats one baseline point. Read strictly where the rule's words allow
 * two readings: half of no misses is no improvement, so a baseline with no SLO minutes is beaten
 * only by the second clause (no minutes either, at 85 % of its cost or less).
 */
export function pointBeats(headroom: Point, baseline: Point): boolean {
  const c = baseline.costUsd;
  const s = baseline.sloViolationMinutes;
  return (
    (s > 0 && headroom.costUsd <= c && headroom.sloViolationMinutes <= VERDICT_RULE.sloShare * s) ||
    (headroom.sloViolationMinutes <= s && headroom.costUsd <= VERDICT_RULE.costShare * c)
  );
}

/** Whether any of Headroom's points beats the baseline point. */
export const beaten = (headroom: readonly Point[], baseline: Point): boolean =>
  headroom.some((h) => pointBeats(h, baseline));

export interface FrontierVerdict {
  trace: string;
  peakInstances: number;
  profile: string;
  compared: number;
  beaten: number;
  /** The baseline points no Headroom point beats. */
  unbeaten: FrontierRecord[];
  headroomDefault: FrontierRecord | undefined;
  oracle: FrontierRecord | undefined;
  /** Headroom's default instance-hours over the oracle's (NaN when either is missing). */
  defaultOverOracle: number;
  allBeaten: boolean;
  withinOracle: boolean;
}

/** One verdict per trace × fleet size (× profile), in the order the records first name them. */
export function frontierVerdicts(records: readonly FrontierRecord[]): FrontierVerdict[] {
  const groups = new Map<string, FrontierRecord[]>();
  for (const r of records) {
    const key = `${r.trace}\u0000${r.peakInstances}\u0000${r.profile}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as FrontierRecord;
    const headroom = group.filter((r) => r.policy === 'headroom');
    const baselines = group.filter((r) => (COMPARED_POLICIES as readonly string[]).includes(r.policy));
    const unbeaten = baselines.filter((b) => !beaten(headroom, b));
    const headroomDefault = headroom.find((r) => r.default);
    const oracle = group.find((r) => r.policy === 'oracle');
    const defaultOverOracle =
      headroomDefault && oracle && oracle.instanceHours > 0
        ? headroomDefault.instanceHours / oracle.instanceHours
        : Number.NaN;
    return {
      trace: first.trace,
      peakInstances: first.peakInstances,
      profile: first.profile,
      compared: baselines.length,
      beaten: baselines.length - unbeaten.length,
      unbeaten,
      headroomDefault,
      oracle,
      defaultOverOracle,
      allBeaten: baselines.length > 0 && unbeaten.length === 0,
      withinOracle: defaultOverOracle <= VERDICT_RULE.oracleRatio,
    };
  });
}
