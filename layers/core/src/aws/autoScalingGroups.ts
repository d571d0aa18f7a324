/**
 * The read side of EC2 Auto Scaling that needs only DescribeAutoScalingGroups: discovery by
 * `headroom:*` tags, and capacity as the advisor counts it. Kept apart from scaling activities
 * and SetDesiredCapacity so that a function that only reads groups is granted only that call.
 */
import {
  DescribeAutoScalingGroupsCommand,
  paginateDescribeAutoScalingGroups,
  type Activity,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { ConfigError, isManagedGroup, parseServiceConfig, TAG_PREFIX } from '../config/serviceConfig.js';
import type { CompletedLaunch, FleetCapacity } from '../model/fleet.js';
import { DEFAULT_TIMING, type ManagedService } from '../model/service.js';
import type { Clock } from '../ports/index.js';
import { chunk } from './metricQueries.js';

/** The tag whose value `true` makes a group managed; template.yaml's IAM conditions name it too. */
export const MANAGED_TAG = `${TAG_PREFIX}managed`;

/**
 * DescribeAutoScalingGroups returns at most 100 groups a page (50 unless MaxRecords says more) and
 * takes as many names a call as MaxRecords allows.
 */
export const GROUPS_PER_PAGE = 100;

/** How long a group read by discovery stands for a describe of it: within one run only. */
export const DISCOVERED_GROUP_MAX_AGE_MS = 30_000;

type NamedGroup = AutoScalingGroup & { AutoScalingGroupName: string };

/**
 * The groups the last discovery read, so that describing them in the same run needs no second
 * DescribeAutoScalingGroups call. Each is taken once and only while fresh: a later describe (the
 * next run, or a scaling step in another invocation of a warm function) reads the group again.
 */
export class DiscoveredGroups {
  private readonly groups = new Map<string, { group: NamedGroup; at: number }>();

  /** Adds a page's groups; groups read too long ago to be taken are dropped, so the map never outgrows the estate. */
  remember(groups: readonly NamedGroup[], at: number): void {
    for (const [name, kept] of this.groups) {
      if (at - kept.at > DISCOVERED_GROUP_MAX_AGE_MS) this.groups.delete(name);
    }
    for (const group of groups) this.groups.set(group.AutoScalingGroupName, { group, at });
  }

  take(names: readonly string[], now: number): NamedGroup[] {
    const fresh: NamedGroup[] = [];
    for (const name of new Set(names)) {
      const found = this.groups.get(name);
      this.groups.delete(name);
      if (found !== undefined && now - found.at <= DISCOVERED_GROUP_MAX_AGE_MS) fresh.push(found.group);
    }
    return fresh;
  }
}

export interface AutoScalingFleetOptions {
  clock: Clock;
  /** Tags every managed group is read as having unless it sets them itself, e.g. the deployment's default mode. */
  defaultTags?: Readonly<Record<string, string>>;
  /** Called for a tagged group whose tags do not parse; without it discovery throws. */
  onConfigError?: (error: ConfigError) => void;
  /** Warm-up when the group sets no DefaultInstanceWarmup, seconds. */
  defaultWarmupSeconds?: number;
}

/** One page of discovery: its managed services, and where the next page starts (none on the last). */
export interface DiscoveryPage {
  services: ManagedService[];
  nextToken?: string;
}

/**
 * One page (100 groups) of the tagged groups, from `token` (undefined: the first page); the managed
 * groups read are kept in `seen`. A token AWS no longer accepts fails with InvalidNextToken.
 */
export async function discoverServicesPage(
  client: AutoScalingClient,
  options: AutoScalingFleetOptions,
  token: string | undefined,
  seen?: DiscoveredGroups,
): Promise<DiscoveryPage> {
  // The same tag IAM's SetCapacityOfManagedGroups condition checks: discovery finds no group
  // Headroom could not change (a configurable key here would drift from the template's IAM).
  const page = await client.send(
    new DescribeAutoScalingGroupsCommand({
      Filters: [{ Name: 'tag-key', Values: [MANAGED_TAG] }],
      MaxRecords: GROUPS_PER_PAGE,
      ...(token === undefined ? {} : { NextToken: token }),
    }),
  );
  const services: ManagedService[] = [];
  const groups: NamedGroup[] = [];
  for (const group of page.AutoScalingGroups ?? []) {
    const service = serviceOf(group, options);
    if (service === undefined) continue;
    services.push(service);
    groups.push({ ...group, AutoScalingGroupName: service.autoScalingGroupName });
  }
  seen?.remember(groups, options.clock.now());
  return { services, ...(page.NextToken ? { nextToken: page.NextToken } : {}) };
}

/** Every tagged group's service, page after page; the managed groups read are kept in `seen`. */
export async function discoverServices(
  client: AutoScalingClient,
  options: AutoScalingFleetOptions,
  seen?: DiscoveredGroups,
): Promise<ManagedService[]> {
  const found = new Map<string, ManagedService>();
  let token: string | undefined;
  do {
    const page = await discoverServicesPage(client, options, token, seen);
    for (const service of page.services) found.set(service.id, service);
    token = page.nextToken;
  } while (token !== undefined);
  return [...found.values()];
}

/**
 * The named groups, each once: those the discovery of this run just read from `seen`, the others
 * 100 names a call. A name that does not exist is left out.
 */
export async function* describeGroups(
  client: AutoScalingClient,
  groupNames: readonly string[],
  seen?: DiscoveredGroups,
  now = 0,
): AsyncGenerator<NamedGroup> {
  const known = seen?.take(groupNames, now) ?? [];
  yield* known;
  const read = new Set(known.map((g) => g.AutoScalingGroupName));
  const rest = [...new Set(groupNames)].filter((name) => !read.has(name));
  for (const names of chunk(rest, GROUPS_PER_PAGE)) {
    const pages = paginateDescribeAutoScalingGroups(
      { client, pageSize: GROUPS_PER_PAGE },
      { AutoScalingGroupNames: names },
    );
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
  const launches = completedLaunches(activities, warmupMs);
  return {
    groupName: group.AutoScalingGroupName ?? '',
    desired: group.DesiredCapacity ?? 0,
    inService,
    warmingUp,
    min: group.MinSize ?? 0,
    max: group.MaxSize ?? 0,
    ...(lastAt === undefined ? {} : { lastActivityAt: lastAt.getTime() }),
    ...(launches.length === 0 ? {} : { launches }),
  };
}

/**
 * Successful launch activities as launches timed to the second, oldest first: asked for at the
 * activity's start, serving at its end (the instance InService) plus the warm-up. A launch that
 * failed and was replaced shows as its replacement's own activity, timed from the replacement's start.
 */
function completedLaunches(activities: readonly Activity[], warmupMs: number): CompletedLaunch[] {
  const out: CompletedLaunch[] = [];
  for (const activity of activities) {
    const launch = /Launching a new EC2 instance/.test(activity.Description ?? '');
    if (!launch || activity.StatusCode !== 'Successful') continue;
    if (activity.StartTime === undefined || activity.EndTime === undefined) continue;
    out.push({ startedAt: activity.StartTime.getTime(), servingAt: activity.EndTime.getTime() + warmupMs });
  }
  return out.sort((a, b) => a.servingAt - b.servingAt);
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
