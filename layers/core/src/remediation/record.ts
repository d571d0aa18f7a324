/**
 * The workflow's Record step: the decision record of a finished (or failed) workflow, the
 * service's last action, and what Step Functions was told of its approval.
 */
import type { DecisionRecord } from '../model/decision.js';
import type { StateStore } from '../ports/index.js';
import { utcDay } from '../policies/guardrails.js';
import type { ApprovalOutcomes, ApprovalStatus } from '../slack/approval.js';
import type { RemediationState } from './workflow.js';

/** The decision record of a finished (or failed) workflow: what was planned and what became of it. */
export function remediationRecord(state: RemediationState): DecisionRecord {
  const { plan, outcome } = state;
  if (plan === undefined || outcome === undefined) {
    throw new Error('a remediation can be recorded only once it has a plan and an outcome');
  }
  const guardrails = [...plan.guardrails];
  if (outcome.name === 'rejected' || outcome.name === 'timed-out')
    guardrails.push(`approval/${outcome.name}`);
  if (outcome.name !== 'failed')
    return { decision: plan.decision, outcome: outcome.recordOutcome, guardrails };
  guardrails.push(`failed/${state.error?.Error ?? 'unknown'}`);
  // The reason AWS (or the step) gave goes into the record, where people look for what happened.
  const cause = causeOf(state.error?.Cause);
  const decision =
    cause === '' ? plan.decision : { ...plan.decision, reason: `${plan.decision.reason}; failed: ${cause}` };
  return { decision, outcome: outcome.recordOutcome, guardrails };
}

/** Lambda's error Cause is JSON with the message in `errorMessage`; other integrations give text. */
function causeOf(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed)
      return String((parsed as { errorMessage: unknown }).errorMessage);
  } catch {
    // Not JSON: the text is the cause.
  }
  return cause;
}

/**
 * Stores the record, then the service's last action (for cooldowns and the daily budget) when
 * something was applied or may have been (a failure after some actions went through), then what
 * Step Functions was told of its approval, if it asked for one.
 */
export async function recordStep(
  state: RemediationState,
  store: StateStore,
  now: number,
  approvals?: ApprovalOutcomes,
): Promise<DecisionRecord> {
  const record = remediationRecord(state);
  await store.recordDecision(record);
  // ClaimAction already counted a claimed plan's action; an unclaimed one that may have acted counts here.
  const acted =
    (state.outcome?.name === 'applied' || state.outcome?.name === 'failed') &&
    state.plan?.claimedAt === undefined;
  await markAlarmed(store, record.decision.serviceId, now, acted, state.context?.alarm.name);
  const told = approvalStatusOf(state);
  if (approvals && told && state.plan) await approvals.settle(state.plan.approval.approvalId, told, now);
  return record;
}

/** What Step Functions was told, by the path the workflow took after RequestApproval. */
export function approvalStatusOf(state: RemediationState): Exclude<ApprovalStatus, 'pending'> | undefined {
  // Rejected and TimedOut are reached from RequestApproval only; an answer there means approved.
  if (state.plan === undefined || state.outcome === undefined) return undefined;
  if (state.outcome.name === 'rejected') return 'rejected';
  if (state.outcome.name === 'timed-out') return 'expired';
  return state.approval === undefined ? undefined : 'approved';
}

/**
 * Every handled alarm makes the service hot for the evaluate flow, so its next hot read slot (at
 * most five minutes away) reads every KPI, even for a service whose calm cadence is 40 minutes;
 * an action also counts against the daily budget.
 */
async function markAlarmed(
  store: StateStore,
  serviceId: string,
  now: number,
  acted: boolean,
  alarmName: string | undefined,
): Promise<void> {
  // An evaluate-flow approval has no alarm: the service is not made hot, only its action counted.
  if (alarmName === undefined && !acted) return;
  const day = utcDay(now);
  // A conflict means another writer got there first; read again and retry a bounded number of times.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await store.getServiceState(serviceId);
    const version = current?.version ?? 0;
    const today = current?.actionsDay === day ? (current.actionsToday ?? 0) : 0;
    const next = {
      ...(current ?? { serviceId }),
      serviceId,
      version: version + 1,
      ...(alarmName === undefined ? {} : { hot: true, hotBecause: `alarm ${alarmName}` }),
      ...(acted ? { lastActionAt: now, actionsDay: day, actionsToday: today + 1 } : {}),
    };
    if (await store.putServiceState(next, version)) return;
  }
  throw new Error(`service state of ${serviceId} kept changing under three conditional writes`);
}
