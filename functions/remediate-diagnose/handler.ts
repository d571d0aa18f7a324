/** Remediation, Diagnose: which tier is the bottleneck, from the KPIs LoadContext read. */
import { diagnoseStep, type RemediationState } from '@headroom/core';
import { step } from '../remediate-shared/wiring.js';

export const handler = step('Diagnose', async (state: RemediationState) => diagnoseStep(state));
