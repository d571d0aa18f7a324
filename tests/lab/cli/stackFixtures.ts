/**
 * A deployed stack as AWS answers for it, for the operator's commands: DescribeStacks with its
 * outputs and parameters, Auto Scaling groups with tags and instances, GetMetricData per query label.
 */
import type { GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { STATE_TABLE } from '../../support/dynalite.js';

export const T0 = Date.UTC(2026, 11, 1, 10, 0);

export const group = (name: string, desired: number, tags: Record<string, string>) => ({
  AutoScalingGroupName: name,
  MinSize: 1,
  MaxSize: 20,
  DesiredCapacity: desired,
  DefaultCooldown: 300,
  AvailabilityZones: ['us-east-1a'],
  HealthCheckType: 'ELB',
  CreatedTime: new Date(T0),
  Instances: Array.from({ length: desired }, (_, i) => ({
    InstanceId: `i-${name}${i}`,
    AvailabilityZone: 'us-east-1a',
    LifecycleState: i === desired - 1 ? ('Pending' as const) : ('InService' as const),
    HealthStatus: 'Healthy',
    ProtectedFromScaleIn: false,
  })),
  Tags: Object.entries(tags).map(([Key, Value]) => ({
    Key,
    Value,
    ResourceId: name,
    ResourceType: 'auto-scaling-group',
    PropagateAtLaunch: false,
  })),
});

export const WEB_SERVICE = {
  autoScalingGroup: 'web-asg',
  serviceId: 'web',
  mode: 'apply',
  min: 2,
  max: 12,
  loadBalancer: 'app/web/50dc6c495c0c9188',
};

export function stackAnswer(name: string, parameters: Record<string, string> = {}) {
  return {
    Stacks: [
      {
        StackName: name,
        StackStatus: 'UPDATE_COMPLETE' as const,
        CreationTime: new Date(T0),
        Parameters: Object.entries({ ServicesJson: JSON.stringify([WEB_SERVICE]), ...parameters }).map(
          ([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }),
        ),
        Outputs: [
          { OutputKey: 'StateTableName', OutputValue: STATE_TABLE },
          { OutputKey: 'AdvisorEventBusName', OutputValue: `${name}-events` },
        ],
      },
    ],
  };
}

/**
 * GetMetricData as CloudWatch answers: each query's datapoints newest first, one a minute over the
 * last five minutes before EndTime, the value from `valueOf(label)` (labels are "<service> <source>");
 * a label without a value has no datapoints (no such metric published).
 */
export function metricAnswer(valueOf: (label: string) => number | undefined) {
  return (input: GetMetricDataCommandInput) => {
    const end = Math.floor(input.EndTime!.getTime() / 60_000) * 60_000;
    const minutes = [1, 2, 3, 4, 5].map((m) => new Date(end - m * 60_000));
    return {
      MetricDataResults: (input.MetricDataQueries ?? [])
        .filter((q) => q.ReturnData !== false)
        .map((q) => {
          const value = valueOf(q.Label ?? '');
          return {
            Id: q.Id,
            Label: q.Label,
            Timestamps: value === undefined ? [] : minutes,
            Values: value === undefined ? [] : minutes.map(() => value),
            StatusCode: 'Complete' as const,
          };
        }),
      Messages: [],
    };
  };
}
