/** Every policy of the comparison, built fresh for one trace (policies keep state between minutes). */
import type { ReplayPolicy } from '@headroom/core/model/replay.js';
import { DEFAULT_SLOW_MINUTE_COST_USD } from '@headroom/core/config/serviceConfig.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { awsCombinedPolicy } from '../baselines/awsCombined.js';
import { awsPredictivePolicy } from '../baselines/awsPredictive.js';
import { awsTargetTrackingPolicy } from '../baselines/awsTargetTracking.js';
import { oraclePolicy } from '../baselines/oracle.js';
import { staticMeanPolicy, staticPeakPolicy } from '../baselines/staticPolicies.js';
import { deployedHeadroom, type DeployedHeadroomOptions } from '../world/deployedHeadroom.js';

export const POLICY_NAMES = [
  'static-peak',
  'static-mean',
  'aws-target-tracking',
  'aws-predictive',
  'aws-combined',
  'headroom',
  'oracle',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface PolicyContext {
  service: ManagedService;
  /** d(t) per minute of the trace: only the static baselines and the oracle may look at it. */
  demand: readonly number[];
  startAt: number;
  /** Options for the replay of the deployed evaluation (defaults: what the Lambda runs). */
  headroom?: DeployedHeadroomOptions;
}

export function buildPolicy(
  name: PolicyName,
  { service, demand, startAt, headroom }: PolicyContext,
): ReplayPolicy {
  const targetCpuPct = service.slo.cpuTargetPct;
  switch (name) {
    case 'static-peak':
      return staticPeakPolicy(demand);
    case 'static-mean':
      return staticMeanPolicy(demand);
    case 'aws-target-tracking':
      return awsTargetTrackingPolicy({ targetCpuPct });
    case 'aws-predictive':
      return awsPredictivePolicy({ targetCpuPct });
    case 'aws-combined':
      return awsCombinedPolicy({ targetCpuPct });
    case 'headroom':
      return deployedHeadroom(service, headroom);
    case 'oracle':
      return oraclePolicy({
        demand,
        startAt,
        leadSeconds: service.timing.bootSeconds + service.timing.warmupSeconds,
      });
  }
}

/**
 * Headroom at one setting of its risk knob: the business cost of a minute over the SLO, USD
 * (`slow-minute-cost-usd`), the instance-hour price staying the service's. The same deployed
 * evaluation as `headroom` (evaluateServices with DEFAULTS); only the service's stated cost differs.
 */
export function headroomAt(slowMinuteCostUsd: number): (context: PolicyContext) => ReplayPolicy {
  if (!(slowMinuteCostUsd > 0) || !Number.isFinite(slowMinuteCostUsd))
    throw new RangeError(`slow-minute cost must be a positive number of USD, got ${slowMinuteCostUsd}`);
  return ({ service, headroom }) =>
    deployedHeadroom({ ...service, slowMinuteCostUsd }, { name: 'headroom', ...headroom });
}

/** The knob's settings the benchmark runs, USD a slow minute; the default is DEFAULT_SLOW_MINUTE_COST_USD. */
export const HEADROOM_SETTINGS: readonly number[] = [1, 3, DEFAULT_SLOW_MINUTE_COST_USD, 30, 100];

/** How a setting reads in records: `slow-minute=$10`. */
export const headroomSettingLabel = (slowMinuteCostUsd: number): string =>
  `slow-minute=$${slowMinuteCostUsd}`;
