/** Every policy of the comparison, built fresh for one trace (policies keep state between minutes). */
import type { ReplayPolicy } from '@headroom/core/model/replay.js';
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
