/** Remediation, Record: the decision record and, when something was applied, the service's last action. */
import { recordStep, type RemediationState } from '@headroom/core';
import { clock, stateStore, step } from '../remediate-shared/wiring.js';

const store = stateStore();

export const handler = step('Record', async (state: RemediationState) =>
  recordStep(state, store, clock.now()),
);
