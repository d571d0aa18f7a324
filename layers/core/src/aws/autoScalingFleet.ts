/**
 * FleetControl over EC2 Auto Scaling, composed of its read side (autoScalingGroups.ts), the
 * scaling activities that tell warm-up, and the write side (autoScalingScaling.ts). A function
 * that only reads groups uses AutoScalingFleetReader instead, and its bundle keeps no write call.
 */
import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { FleetCapacity } from '../model/fleet.js';
import type { ManagedService } from '../model/service.js';
import type { FleetControl } from '../ports/index.js';
import { recentActivities } from './autoScalingActivities.js';
import {
  capacityOf,
  describeGroups,
  discoverServices,
  discoverServicesPage,
  DiscoveredGroups,
  type DiscoveryPage,
  type AutoScalingFleetOptions,
} from './autoScalingGroups.js';
import { setDesiredCapacity } from './autoScalingScaling.js';

export type { AutoScalingFleetOptions } from './autoScalingGroups.js';

/**
 * Discovery and capacity with warm-up, but no SetDesiredCapacity: for the remediation step that
 * loads context, so its bundle (and so its IAM) holds no scaling call.
 */
export class AutoScalingFleetDescriber implements Pick<FleetControl, 'discover' | 'describe'> {
  constructor(
    protected readonly client: AutoScalingClient,
    protected readonly options: AutoScalingFleetOptions,
  ) {}

  /** Groups just read by discover(), so that describe() in the same run does not read them again. */
  private readonly discovered = new DiscoveredGroups();

  discover(): Promise<ManagedService[]> {
    return discoverServices(this.client, this.options, this.discovered);
  }

  /** One page of discover(), for a discovery spread over runs (shards/discoveryCache.ts). */
  discoverPage(token: string | undefined): Promise<DiscoveryPage> {
    return discoverServicesPage(this.client, this.options, token, this.discovered);
  }

  /**
   * Instances launched less than the group's warm-up ago count as warming up. Their launch times
   * come from DescribeScalingActivities, one call per group, so it is asked only of a group that
   * may be settling: named in `settling` (a recent action), or showing an instance not yet
   * InService or fewer InService instances than desired. A steady group costs no activities call.
   */
  async describe(
    groupNames: readonly string[],
    settling?: ReadonlySet<string>,
  ): Promise<Map<string, FleetCapacity>> {
    const out = new Map<string, FleetCapacity>();
    for await (const group of describeGroups(
      this.client,
      groupNames,
      this.discovered,
      this.options.clock.now(),
    )) {
      const name = group.AutoScalingGroupName;
      const activities =
        settling === undefined || settling.has(name) || mayBeSettling(group)
          ? await recentActivities(this.client, name)
          : [];
      const now = this.options.clock.now();
      out.set(name, capacityOf(group, activities, now, this.options.defaultWarmupSeconds));
    }
    return out;
  }
}

export class AutoScalingFleetControl extends AutoScalingFleetDescriber implements FleetControl {
  setDesiredCapacity(groupName: string, desired: number, honorCooldown: boolean): Promise<void> {
    return setDesiredCapacity(this.client, groupName, desired, honorCooldown);
  }
}

/** Some instance is not InService yet, or fewer are InService than desired: a change is under way. */
function mayBeSettling(group: AutoScalingGroup): boolean {
  const instances = group.Instances ?? [];
  const inService = instances.filter((i) => i.LifecycleState === 'InService').length;
  return inService !== instances.length || inService !== (group.DesiredCapacity ?? inService);
}
