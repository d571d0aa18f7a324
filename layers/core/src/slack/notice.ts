/**
 * A notice is what a person needs to know about one advisor event, before it is dressed as a
 * Slack message: what happened, why, the numbers, the money, the risk, where to look.
 */
import type { Evidence, Risk, ScalingDecision } from '../model/decision.js';
import type { AdvisorEventType } from '../ports/index.js';
import { consoleLinks, type ConsoleLink } from './consoleLinks.js';
import type { TypedAdvisorEvent } from './eventDetail.js';

export interface Notice {
  type: AdvisorEventType;
  serviceId: string;
  at: number;
  /** One line: what happened or is proposed. */
  what: string;
  why: string;
  evidence: Evidence;
  monthlyCostDeltaUsd?: number;
  risk?: Risk;
  confidence?: number;
  rule?: string;
  links: ConsoleLink[];
  /** Present on approval requests: the buttons answer this id. */
  approval?: { approvalId: string; expiresAt?: number };
  /** Present on failures: the error as reported. */
  error?: string;
  /** What the guardrails or a person made of a decision, when it was not simply recommended or applied. */
  verdict?: ChangeVerdict;
  /** Guardrails that blocked or trimmed the decision. */
  guardrails?: string[];
}

/**
 * Why a decision event did not end as its type says: blocked by a guardrail, rejected, timed out,
 * or only queued (a replica or cache change, which the change worker applies and reports later).
 */
export type ChangeVerdict = 'blocked' | 'rejected' | 'timed-out' | 'queued';

/** Sent along with a queued change: what to watch for, since nothing has been changed yet. */
export const QUEUED_NOTE =
  'Queued for the change worker; nothing is changed yet. It reports the result: Remediation completed, or Failed with the reason.';

function verdictOf(outcome: string | undefined, remediation: string | undefined): ChangeVerdict | undefined {
  if (remediation === 'rejected' || remediation === 'timed-out') return remediation;
  return outcome === 'blocked' ? 'blocked' : undefined;
}

export function describeDecision(decision: ScalingDecision): string {
  const { serviceId, currentCapacity: from, desiredCapacity: to } = decision;
  const unit = (n: number) => `${n} instance${n === 1 ? '' : 's'}`;
  if (decision.action === 'hold' || from === to) return `Hold ${serviceId} at ${unit(from)}`;
  const verb = to > from ? 'Scale out' : 'Scale in';
  return `${verb} ${serviceId} from ${from} to ${unit(to)}`;
}

interface ChangeFields {
  decision?: ScalingDecision;
  summary?: string;
  reason?: string;
  evidence?: Evidence;
  monthlyCostDeltaUsd?: number;
  risk?: Risk;
  confidence?: number;
  tier?: string;
}

/** Explicit fields win over the decision's: the workflow knows more than the evaluator did. */
function change(fields: ChangeFields) {
  const d = fields.decision;
  return {
    what: fields.summary ?? (d ? describeDecision(d) : ''),
    why: fields.reason ?? d?.reason ?? '',
    evidence: { ...d?.evidence, ...fields.evidence },
    monthlyCostDeltaUsd: fields.monthlyCostDeltaUsd ?? d?.monthlyCostDeltaUsd,
    risk: fields.risk ?? d?.risk,
    confidence: fields.confidence ?? d?.confidence,
    rule: d?.rule,
  };
}

export function noticeFor(typed: TypedAdvisorEvent, region: string): Notice {
  const { event, detail } = typed;
  const links = consoleLinks({
    region,
    // The default service id is the group name (see docs/configuration.md).
    autoScalingGroupName: detail.autoScalingGroupName ?? event.serviceId,
    alarmName: detail.alarmName,
  });
  const base = { type: event.type, serviceId: event.serviceId, at: event.at, links };
  switch (typed.type) {
    case 'Recommendation':
    case 'ActionApplied': {
      const { decision, outcome, remediation, guardrails, summary, changes } = typed.detail;
      const queued = remediation === 'applied' && (changes ?? []).length > 0;
      const verdict = queued ? 'queued' : verdictOf(outcome, remediation);
      const described = change(queued && summary ? { decision, summary } : { decision });
      return {
        ...base,
        ...described,
        ...(queued ? { why: [described.why, QUEUED_NOTE].filter((t) => t !== '').join(' ') } : {}),
        ...(verdict ? { verdict } : {}),
        ...(guardrails && guardrails.length > 0 ? { guardrails } : {}),
      };
    }
    case 'ApprovalRequested': {
      const { approvalId, expiresAt } = typed.detail;
      return { ...base, ...change(typed.detail), approval: { approvalId, expiresAt } };
    }
    case 'ActionFailed': {
      const { error, cause } = typed.detail;
      return { ...base, ...change(typed.detail), error: cause ? `${error}: ${cause}` : error };
    }
    case 'RemediationCompleted':
      return { ...base, ...change(typed.detail) };
  }
}
