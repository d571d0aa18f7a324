/**
 * Remediation, Record: the decision record, the service's last action when something was applied,
 * and what Step Functions was told of its approval (so the approval's status always says it).
 */
import { recordStep, type RemediationState } from '@headroom/core';
import { approvalOutcomes, clock, stateStore, step } from '../remediate-shared/wiring.js';

const store = stateStore();
const approvals = approvalOutcomes();

export const handler = step('Record', async (state: RemediationState) =>
  recordStep(state, store, clock.now(), approvals),
);
