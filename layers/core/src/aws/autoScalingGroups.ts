/**
 * The read side of EC2 Auto Scaling that needs only DescribeAutoScalingGroups: discovery by
 * `headroom:*` tags, and capacity as the advisor counts it. Kept apart from scaling activities
 * and SetDesiredCapacity so that a function that only reads groups is granted only that call.
 */
import {
  paginateDescribeAutoScalingGroups,
  type Activity,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { ConfigError, isManagedGroup, parseServiceConfig, TAG_PREFIX } from '../config/serviceConfig.js';
import type { FleetCapacity } from '../model/fleet.js';
import { DEFAULT_TIMING, type ManagedService } from '../model/service.js';
import type { Clock } from '../ports/index.js';
import { chunk } from './metricQueries.js';

/** The tag whose value `true` makes a group managed; template.yaml's IAM conditions name it too. */
export const MANAGED_TAG = `${TAG_PREFIX}managed`;

/** DescribeAutoScalingGroups accepts at most this many names per call. */
const NAMES_PER_CALL = 50;

export interface AutoScalingFleetOptions {
  clock: Clock;
  /** Tags every managed group is read as having unless it sets them itself, e.g. the deployment's default mode. */
  defaultTags?: Readonly<Record<string, string>>;
  /** Called for a tagged group whose tags do not parse; without it discovery throws. */
  onConfigError?: (error: ConfigError) => void;
  /** Warm-up when the group sets no DefaultInstanceWarmup, seconds. */
  defaultWarmupSeconds?: number;
}

export async function discoverServices(
  client: AutoScalingClient,
  options: AutoScalingFleetOptions,
): Promise<ManagedService[]> {
  // The same tag IAM's SetCapacityOfManagedGroups condition checks: discovery finds no group
  // Headroom could not change (a configurable key here would drift from the template's IAM).
  const tagKey = MANAGED_TAG;
  const found = new Map<string, ManagedService>();
  const pages = paginateDescribeAutoScalingGroups(
    { client },
    { Filters: [{ Name: 'tag-key', Values: [tagKey] }] },
  );
  for await (const page of pages) {
    for (const group of page.AutoScalingGroups ?? []) {
      const service = serviceOf(group, options);
      if (service !== undefined) found.set(service.id, service);
    }
  }
  return [...found.values()];
}

/** The named groups, each once, 50 names a call; a name that does not exist is left out. */
export async function* describeGroups(
  client: AutoScalingClient,
  groupNames: readonly string[],
): AsyncGenerator<AutoScalingGroup & { AutoScalingGroupName: string }> {
  for (const names of chunk([...new Set(groupNames)], NAMES_PER_CALL)) {
    const pages = paginateDescribeAutoScalingGroups({ client }, { AutoScalingGroupNames: names });
    for await (const page of pages) {
      for (const group of page.AutoScalingGroups ?? []) {
        const name = group.AutoScalingGroupName;
        if (name !== undefined) yield { ...group, AutoScalingGroupName: name };
      }
    }
  }
}

function serviceOf(group: AutoScalingGroup, options: AutoScalingFleetOptions): ManagedService | undefined {
  const name = group.AutoScalingGroupName;
  if (name === undefined) return undefined;
  const tags: Record<string, string> = { ...options.defaultTags };
  for (const tag of group.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  if (!isManagedGroup(tags)) return undefined;
  try {
    return parseServiceConfig(`asg "${name}"`, tags, name);
  } catch (error) {
    if (!(error instanceof ConfigError) || options.onConfigError === undefined) throw error;
    options.onConfigError(error);
    return undefined;
  }
}

/**
 * In service and out of warm-up vs still warming. An instance's launch time comes from the
 * group's scaling activities (newest first); without them every InService instance counts as serving.
 */
export function capacityOf(
  group: AutoScalingGroup,
  activities: readonly Activity[],
  now: number,
  defaultWarmupSeconds: number = DEFAULT_TIMING.warmupSeconds,
): FleetCapacity {
  const warmupMs = (group.DefaultInstanceWarmup ?? defaultWarmupSeconds) * 1000;
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
