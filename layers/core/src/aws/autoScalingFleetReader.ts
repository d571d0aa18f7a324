/**
 * Discovery and capacity without scaling activities or SetDesiredCapacity: for the forecast
 * function, which reads a group's in-service count for the load one instance carries and never
 * scales. Warm-up is not told apart here (it needs DescribeScalingActivities): every InService
 * instance counts as serving, which reads a slightly lower rate per instance, so a higher floor.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { FleetCapacity } from '../model/fleet.js';
import type { ManagedService } from '../model/service.js';
import type { FleetControl } from '../ports/index.js';
import {
  capacityOf,
  describeGroups,
  discoverServices,
  DiscoveredGroups,
  type AutoScalingFleetOptions,
} from './autoScalingGroups.js';

export class AutoScalingFleetReader implements Pick<FleetControl, 'discover' | 'describe'> {
  constructor(
    private readonly client: AutoScalingClient,
    private readonly options: AutoScalingFleetOptions,
  ) {}

  /** Groups just read by discover(), so that describe() in the same run does not read them again. */
  private readonly discovered = new DiscoveredGroups();

  discover(): Promise<ManagedService[]> {
    return discoverServices(this.client, this.options, this.discovered);
  }

  async describe(groupNames: readonly string[]): Promise<Map<string, FleetCapacity>> {
    const out = new Map<string, FleetCapacity>();
    const now = this.options.clock.now();
    for await (const group of describeGroups(this.client, groupNames, this.discovered, now)) {
      out.set(group.AutoScalingGroupName, capacityOf(group, [], now, this.options.defaultWarmupSeconds));
    }
    return out;
  }
}
