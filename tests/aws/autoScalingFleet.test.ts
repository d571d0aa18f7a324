import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  InvalidNextToken,
  ResourceContentionFault,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
  type AutoScalingGroup,
  type DescribeAutoScalingGroupsCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AutoScalingFleetControl,
  AutoScalingFleetReader,
  cachedDiscovery,
  ConfigError,
  ScalingRefusedError,
} from '@headroom/core';
import { metadata, MINUTE, T0 } from './fixtures.js';

const client = new AutoScalingClient({ region: 'eu-west-1' });
const asg = mockClient(client);
const clock = { now: () => T0 };

beforeEach(() => {
  asg.reset();
});

/** A group as DescribeAutoScalingGroups returns it (fields trimmed to the ones that vary). */
function group(
  name: string,
  tags: Record<string, string>,
  extra: Partial<AutoScalingGroup> = {},
): AutoScalingGroup {
  return {
    AutoScalingGroupName: name,
    AutoScalingGroupARN: `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:7b1d9f3e-2f4a-4c1e-9b7d-0e5a3c2b1d4f:autoScalingGroupName/${name}`,
    LaunchTemplate: {
      LaunchTemplateId: 'lt-0a20c965061f64abc',
      LaunchTemplateName: name,
      Version: '$Latest',
    },
    MinSize: 2,
    MaxSize: 20,
    DesiredCapacity: 4,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-west-1a', 'eu-west-1b'],
    LoadBalancerNames: [],
    TargetGroupARNs: [
      `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/943f017f100becff`,
    ],
    HealthCheckType: 'ELB',
    HealthCheckGracePeriod: 300,
    Instances: [],
    CreatedTime: new Date('2026-01-12T09:30:00Z'),
    SuspendedProcesses: [],
    VPCZoneIdentifier: 'subnet-5ea0c127,subnet-6194ea3b',
    EnabledMetrics: [],
    Tags: Object.entries(tags).map(([Key, Value]) => ({
      ResourceId: name,
      ResourceType: 'auto-scaling-group',
      Key,
      Value,
      PropagateAtLaunch: false,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN:
      'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
    CapacityRebalance: false,
    ...extra,
  };
}

const instance = (id: string, state: string) => ({
  InstanceId: id,
  InstanceType: 'm7g.large',
  AvailabilityZone: 'eu-west-1a',
  LifecycleState: state as 'InService',
  HealthStatus: 'Healthy',
  LaunchTemplate: { LaunchTemplateId: 'lt-0a20c965061f64abc', LaunchTemplateName: 'web', Version: '3' },
  ProtectedFromScaleIn: false,
});

const launch = (instanceId: string, endedAt: number) => ({
  ActivityId: `f9f2d65b-f1f2-43e7-b46d-d86756459699-${instanceId}`,
  AutoScalingGroupName: 'web',
  Description: `Launching a new EC2 instance: ${instanceId}`,
  Cause:
    'At 2026-11-24T09:55:00Z a user request update of AutoScalingGroup constraints changed the desired capacity from 3 to 4.',
  StartTime: new Date(endedAt - 2 * MINUTE),
  EndTime: new Date(endedAt),
  StatusCode: 'Successful' as const,
  Progress: 100,
  Details: '{"Subnet ID":"subnet-5ea0c127","Availability Zone":"eu-west-1a"}',
});

describe('AutoScalingFleetControl.discover', () => {
  it('filters on the tag key, follows NextToken and parses each managed group', async () => {
    const filters: DescribeAutoScalingGroupsCommandInput[] = [];
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => {
      filters.push({ ...input });
      return input.NextToken === undefined
        ? {
            AutoScalingGroups: [
              group('web', { 'headroom:managed': 'true', 'headroom:mode': 'apply', Team: 'storefront' }),
            ],
            NextToken: 'bmV4dA==',
            $metadata: metadata,
          }
        : {
            AutoScalingGroups: [
              group('api', { 'headroom:managed': 'true', 'headroom:max': '8' }),
              group('legacy', { 'headroom:managed': 'false' }),
            ],
            $metadata: metadata,
          };
    });
    const services = await new AutoScalingFleetControl(client, { clock }).discover();

    expect(filters.map((f) => f.Filters)).toEqual([
      [{ Name: 'tag-key', Values: ['headroom:managed'] }],
      [{ Name: 'tag-key', Values: ['headroom:managed'] }],
    ]);
    expect(filters[1]!.NextToken).toBe('bmV4dA==');
    expect(services.map((s) => [s.id, s.mode, s.capacity.max])).toEqual([
      ['web', 'apply', 10],
      ['api', 'advise', 8],
    ]);
  });

  it("reads defaultTags under the group's own tags, so the deployment's default mode applies where none is set", async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group('web', { 'headroom:managed': 'true', 'headroom:mode': 'advise' }),
        group('api', { 'headroom:managed': 'true' }),
      ],
      $metadata: metadata,
    });
    const services = await new AutoScalingFleetControl(client, {
      clock,
      defaultTags: { 'headroom:mode': 'apply' },
    }).discover();
    expect(services.map((s) => [s.id, s.mode])).toEqual([
      ['web', 'advise'],
      ['api', 'apply'],
    ]);
  });

  it('throws a ConfigError naming the group and tag, or hands it to onConfigError and goes on', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group('web', { 'headroom:managed': 'true', 'headroom:max': 'lots' }),
        group('api', { 'headroom:managed': 'true' }),
      ],
      $metadata: metadata,
    });
    await expect(new AutoScalingFleetControl(client, { clock }).discover()).rejects.toThrow(
      'asg "web": headroom:max "lots" is not a positive integer',
    );
    const errors: ConfigError[] = [];
    const services = await new AutoScalingFleetControl(client, {
      clock,
      onConfigError: (e) => errors.push(e),
    }).discover();
    expect(services.map((s) => s.id)).toEqual(['api']);
    expect(errors.map((e) => e.key)).toEqual(['headroom:max']);
  });
});

describe('AutoScalingFleetControl.describe', () => {
  it('counts InService instances past warm-up, and Pending or still-warming ones apart', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group(
          'web',
          {},
          {
            DesiredCapacity: 5,
            DefaultInstanceWarmup: 300,
            Instances: [
              instance('i-0a1b2c3d4e5f60001', 'InService'),
              instance('i-0a1b2c3d4e5f60002', 'InService'),
              instance('i-0a1b2c3d4e5f60003', 'InService'),
              instance('i-0a1b2c3d4e5f60004', 'Pending'),
              instance('i-0a1b2c3d4e5f60005', 'Pending:Wait'),
              instance('i-0a1b2c3d4e5f60006', 'Terminating'),
            ],
          },
        ),
      ],
      $metadata: metadata,
    });
    asg.on(DescribeScalingActivitiesCommand, { AutoScalingGroupName: 'web' }).resolves({
      // Newest first. i-…0003 came into service 2 minutes ago, inside the 5-minute warm-up.
      Activities: [
        launch('i-0a1b2c3d4e5f60003', T0 - 2 * MINUTE),
        launch('i-0a1b2c3d4e5f60002', T0 - 30 * MINUTE),
      ],
      $metadata: metadata,
    });
    const fleet = await new AutoScalingFleetControl(client, { clock }).describe(['web']);
    expect(fleet.get('web')).toEqual({
      groupName: 'web',
      desired: 5,
      inService: 2,
      warmingUp: 3,
      min: 2,
      max: 20,
      lastActivityAt: T0 - 2 * MINUTE,
      // Each launch timed from its activity's start to its end plus the 5-minute warm-up, oldest first.
      launches: [
        { startedAt: T0 - 32 * MINUTE, servingAt: T0 - 25 * MINUTE },
        { startedAt: T0 - 4 * MINUTE, servingAt: T0 + 3 * MINUTE },
      ],
    });
  });

  it('asks for at most 100 names a call (MaxRecords 100) and leaves a group without activities without lastActivityAt', async () => {
    const asked: string[][] = [];
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => {
      expect(input.MaxRecords).toBe(100);
      asked.push(input.AutoScalingGroupNames ?? []);
      return {
        AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((n) => group(n, {})),
        $metadata: metadata,
      };
    });
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [], $metadata: metadata });
    const names = Array.from({ length: 220 }, (_, i) => `g${i}`);
    const fleet = await new AutoScalingFleetControl(client, { clock }).describe(names);
    expect(asked.map((a) => a.length)).toEqual([100, 100, 20]);
    expect(fleet.size).toBe(220);
    expect(fleet.get('g7')).toEqual({
      groupName: 'g7',
      desired: 4,
      inService: 0,
      warmingUp: 0,
      min: 2,
      max: 20,
    });
  });
});

describe('discovery, then describe, in one run', () => {
  /** 150 tagged groups: pages of at most MaxRecords, each group in one page. */
  function taggedFleet(calls: DescribeAutoScalingGroupsCommandInput[]) {
    const all = Array.from({ length: 150 }, (_, i) => group(`g${i}`, { 'headroom:managed': 'true' }));
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => {
      calls.push({ ...input });
      if (input.AutoScalingGroupNames !== undefined)
        return {
          AutoScalingGroups: all.filter((g) =>
            input.AutoScalingGroupNames!.includes(g.AutoScalingGroupName!),
          ),
          $metadata: metadata,
        };
      const from = Number(input.NextToken ?? 0);
      const size = input.MaxRecords ?? 50;
      return {
        AutoScalingGroups: all.slice(from, from + size),
        ...(from + size < all.length ? { NextToken: String(from + size) } : {}),
        $metadata: metadata,
      };
    });
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [], $metadata: metadata });
  }

  it('pages discovery 100 groups at a time and describes the groups it found without reading them again', async () => {
    const calls: DescribeAutoScalingGroupsCommandInput[] = [];
    taggedFleet(calls);
    const fleet = new AutoScalingFleetControl(client, { clock });
    const services = await fleet.discover();
    expect(services).toHaveLength(150);
    expect(calls.map((c) => c.MaxRecords)).toEqual([100, 100]);

    const described = await fleet.describe([...services.map((s) => s.autoScalingGroupName), 'listed-only']);
    expect(described.size).toBe(150);
    // Only the group the discovery did not see (one listed in the config) is asked for.
    expect(calls.slice(2).map((c) => c.AutoScalingGroupNames)).toEqual([['listed-only']]);
  });

  it('reads a group again once the discovery is older than one run, or was already used', async () => {
    const calls: DescribeAutoScalingGroupsCommandInput[] = [];
    taggedFleet(calls);
    let now = T0;
    const reader = new AutoScalingFleetReader(client, { clock: { now: () => now } });
    await reader.discover();
    now += 31_000;
    await reader.describe(['g1']);
    await reader.describe(['g2']);
    expect(calls.slice(2).map((c) => c.AutoScalingGroupNames)).toEqual([['g1'], ['g2']]);

    now += 60_000;
    await reader.discover();
    await reader.describe(['g3']);
    await reader.describe(['g3']);
    expect(calls.slice(6).map((c) => c.AutoScalingGroupNames)).toEqual([['g3']]);
  });
});

describe('discovery a few pages a run (cachedDiscovery over discoverPage)', () => {
  it('resumes from the token AWS gave, serves the groups found so far, and starts again after InvalidNextToken', async () => {
    const all = Array.from({ length: 250 }, (_, i) =>
      group(`g${String(i).padStart(3, '0')}`, { 'headroom:managed': 'true' }),
    );
    const tokens: (string | undefined)[] = [];
    let expired = false;
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => {
      tokens.push(input.NextToken);
      expect(input.Filters).toEqual([{ Name: 'tag-key', Values: ['headroom:managed'] }]);
      if (expired && input.NextToken !== undefined)
        throw new InvalidNextToken({ message: 'The token is not valid.', $metadata: metadata });
      const from = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(4));
      const size = input.MaxRecords ?? 50;
      return {
        AutoScalingGroups: all.slice(from, from + size),
        ...(from + size < all.length ? { NextToken: `tok-${from + size}` } : {}),
        $metadata: metadata,
      };
    });
    let now = T0;
    const errors: string[] = [];
    const fleet = cachedDiscovery(
      new AutoScalingFleetControl(client, { clock: { now: () => now } }),
      { now: () => now },
      { pagesPerRun: 2, onPageError: (e) => errors.push((e as Error).name) },
    );
    expect(await fleet.discover()).toHaveLength(200);
    now += MINUTE;
    expect(await fleet.discover()).toHaveLength(250);
    expect(tokens).toEqual([undefined, 'tok-100', 'tok-200']);
    // Five minutes later a pass starts again; its token expires before the next run.
    now += 5 * MINUTE;
    expect(await fleet.discover()).toHaveLength(250);
    expired = true;
    now += MINUTE;
    expect(await fleet.discover()).toHaveLength(250);
    expect(errors).toEqual(['InvalidNextToken']);
    expired = false;
    now += MINUTE;
    await fleet.discover();
    expect(tokens.slice(3)).toEqual([undefined, 'tok-100', 'tok-200', undefined, 'tok-100']);
  });
});

describe('AutoScalingFleetControl.setDesiredCapacity', () => {
  it('sends the capacity and HonorCooldown', async () => {
    asg.on(SetDesiredCapacityCommand).resolves({ $metadata: metadata });
    await new AutoScalingFleetControl(client, { clock }).setDesiredCapacity('web', 7, true);
    expect(asg.commandCalls(SetDesiredCapacityCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'web',
      DesiredCapacity: 7,
      HonorCooldown: true,
    });
  });

  const fault = { $metadata: { ...metadata, httpStatusCode: 400 } };
  it.each([
    [
      new ScalingActivityInProgressFault({
        ...fault,
        message: 'Scaling activity 8c4a2f1e is in progress and blocks this action.',
      }),
      'activity-in-progress',
    ],
    [
      new ResourceContentionFault({
        ...fault,
        message:
          'You already have a pending update to an Auto Scaling resource (for example, a group, instance, or load balancer).',
      }),
      'resource-contention',
    ],
    [
      new AutoScalingServiceException({
        ...fault,
        name: 'ValidationError',
        $fault: 'client',
        message: 'New SetDesiredCapacity value 30 is above max value 20 for the AutoScalingGroup.',
      }),
      'invalid-request',
    ],
  ])('maps %p to a ScalingRefusedError (%s)', async (error, reason) => {
    asg.on(SetDesiredCapacityCommand).rejects(error);
    const attempt = new AutoScalingFleetControl(client, { clock }).setDesiredCapacity('web', 30, true);
    await expect(attempt).rejects.toBeInstanceOf(ScalingRefusedError);
    await expect(attempt).rejects.toMatchObject({ groupName: 'web', desired: 30, reason });
  });

  it('lets any other error through unchanged', async () => {
    const denied = new AutoScalingServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { ...metadata, httpStatusCode: 403 },
      message: 'User is not authorized to perform: autoscaling:SetDesiredCapacity',
    });
    asg.on(SetDesiredCapacityCommand).rejects(denied);
    await expect(
      new AutoScalingFleetControl(client, { clock }).setDesiredCapacity('web', 3, true),
    ).rejects.toBe(denied);
  });
});

describe('AutoScalingFleetReader (the forecast function: reads groups, never scales)', () => {
  it('discovers as the fleet control does and counts every InService instance as serving, without asking for activities', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: DescribeAutoScalingGroupsCommandInput) => ({
      AutoScalingGroups: [
        group(
          'web',
          { 'headroom:managed': 'true', 'headroom:max': '30' },
          {
            DesiredCapacity: 3,
            DefaultInstanceWarmup: 300,
            Instances: [
              instance('i-0a1b2c3d4e5f60001', 'InService'),
              instance('i-0a1b2c3d4e5f60002', 'InService'),
              instance('i-0a1b2c3d4e5f60003', 'Pending'),
            ],
          },
        ),
      ].filter(() => input.Filters !== undefined || input.AutoScalingGroupNames?.includes('web')),
      $metadata: metadata,
    }));
    const reader = new AutoScalingFleetReader(client, { clock });
    const services = await reader.discover();
    expect(services.map((s) => [s.id, s.capacity.max])).toEqual([['web', 30]]);
    expect(services).toEqual(await new AutoScalingFleetControl(client, { clock }).discover());

    const fleet = await reader.describe(['web', 'web', 'gone']);
    expect(fleet).toEqual(
      new Map([['web', { groupName: 'web', desired: 3, inService: 2, warmingUp: 1, min: 2, max: 20 }]]),
    );
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(0);
    expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
    expect('setDesiredCapacity' in reader).toBe(false);
  });
});
