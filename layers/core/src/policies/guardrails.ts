/**
 * Guardrails: what stands between a decision and an action. Each one that trims or blocks a
 * decision is named in the record, so "why did nothing happen?" always has an answer.
 */
import type { DecisionRecord, Outcome, ScalingDecision } from '../model/decision.js';
import type { CapacityLimits, Mode } from '../model/service.js';
import type { ServiceState } from '../ports/index.js';
import { DEFAULTS } from '../config/defaults.js';
import { clampToLimits, limitToStep } from './guardrailsLimits.js';

export interface GuardrailContext {
  mode: Mode;
  killSwitch: boolean;
  now: number;
  state: ServiceState | undefined;
  cooldownSeconds: number;
  /** Most actions per service per UTC day. */
  dailyActionBudget: number;
  limits: CapacityLimits;
  /** Scale-in by more than this percent of current capacity needs a person's approval (default 50). */
  approvalScaleInPct?: number;
}

export const DEFAULT_APPROVAL_SCALE_IN_PCT: number = DEFAULTS.approvalScaleInPct;
/** Actions per service per UTC day unless configured (the deployment's default, config/defaults.ts). */
export const DEFAULT_DAILY_ACTION_BUDGET: number = DEFAULTS.dailyActionBudget;
const DAY_MS = 86_400_000;

/** UTC day number of an epoch-ms time, the unit of the daily action budget. */
export const utcDay = (at: number): number => Math.floor(at / DAY_MS);

/** Destructive changes wait for a person: a large scale-in, or anything the decision itself calls high risk. */
export function needsApproval(
  decision: ScalingDecision,
  approvalScaleInPct: number = DEFAULT_APPROVAL_SCALE_IN_PCT,
): boolean {
  if (decision.desiredCapacity === decision.currentCapacity) return false;
  if (decision.risk === 'high') return true;
  const removed = decision.currentCapacity - decision.desiredCapacity;
  return removed > 0 && (removed * 100) / decision.currentCapacity > approvalScaleInPct;
}

export function applyGuardrails(decision: ScalingDecision, ctx: GuardrailContext): DecisionRecord {
  const current = decision.currentCapacity;
  if (decision.desiredCapacity === current) return { decision, outcome: 'unchanged', guardrails: [] };
  if (ctx.mode === 'off') return { decision, outcome: 'blocked', guardrails: ['mode-off'] };
  if (ctx.killSwitch) return { decision, outcome: 'blocked', guardrails: ['kill-switch'] };

  const { decision: limited, guardrails } = trimToLimits(decision, ctx.limits);
  const record = (outcome: Outcome, more: string[] = []): DecisionRecord => ({
    decision: limited,
    outcome,
    guardrails: [...guardrails, ...more],
  });
  if (limited.desiredCapacity === current) return record('blocked');
  if (ctx.mode === 'advise') return record('recommended');
  if (inCooldown(ctx)) return record('blocked', ['cooldown']);
  if (actionsToday(ctx.state, ctx.now) >= ctx.dailyActionBudget) return record('blocked', ['daily-budget']);
  if (needsApproval(limited, ctx.approvalScaleInPct)) return record('approval-required', ['approval']);
  return record('applied');
}

/** Trims the wanted capacity to one step and to [min, max], naming each limit that bit. */
function trimToLimits(
  decision: ScalingDecision,
  limits: CapacityLimits,
): { decision: ScalingDecision; guardrails: string[] } {
  const { currentCapacity: current, desiredCapacity: wanted } = decision;
  const guardrails: string[] = [];
  const stepped = limitToStep(current, wanted, limits);
  if (stepped !== wanted) guardrails.push('max-step');
  const clamped = clampToLimits(stepped, limits);
  if (clamped > stepped) guardrails.push('min-capacity');
  if (clamped < stepped) guardrails.push('max-capacity');
  if (clamped === wanted) return { decision, guardrails };
  const wantedChange = wanted - current;
  const action = clamped > current ? 'scale-out' : clamped < current ? 'scale-in' : 'hold';
  return {
    decision: {
      ...decision,
      desiredCapacity: clamped,
      action,
      // The cost delta is linear in the instance count.
      monthlyCostDeltaUsd: round2((decision.monthlyCostDeltaUsd * (clamped - current)) / wantedChange),
      reason: `${decision.reason} Trimmed from ${wanted} to ${clamped} by ${guardrails.join(', ')}.`,
      evidence: { ...decision.evidence, wantedCapacity: wanted },
    },
    guardrails,
  };
}

function inCooldown(ctx: GuardrailContext): boolean {
  const last = ctx.state?.lastActionAt;
  return last !== undefined && ctx.now - last < ctx.cooldownSeconds * 1000;
}

function actionsToday(state: ServiceState | undefined, now: number): number {
  return state?.actionsDay === utcDay(now) ? (state.actionsToday ?? 0) : 0;
}

/**
 * The state after this evaluation: the action counted if one was applied, and this round's
 * recommendation remembered for the scale-in stabilisation window (older ones dropped).
 * The recommendation is `evidence.recommendation` when the decision carries it (the unstabilised
 * target-tracking answer, as the HPA remembers), else the desired capacity.
 */
export function nextServiceState(
  state: ServiceState | undefined,
  record: DecisionRecord,
  now: number,
  scaleInStabilizationSeconds: number,
): ServiceState {
  const { decision } = record;
  const applied = record.outcome === 'applied';
  const today = utcDay(now);
  const counted = actionsToday(state, now);
  const cutoff = now - scaleInStabilizationSeconds * 1000;
  const recommendation = decision.evidence['recommendation'] ?? decision.desiredCapacity;
  const recent = (state?.recentRecommendations ?? []).filter((r) => r.at > cutoff && r.at < now);
  return {
    serviceId: decision.serviceId,
    version: (state?.version ?? 0) + 1,
    ...(applied
      ? { lastActionAt: now }
      : state?.lastActionAt === undefined
        ? {}
        : { lastActionAt: state.lastActionAt }),
    actionsDay: today,
    actionsToday: counted + (applied ? 1 : 0),
    recentRecommendations: [...recent, { at: now, desired: recommendation }],
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
