/**
 * Target tracking as one pure function, after the Kubernetes HPA replica calculator:
 * proportional, rounded-up scale-out; a tolerance band; instances in warm-up left out of the metric;
 * scale-in only on the highest recommendation of a stabilisation window; one bounded step at a time.
 */
import type { Evidence } from '../model/decision.js';
import type { CapacityLimits } from '../model/service.js';
import { limitToStep, stepLimit, withinLimits } from './guardrailsLimits.js';

export interface Recommendation {
  at: number;
  desired: number;
}

export interface TargetTrackingInput {
  currentDesired: number;
  /** Instances in service and past warm-up: the ones the metric is averaged over. */
  inService: number;
  warmingUp: number;
  /** Average of the metric over the in-service instances; undefined when it was not measured. */
  metric: number | undefined;
  target: number;
  /** Half-width of the band around the target where nothing changes, as a ratio (HPA default 0.1). */
  tolerance?: number;
  limits: CapacityLimits;
  recentRecommendations: readonly Recommendation[];
  now: number;
  scaleInStabilizationSeconds: number;
  /** How the metric is named in the reason, e.g. "CPU". */
  metricName?: string;
}

export interface TargetTrackingResult {
  desired: number;
  /** The unstabilised recommendation of this round, to remember for the stabilisation window. */
  recommendation: number;
  rule: string;
  reason: string;
  evidence: Evidence;
}

export const DEFAULT_TOLERANCE = 0.1;

interface Proposal {
  proposal: number;
  recommendation: number;
  rule: string;
  why: string;
  evidence: Evidence;
}

export function targetTracking(input: TargetTrackingInput): TargetTrackingResult {
  const { currentDesired: current, limits } = input;
  const proposed = propose(input);
  const desired = withinLimits(current, proposed.proposal, limits);
  const rule =
    desired > current
      ? 'target-tracking/scale-out'
      : desired < current
        ? 'target-tracking/scale-in'
        : proposed.proposal > current
          ? 'target-tracking/hold-at-max'
          : proposed.proposal < current
            ? 'target-tracking/hold-at-min'
            : proposed.rule;
  return {
    desired,
    recommendation: proposed.recommendation,
    rule,
    reason: `${proposed.why}${limitNote(current, proposed.proposal, desired, limits)}.`,
    evidence: {
      ...proposed.evidence,
      currentDesired: current,
      inService: input.inService,
      warmingUp: input.warmingUp,
      desired,
      stepLimit: stepLimit(current, limits),
      min: limits.min,
      max: limits.max,
    },
  };
}

function propose(input: TargetTrackingInput): Proposal {
  const { currentDesired: current, inService, warmingUp, metric, target } = input;
  const name = input.metricName ?? 'the metric';
  const hold = (rule: string, why: string, evidence: Evidence = {}, recommendation = current): Proposal => ({
    proposal: current,
    recommendation,
    rule: `target-tracking/${rule}`,
    why,
    evidence,
  });
  // As the HPA does: without a measurement there is no evidence for scaling in, so hold.
  if (metric === undefined || !Number.isFinite(metric) || inService === 0) {
    return hold('hold-no-metric', `No ${name} measured on in-service instances: holding ${current}`);
  }
  const ratio = metric / target;
  const evidence: Evidence = { metric, target, ratio: round(ratio, 4) };
  const said = `${name} ${round(metric, 1)} on ${inService} in-service instance(s) is ${round(ratio, 2)}× the target ${target}`;
  // The epsilon keeps 77/70 (1.1000000000000001) inside a 0.1 band.
  if (Math.abs(ratio - 1) <= (input.tolerance ?? DEFAULT_TOLERANCE) + 1e-9) {
    return hold('hold-tolerance', `${said}, within tolerance: holding ${current}`, evidence);
  }
  // Proportional and rounded up; the epsilon keeps 10 × 0.7 / 0.7 from becoming 11 through float error.
  const raw = Math.max(0, Math.ceil(inService * ratio - 1e-9));
  const withRaw = { ...evidence, recommended: raw };
  if (ratio > 1) {
    if (raw <= current) {
      return hold('hold-covered', `${said}: ${raw} needed, ${current} already asked for`, withRaw, raw);
    }
    return {
      proposal: raw,
      recommendation: raw,
      rule: 'target-tracking/scale-out',
      why: `${said}: scale out to ${raw}`,
      evidence: withRaw,
    };
  }
  if (warmingUp > 0) {
    // Instances still warming up will take load the metric has not seen yet: no scale-in until they serve.
    return hold(
      'hold-warm-up',
      `${said}, but ${warmingUp} instance(s) are warming up: holding ${current}`,
      withRaw,
      raw,
    );
  }
  if (raw >= current) return hold('hold-covered', `${said}: ${raw} needed, holding ${current}`, withRaw, raw);
  const stabilized = highestInWindow(input, raw);
  const withWindow = { ...withRaw, stabilized };
  if (stabilized >= current) {
    return hold(
      'hold-stabilization',
      `${said}: ${raw} would do, but ${stabilized} was recommended within the last ${input.scaleInStabilizationSeconds} s: holding ${current}`,
      withWindow,
      raw,
    );
  }
  const windowNote =
    stabilized > raw ? ` (${raw} would do; ${stabilized} is the highest recommendation in the window)` : '';
  return {
    proposal: stabilized,
    recommendation: raw,
    rule: 'target-tracking/scale-in',
    why: `${said}: scale in to ${stabilized}${windowNote}`,
    evidence: withWindow,
  };
}

/** The highest recommendation within the stabilisation window, this round's included. */
export function highestInWindow(
  input: Pick<TargetTrackingInput, 'recentRecommendations' | 'now' | 'scaleInStabilizationSeconds'>,
  raw: number,
): number {
  const cutoff = input.now - input.scaleInStabilizationSeconds * 1000;
  return input.recentRecommendations
    .filter((r) => r.at > cutoff && r.at <= input.now)
    .reduce((highest, r) => Math.max(highest, r.desired), raw);
}

function limitNote(current: number, proposal: number, desired: number, limits: CapacityLimits): string {
  if (desired === proposal) return '';
  const stepped = limitToStep(current, proposal, limits);
  if (desired !== stepped) return `; kept within [${limits.min}, ${limits.max}] at ${desired}`;
  return `; limited to ${desired} by the step limit of ${stepLimit(current, limits)}`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
