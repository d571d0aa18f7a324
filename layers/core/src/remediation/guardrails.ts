/**
 * The guardrails of alarm-driven remediation, named as the evaluate flow names them: the kill
 * switch, the service's mode, the cooldown and the daily action budget come first; then the risk decides whether a person must approve. The verdict is one of three,
 * matching the workflow's Choice state.
 */
import type { Risk } from '../model/decision.js';
import type { ManagedService } from '../model/service.js';
import type { ProposedActions } from './plan.js';

export type Verdict = 'apply' | 'approve' | 'advise';

export interface RemediationGuardrailInput {
  service: ManagedService;
  proposed: ProposedActions;
  killSwitch: boolean;
  /** Epoch ms of the service's last action, if any. */
  lastActionAt?: number;
  /** Actions already taken today (UTC) and the most allowed per day. */
  actionsToday: number;
  dailyActionBudget: number;
  now: number;
  /** Risks at or above this one wait for a person (default: high). */
  approvalFrom?: Risk;
}

export interface RemediationGuardrailResult {
  verdict: Verdict;
  /** Guardrails that turned the verdict into advice, by name. */
  guardrails: string[];
}

const RISK_RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

export function applyRemediationGuardrails(input: RemediationGuardrailInput): RemediationGuardrailResult {
  const { service, proposed } = input;
  const held: string[] = [];
  if (proposed.scales.length === 0 && proposed.changes.length === 0)
    held.push(proposed.blockedBy ?? 'nothing-to-apply');
  if (input.killSwitch) held.push('kill-switch');
  if (service.mode !== 'apply') held.push(`mode-${service.mode}`);
  const cooldownMs = service.timing.cooldownSeconds * 1000;
  if (input.lastActionAt !== undefined && input.now - input.lastActionAt < cooldownMs) held.push('cooldown');
  if (input.actionsToday >= input.dailyActionBudget) held.push('daily-budget');
  if (held.length > 0) return { verdict: 'advise', guardrails: held };
  const needsApproval = RISK_RANK[proposed.risk] >= RISK_RANK[input.approvalFrom ?? 'high'];
  return { verdict: needsApproval ? 'approve' : 'apply', guardrails: [] };
}
