/**
 * Approvals end to end. A decision that needs a person, from the evaluate flow or from an alarm,
 * waits in the remediation workflow's RequestApproval state: Step Functions publishes the
 * ApprovalRequested event with its task token, the notifier stores it and posts the buttons, and a
 * click answers the token. An approval is not a licence to act later whatever happens: once a
 * person approves, ClaimAction checks the kill switch, the mode, the cooldown and the daily budget
 * again at that moment (atAction.ts), and the scale step checks them and the capacity once more.
 */
import type { DecisionRecord } from '../model/decision.js';
import type { ManagedService } from '../model/service.js';
import { contentHash } from './changes.js';
import { APPROVAL_TIMEOUT_SECONDS, type RemediationPlan } from './workflow.js';

/** What the evaluate flow hands the workflow: a plan waiting for a person, no alarm behind it. */
export interface ApprovalWorkflowInput {
  origin: 'evaluate';
  plan: RemediationPlan;
}

/** Starts the wait for a person (Step Functions in AWS). Starting the same request twice starts one. */
export interface ApprovalWorkflow {
  request(input: ApprovalWorkflowInput): Promise<void>;
}

/** The same decision gets the same id, so a retried start is the same execution. */
export function approvalIdOf(record: DecisionRecord): string {
  const d = record.decision;
  return `apr-${contentHash(['evaluate', d.serviceId, String(d.at), String(d.currentCapacity), String(d.desiredCapacity)]).slice(0, 24)}`;
}

/** An evaluate-flow decision awaiting approval as the workflow's plan: one fleet change, absolute. */
export function approvalRequestOf(record: DecisionRecord, service: ManagedService): ApprovalWorkflowInput {
  const d = record.decision;
  const group = service.autoScalingGroupName;
  return {
    origin: 'evaluate',
    plan: {
      serviceId: d.serviceId,
      at: d.at,
      alarmName: null,
      autoScalingGroupName: group,
      tier: 'compute',
      reason: d.reason,
      confidence: d.confidence,
      decision: d,
      scales: [{ groupName: group, from: d.currentCapacity, to: d.desiredCapacity }],
      changes: [],
      risk: d.risk,
      summary: `scale ${group} from ${d.currentCapacity} to ${d.desiredCapacity} instances`,
      monthlyCostDeltaUsd: d.monthlyCostDeltaUsd,
      evidence: d.evidence,
      verdict: 'approve',
      guardrails: record.guardrails,
      approval: { approvalId: approvalIdOf(record), expiresAt: d.at + APPROVAL_TIMEOUT_SECONDS * 1000 },
    },
  };
}
