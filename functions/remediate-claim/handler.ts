/**
 * Remediation, ClaimAction: right before acting (and after an approval), the kill switch, the mode,
 * the cooldown and the daily budget as they are now; the action claimed with one conditional write.
 */
import { claimStep, type RemediationState } from '@headroom/core';
import { clock, config, serviceCatalog, stateStore, step } from '../remediate-shared/wiring.js';

const ports = { fleet: serviceCatalog(), state: stateStore() };

export const handler = step('ClaimAction', async (state: RemediationState) =>
  claimStep(state, ports, { now: clock.now(), dailyActionBudget: config.dailyActionBudget }),
);
