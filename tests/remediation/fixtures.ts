/** A service with every tier, in `apply` mode, and the events and bindings the remediation tests share. */
import { parseServiceConfig, type FleetCapacity, type KpiSample, type ManagedService } from '@headroom/core';

export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

export function aService(tags: Record<string, string> = {}): ManagedService {
  return parseServiceConfig(
    'test',
    {
      'headroom:mode': 'apply',
      'headroom:min': '2',
      'headroom:max': '20',
      'headroom:db-instance': 'orders-db',
      // The application reads from replicas, so a read replica relieves it.
      'headroom:db-reads-on-replicas': 'true',
      'headroom:db-connections-max-pct': '80',
      'headroom:cache-group': 'orders-cache',
      'headroom:cache-hit-min-pct': '90',
      'headroom:cdn-distribution': 'E2EXAMPLE',
      'headroom:cdn-hit-min-pct': '80',
      ...tags,
    },
    'orders',
  );
}

export const FLEET: FleetCapacity = {
  groupName: 'orders',
  desired: 4,
  inService: 4,
  warmingUp: 0,
  min: 2,
  max: 20,
};

/** Healthy on every tier; tests spoil the one they are about. */
export const HEALTHY: KpiSample = {
  at: NOW,
  requestsPerMinute: 12_000,
  p99LatencyMs: 180,
  errorRatePct: 0.1,
  cpuPct: 50,
  dbConnectionsPct: 40,
  cacheHitRatioPct: 95,
  cdnHitRatioPct: 90,
};

export function alarmEvent(
  alarmName = 'headroom-orders-db-connections',
  id = 'evt-1',
): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: new Date(NOW).toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: {
        value: 'ALARM',
        reason: 'Threshold Crossed: 3 datapoints were greater than the threshold (80.0).',
        timestamp: new Date(NOW).toISOString(),
      },
      previousState: { value: 'OK', reason: '', timestamp: new Date(NOW - 600_000).toISOString() },
      configuration: { metrics: [] },
    },
  };
}
