/** Shared by the evaluate and forecast handler tests: the Lambda environment and context, a managed group, a stored forecast. */
import type { Context } from 'aws-lambda';
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { encodeForecast, FORECAST_ENCODING, type ServiceForecast } from '@headroom/core';

export const metadata = {
  httpStatusCode: 200,
  requestId: 'b0e91dc8-3807-11e2-83c6-5d9e3d1b2d5c',
  attempts: 1,
  totalRetryDelay: 0,
};

export function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `headroom-${name}-Xj3k9`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:headroom-${name}-Xj3k9`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/headroom-${name}`,
    logStreamName: '2026/11/24/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 55_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The environment template.yaml gives the functions, Powertools printing EMF through console.log. */
export const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  // Dev mode prints through the global console, which the tests read; it would also turn metrics off.
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_METRICS_NAMESPACE: 'Headroom',
  POWERTOOLS_TRACE_ENABLED: 'false',
  MODE: 'advise',
  KILL_SWITCH: 'off',
  STATE_TABLE: 'headroom-StateTable-1QW2E3R4T5Y6',
  EVENT_BUS_NAME: 'headroom-advisor',
  REMEDIATION_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate',
  ADVISOR_EVENTS_DLQ_URL:
    'https://sqs.eu-west-1.amazonaws.com/123456789012/headroom-AdvisorEventsDeadLetterQueue-1A2B3C',
  SERVICES_JSON: '[]',
  DAILY_ACTION_BUDGET: '20',
  ACCOUNT_ID: '123456789012',
  PARTITION: 'aws',
};

/** A group tagged for apply, `inService` instances in service. */
export function managedGroup(name: string, inService: number): AutoScalingGroup {
  const tag = (Key: string, Value: string) => ({
    ResourceId: name,
    ResourceType: 'auto-scaling-group',
    Key,
    Value,
    PropagateAtLaunch: false,
  });
  return {
    AutoScalingGroupName: name,
    MinSize: 2,
    MaxSize: 20,
    DesiredCapacity: inService,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-west-1a'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2026-01-12T09:30:00Z'),
    Instances: Array.from({ length: inService }, (_, i) => ({
      InstanceId: `i-0a1b2c3d4e5f6${String(i).padStart(4, '0')}`,
      InstanceType: 'm7g.large',
      AvailabilityZone: 'eu-west-1a',
      LifecycleState: 'InService' as const,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    })),
    Tags: [tag('headroom:managed', 'true'), tag('headroom:mode', 'apply'), tag('headroom:max', '20')],
  };
}

/** A trusted forecast made an hour before `now`, flat at `upperPerMinute` requests/min (upper bound). */
export function storedForecast(serviceId: string, now: number, upperPerMinute: number): ServiceForecast {
  const steps = 576;
  const stepMs = 5 * 60_000;
  const start = Math.floor(now / stepMs) * stepMs - 3_600_000;
  return {
    serviceId,
    at: start,
    forecast: {
      madeAt: start,
      model: 'seasonal-profile',
      seasons: ['daily'],
      start,
      stepMs,
      coverage: 0.95,
      point: Array.from({ length: steps }, () => upperPerMinute * 0.8),
      lower: Array.from({ length: steps }, () => upperPerMinute * 0.6),
      upper: Array.from({ length: steps }, () => upperPerMinute),
      naiveScale: 50,
      historyHours: 336,
    },
    accuracy: { evaluations: [] },
    verdict: { use: 'forecast', confidence: 0.5, reason: 'forecast not yet scored (0 evaluations)' },
    ratePerInstance: 10,
  };
}

/** The item DynamoForecastStore writes for `forecast`, as GetItem returns it. */
export function forecastItem(forecast: ServiceForecast) {
  return {
    pk: { S: `service#${forecast.serviceId}` },
    sk: { S: 'forecast' },
    at: { N: String(forecast.at) },
    use: { S: forecast.verdict.use },
    encoding: { S: FORECAST_ENCODING },
    body: { B: encodeForecast(forecast) },
  };
}
