/**
 * FleetControl over EC2 Auto Scaling: discovery by `headroom:*` tags, capacity as the advisor
 * counts it (in service and out of warm-up vs still warming), and SetDesiredCapacity.
 */
import {
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  paginateDescribeAutoScalingGroups,
  type Activity,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { ConfigError, isManagedGroup, parseServiceConfig, TAG_PREFIX } from '../config/serviceConfig.js';
import type { FleetCapacity } from '../model/fleet.js';
import { DEFAULT_TIMING, type ManagedService } from '../model/service.js';
import type { Clock, FleetControl } from '../ports/index.js';
import { chunk } from './metricQueries.js';
import { ScalingRefusedError, type ScalingRefusal } from './errors.js';

/** DescribeAutoScalingGroups accepts at most this many names per call. */
const NAMES_PER_CALL = 50;

export interface AutoScalingFleetOptions {
  clock: Clock;
  /** Tag whose presence marks a candidate group (default `headroom:managed`). */
  tagKey?: string;
  /** Tags every managed group is read as having unless it sets them itself, e.g. the deployment's default mode. */
  defaultTags?: Readonly<Record<string, string>>;
  /** Called for a tagged group whose tags do not parse; without it discovery throws. */
  onConfigError?: (error: ConfigError) => void;
  /** Warm-up when the group sets no DefaultInstanceWarmup, seconds. */
  defaultWarmupSeconds?: number;
}

export class AutoScalingFleetControl implements FleetControl {
  constructor(
    private readonly client: AutoScalingClient,
    private readonly options: AutoScalingFleetOptions,
  ) {}

  async discover(): Promise<ManagedService[]> {
    const tagKey = this.options.tagKey ?? `${TAG_PREFIX}managed`;
    const found = new Map<string, ManagedService>();
    const pages = paginateDescribeAutoScalingGroups(
      { client: this.client },
      { Filters: [{ Name: 'tag-key', Values: [tagKey] }] },
    );
    for await (const page of pages) {
      for (const group of page.AutoScalingGroups ?? []) {
        const service = this.serviceOf(group);
        if (service !== undefined) found.set(service.id, service);
      }
    }
    return [...found.values()];
  }

  async describe(groupNames: readonly string[]): Promise<Map<string, FleetCapacity>> {
    const out = new Map<string, FleetCapacity>();
    for (const names of chunk([...new Set(groupNames)], NAMES_PER_CALL)) {
      const pages = paginateDescribeAutoScalingGroups(
        { client: this.client },
        { AutoScalingGroupNames: names },
      );
      for await (const page of pages) {
        for (const group of page.AutoScalingGroups ?? []) {
          if (group.AutoScalingGroupName === undefined) continue;
          const activities = await this.recentActivities(group.AutoScalingGroupName);
          out.set(group.AutoScalingGroupName, this.capacityOf(group, activities));
        }
      }
    }
    return out;
  }

  async setDesiredCapacity(groupName: string, desired: number, honorCooldown: boolean): Promise<void> {
    try {
      await this.client.send(
        new SetDesiredCapacityCommand({
          AutoScalingGroupName: groupName,
          DesiredCapacity: desired,
          HonorCooldown: honorCooldown,
        }),
      );
    } catch (error) {
      const reason = refusalOf(error);
      if (reason === undefined) throw error;
      throw new ScalingRefusedError(groupName, desired, reason, (error as Error).message);
    }
  }

  private serviceOf(group: AutoScalingGroup): ManagedService | undefined {
    const name = group.AutoScalingGroupName;
    if (name === undefined) return undefined;
    const tags: Record<string, string> = { ...this.options.defaultTags };
    for (const tag of group.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    if (!isManagedGroup(tags)) return undefined;
    try {
      return parseServiceConfig(`asg "${name}"`, tags, name);
    } catch (error) {
      if (!(error instanceof ConfigError) || this.options.onConfigError === undefined) throw error;
      this.options.onConfigError(error);
      return undefined;
    }
  }

  /** Newest first, as DescribeScalingActivities returns them; one page is enough for warm-up. */
  private async recentActivities(groupName: string): Promise<Activity[]> {
    const response = await this.client.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: groupName, MaxRecords: 50 }),
    );
    return response.Activities ?? [];
  }

  private capacityOf(group: AutoScalingGroup, activities: readonly Activity[]): FleetCapacity {
    const now = this.options.clock.now();
    const warmupMs =
      (group.DefaultInstanceWarmup ?? this.options.defaultWarmupSeconds ?? DEFAULT_TIMING.warmupSeconds) *
      1000;
    const launchedAt = launchTimes(activities);
    let inService = 0;
    let warmingUp = 0;
    for (const instance of group.Instances ?? []) {
      const state = instance.LifecycleState ?? '';
      if (state === 'InService') {
        const at = instance.InstanceId === undefined ? undefined : launchedAt.get(instance.InstanceId);
        if (at !== undefined && now - at < warmupMs) warmingUp += 1;
        else inService += 1;
      } else if (state.startsWith('Pending')) {
        warmingUp += 1;
      }
    }
    const last = activities[0];
    const lastAt = last?.EndTime ?? last?.StartTime;
    return {
      groupName: group.AutoScalingGroupName ?? '',
      desired: group.DesiredCapacity ?? 0,
      inService,
      warmingUp,
      min: group.MinSize ?? 0,
      max: group.MaxSize ?? 0,
      ...(lastAt === undefined ? {} : { lastActivityAt: lastAt.getTime() }),
    };
  }
}

/** Launch activities name their instance: "Launching a new EC2 instance: i-0abc…". */
function launchTimes(activities: readonly Activity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const activity of activities) {
    const match = /Launching a new EC2 instance: (i-[0-9a-f]+)/.exec(activity.Description ?? '');
    const at = activity.EndTime ?? activity.StartTime;
    if (match?.[1] !== undefined && at !== undefined && activity.StatusCode === 'Successful') {
      out.set(match[1], at.getTime());
    }
  }
  return out;
}

function refusalOf(error: unknown): ScalingRefusal | undefined {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  if (name.startsWith('ScalingActivityInProgress')) return 'activity-in-progress';
  if (name.startsWith('ResourceContention')) return 'resource-contention';
  if (name === 'ValidationError') return 'invalid-request';
  return undefined;
}
