/** Remediation, Record: the decision record and, when something was applied, the service's last action. */
import { recordStep, type RemediationState } from '@headroom/core';
import { clock, ports, step } from '../remediate-shared/wiring.js';

export const handler = step('Record', async (state: RemediationState) =>
  recordStep(state, ports.state, clock.now()),
);
