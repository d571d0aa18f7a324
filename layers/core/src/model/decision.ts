/** A scaling decision is a value: it can be printed, stored, compared and explained. */

export type ScalingAction = 'scale-out' | 'scale-in' | 'hold';
export type Risk = 'low' | 'medium' | 'high';

/** The numbers a decision rests on, by name (e.g. cpuPct: 84, p99LatencyMs: 612). */
export type Evidence = Record<string, number>;

export interface ScalingDecision {
  serviceId: string;
  /** Epoch ms when the decision was made. */
  at: number;
  currentCapacity: number;
  desiredCapacity: number;
  action: ScalingAction;
  /** Which rule fired, machine-readable (e.g. "target-tracking/scale-out", "guardrail/cooldown"). */
  rule: string;
  /** Why, in one sentence a person can read. */
  reason: string;
  evidence: Evidence;
  /** Change in monthly cost if the new capacity were held for a month, USD (negative saves). */
  monthlyCostDeltaUsd: number;
  risk: Risk;
  /** 0..1: how sure the advisor is that this is the right capacity. */
  confidence: number;
}

/**
 * What happened to a decision once guardrails and the mode had their say. `approval-required`: a
 * destructive change that waits for a person (Slack approval) before it is applied.
 */
export type Outcome = 'applied' | 'recommended' | 'blocked' | 'unchanged' | 'approval-required';

export interface DecisionRecord {
  decision: ScalingDecision;
  outcome: Outcome;
  /** Guardrails that blocked or trimmed the decision, by name. */
  guardrails: string[];
}
