/**
 * Predictive scaling and target tracking together, as AWS recommends running them: predictive
 * scaling raises the group's minimum ahead of each hour, target tracking scales out above it
 * and scales in down to it. The group's capacity is the higher of the two.
 */
import type { ScalingPolicy } from '@headroom/core/model/replay.js';
import { type AwsPredictiveOptions, awsPredictivePolicy } from './awsPredictive.js';
import { type AwsTargetTrackingOptions, awsTargetTrackingPolicy } from './awsTargetTracking.js';

export function awsCombinedPolicy(
  options: { targetCpuPct: number } & Partial<Omit<AwsPredictiveOptions & AwsTargetTrackingOptions, 'name'>>,
): ScalingPolicy {
  const predictive = awsPredictivePolicy(options);
  const tracking = awsTargetTrackingPolicy({ ...options, name: 'aws-target-tracking' });
  return {
    name: 'aws-combined',
    decide(observation) {
      const minimum = predictive.scheduledMinimum(observation);
      return Math.max(
        tracking.decideWithMinimum(observation, minimum),
        Math.min(minimum, observation.fleet.max),
      );
    },
  };
}
