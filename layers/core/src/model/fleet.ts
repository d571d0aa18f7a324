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
  /**
   * Launches the group completed lately, as its scaling activities time them (oldest first): when
   * each was asked for and when its instance began to serve (InService plus the warm-up). Absent
   * when the activities were not read.
   */
  launches?: CompletedLaunch[];
}

export interface CompletedLaunch {
  startedAt: number;
  servingAt: number;
}
