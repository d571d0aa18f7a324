/** The state of an Auto Scaling group as the advisor sees it. */
export interface FleetCapacity {
  groupName: string;
  desired: number;
  /** Instances InService and past warm-up: the ones that serve and count in the metric. */
  inService: number;
  /** Instances launched but still booting or warming up. */
  warmingUp: number;
  min: number;
  max: number;
  /** Epoch ms of the last scaling activity, if known (for cooldowns). */
  lastActivityAt?: number;
}
