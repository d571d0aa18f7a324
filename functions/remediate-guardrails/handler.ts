/** Remediation, Guardrails: the actions that would relieve the bottleneck, and whether to apply, ask or advise. */
import { guardrailsStep, type RemediationState } from '@headroom/core';
import { clock, config, step } from '../remediate-shared/wiring.js';

export const handler = step('Guardrails', async (state: RemediationState) =>
  guardrailsStep(state, { now: clock.now(), dailyActionBudget: config.dailyActionBudget }),
);
