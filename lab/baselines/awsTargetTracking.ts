/**
 * EC2 Auto Scaling target tracking on average CPU, emulated as AWS documents it and as users
 * observe it. Assumptions, each from the EC2 Auto Scaling User Guide unless said otherwise:
 * - The metric is the group's average CPUUtilization at 1-minute resolution (detailed
 *   monitoring; "confirm that your preferred metric is available at 1-minute intervals",
 *   docs.aws.amazon.com/autoscaling/ec2/userguide/policy_creating.html).
 * - AWS creates two CloudWatch alarms for the policy. Observed on every account (the alarms
 *   are visible in CloudWatch, named TargetTracking-…-AlarmHigh/-AlarmLow): AlarmHigh fires
 *   when 3 of 3 one-minute datapoints are above the target; AlarmLow when 15 of 15 are below
 *   90 % of the target. Both values are observed, not documented; we use them as benchmark.md does.
 * - While an alarm is in ALARM the policy is invoked again each minute.
 * - Scale-out is proportional: new capacity = ceil(in-service × metric / target). Instances in
 *   warm-up do not contribute to the metric but count as capacity already added, so a
 *   repeated alarm only launches the difference (ec2-auto-scaling-default-instance-warmup.html,
 *   "Scaling performance considerations"; a re:Post answer walks through the same arithmetic).
 * - Scale-in is conservative: none while any instance is warming up (same page: "this blocks
 *   scale in ... until the instance finishes warming up"), then to ceil(in-service × metric / target).
 * - Cooldowns do not apply to target tracking on an Auto Scaling group (the warm-up does that
 *   job; TargetTrackingConfiguration.ScaleInCooldown "is not used if the scalable resource is
 *   an Auto Scaling group").
 * - The warm-up is the simulated fleet's boot + warm-up (300 s), which is also what AWS falls back
 *   to without a default instance warmup: EstimatedInstanceWarmup → the group's default cooldown,
 *   300 s (PutScalingPolicy API reference).
 * - Min and max capacity are respected; a missing datapoint is neither above nor below.
 * Pages: docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html,
 * …/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html,
 * …/plans/APIReference/API_TargetTrackingConfiguration.html.
 */
import type { PolicyObservation, ScalingPolicy } from '@headroom/core/model/replay.js';

export interface AwsTargetTrackingOptions {
  targetCpuPct: number;
  scaleOutDatapoints: number;
  scaleInDatapoints: number;
  /** AlarmLow's threshold as a share of the target. */
  scaleInRatio: number;
  name: string;
}

export const AWS_TARGET_TRACKING_DEFAULTS: Omit<AwsTargetTrackingOptions, 'targetCpuPct'> = {
  scaleOutDatapoints: 3,
  scaleInDatapoints: 15,
  scaleInRatio: 0.9,
  name: 'aws-target-tracking',
};

export interface AwsTargetTrackingPolicy extends ScalingPolicy {
  /** Like decide, but with the group's minimum raised (predictive scaling does that). */
  decideWithMinimum(observation: PolicyObservation, minimum: number): number;
}

export function awsTargetTrackingPolicy(
  options: Pick<AwsTargetTrackingOptions, 'targetCpuPct'> & Partial<AwsTargetTrackingOptions>,
): AwsTargetTrackingPolicy {
  const opts: AwsTargetTrackingOptions = { ...AWS_TARGET_TRACKING_DEFAULTS, ...options };
  if (!(opts.targetCpuPct > 0 && opts.targetCpuPct <= 100)) {
    throw new RangeError(`aws-target-tracking: targetCpuPct must be in (0, 100], got ${opts.targetCpuPct}`);
  }
  const datapoints: number[] = [];
  const keep = Math.max(opts.scaleOutDatapoints, opts.scaleInDatapoints);

  const decideWithMinimum = ({ fleet, latest }: PolicyObservation, minimum: number): number => {
    datapoints.push(latest.cpuPct ?? Number.NaN);
    if (datapoints.length > keep) datapoints.shift();
    const min = Math.max(fleet.min, minimum);
    const clamp = (n: number) => Math.min(fleet.max, Math.max(min, n));
    const cpu = latest.cpuPct;
    const last = (n: number) => (datapoints.length >= n ? datapoints.slice(-n) : undefined);
    const high = last(opts.scaleOutDatapoints)?.every((v) => v > opts.targetCpuPct);
    const low = last(opts.scaleInDatapoints)?.every((v) => v < opts.scaleInRatio * opts.targetCpuPct);
    if (cpu === undefined) return clamp(fleet.desired);
    const proportional = Math.ceil(fleet.inService * (cpu / opts.targetCpuPct) - 1e-9);
    if (high) return clamp(Math.max(fleet.desired, proportional));
    if (low && fleet.warmingUp === 0 && proportional < fleet.desired) return clamp(proportional);
    return clamp(fleet.desired);
  };
  return {
    name: opts.name,
    decide: (observation) => decideWithMinimum(observation, 0),
    decideWithMinimum,
  };
}
