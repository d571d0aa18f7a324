import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  ConfigError,
  DEFAULT_SLO,
  DEFAULT_TIMING,
  SERVICE_CONFIG_KEYS,
  isManagedGroup,
  parseServiceConfig,
  parseServicesJson,
} from '@headroom/core';

const parse = (tags: Record<string, string>) => parseServiceConfig('asg "web"', tags, 'web');

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseServiceConfig (tags)', () => {
  it('fills every default from the model when only the managed tag is set', () => {
    const service = parse({ 'headroom:managed': 'true', Name: 'web-prod' });
    expect(service).toEqual({
      id: 'web',
      autoScalingGroupName: 'web',
      mode: 'advise',
      slo: DEFAULT_SLO,
      capacity: { min: 1, max: 10, maxStepPct: 100, maxStepInstances: 10 },
      timing: DEFAULT_TIMING,
      pricePerInstanceHourUsd: 0.0416,
      slowMinuteCostUsd: 10,
      tiers: {},
    });
  });

  it('reads every key', () => {
    const service = parse({
      'headroom:managed': 'true',
      'headroom:mode': 'apply',
      'headroom:service-id': 'checkout',
      'headroom:p99-latency-ms': '300',
      'headroom:error-rate-pct': '0.5',
      'headroom:cpu-target-pct': '60',
      'headroom:min': '2',
      'headroom:max': '40',
      'headroom:max-step-pct': '50',
      'headroom:max-step-instances': '8',
      'headroom:price-per-hour-usd': '0.192',
      'headroom:slow-minute-cost-usd': '25',
      'headroom:boot-seconds': '90',
      'headroom:warmup-seconds': '60',
      'headroom:cooldown-seconds': '120',
      'headroom:scale-in-stabilization-seconds': '600',
      'headroom:load-balancer': 'app/web/50dc6c495c0c9188',
      'headroom:target-group': 'targetgroup/web/73e2d6bc24d8a067',
      'headroom:db-instance': 'orders-db',
      'headroom:db-max-connections': '400',
      'headroom:db-connections-max-pct': '80',
      'headroom:cache-group': 'sessions',
      'headroom:cache-hit-min-pct': '90',
      'headroom:cdn-distribution': 'E2QWRUHAPOMQZL',
      'headroom:cdn-hit-min-pct': '85',
    });
    expect(service).toEqual({
      id: 'checkout',
      autoScalingGroupName: 'web',
      mode: 'apply',
      slo: {
        p99LatencyMs: 300,
        errorRatePct: 0.5,
        cpuTargetPct: 60,
        dbConnectionsMaxPct: 80,
        cacheHitRatioMinPct: 90,
        cdnHitRatioMinPct: 85,
      },
      capacity: { min: 2, max: 40, maxStepPct: 50, maxStepInstances: 8 },
      timing: { bootSeconds: 90, warmupSeconds: 60, cooldownSeconds: 120, scaleInStabilizationSeconds: 600 },
      pricePerInstanceHourUsd: 0.192,
      slowMinuteCostUsd: 25,
      tiers: {
        loadBalancer: 'app/web/50dc6c495c0c9188',
        targetGroup: 'targetgroup/web/73e2d6bc24d8a067',
        dbMaxConnections: 400,
        dbInstanceId: 'orders-db',
        cacheReplicationGroupId: 'sessions',
        cdnDistributionId: 'E2QWRUHAPOMQZL',
      },
    });
  });

  it.each([
    [{ 'headroom:max': 'ten' }, 'asg "web": headroom:max "ten" is not a positive integer'],
    [{ 'headroom:min': '-1' }, 'asg "web": headroom:min "-1" is not a non-negative integer'],
    [{ 'headroom:min': '1.5' }, 'asg "web": headroom:min "1.5" is not a non-negative integer'],
    [{ 'headroom:max': '0' }, 'asg "web": headroom:max "0" is not a positive integer'],
    [
      { 'headroom:min': '5', 'headroom:max': '3' },
      'asg "web": headroom:min "5" is greater than headroom:max (3)',
    ],
    [{ 'headroom:mode': 'auto' }, 'asg "web": headroom:mode "auto" is not one of advise, apply, off'],
    [{ 'headroom:managed': 'yes' }, 'asg "web": headroom:managed "yes" is not true or false'],
    [
      { 'headroom:cpu-target-pct': '120' },
      'asg "web": headroom:cpu-target-pct "120" is not a percentage in [0, 100]',
    ],
    [{ 'headroom:cpu-target-pct': '0' }, 'asg "web": headroom:cpu-target-pct "0" is not positive'],
    [
      { 'headroom:error-rate-pct': 'NaN' },
      'asg "web": headroom:error-rate-pct "NaN" is not a percentage in [0, 100]',
    ],
    [{ 'headroom:p99-latency-ms': '0' }, 'asg "web": headroom:p99-latency-ms "0" is not positive'],
    [
      { 'headroom:p99-latency-ms': '1e999' },
      'asg "web": headroom:p99-latency-ms "1e999" is not a non-negative number',
    ],
    [
      { 'headroom:max-step-pct': '0' },
      'asg "web": headroom:max-step-pct "0" is not a percentage in (0, 1000]',
    ],
    [
      { 'headroom:boot-seconds': '3m' },
      'asg "web": headroom:boot-seconds "3m" is not a non-negative whole number of seconds',
    ],
    [
      { 'headroom:price-per-hour-usd': '' },
      'asg "web": headroom:price-per-hour-usd "" is not a non-negative number',
    ],
    [{ 'headroom:service-id': ' ' }, 'asg "web": headroom:service-id " " is empty'],
    [{ 'headroom:maxx': '3' }, 'asg "web": headroom:maxx "3" is not a known key'],
    [
      { 'headroom:db-connections-max-pct': '80' },
      'asg "web": headroom:db-connections-max-pct "80" is set without headroom:db-instance',
    ],
    [
      { 'headroom:cdn-hit-min-pct': '80' },
      'asg "web": headroom:cdn-hit-min-pct "80" is set without headroom:cdn-distribution',
    ],
  ])('rejects %j', (tags, message) => {
    const error = errorOf(() => parse(tags));
    expect(error.message).toBe(message);
    expect(error.source).toBe('asg "web"');
  });

  it('names the key and value on the error object', () => {
    const error = errorOf(() => parse({ 'headroom:max': 'ten' }));
    expect([error.key, error.value, error.name]).toEqual(['headroom:max', 'ten', 'ConfigError']);
  });

  it('isManagedGroup only accepts headroom:managed=true', () => {
    expect(isManagedGroup({ 'headroom:managed': 'true' })).toBe(true);
    expect(isManagedGroup({ 'headroom:managed': 'false' })).toBe(false);
    expect(isManagedGroup({ 'headroom:mode': 'apply' })).toBe(false);
  });
});

describe('parseServicesJson (config parameter)', () => {
  it('reads camelCase keys with JSON numbers and strings', () => {
    const [service, other] = parseServicesJson(
      JSON.stringify([
        {
          autoScalingGroup: 'web',
          mode: 'apply',
          max: 20,
          cpuTargetPct: '65',
          dbInstance: 'db1',
          dbConnectionsMaxPct: 75,
        },
        { autoScalingGroup: 'api', serviceId: 'public-api', managed: true },
      ]),
    );
    expect(service).toMatchObject({
      id: 'web',
      mode: 'apply',
      capacity: { min: 1, max: 20 },
      slo: { cpuTargetPct: 65, dbConnectionsMaxPct: 75 },
      tiers: { dbInstanceId: 'db1' },
    });
    expect(other).toMatchObject({ id: 'public-api', autoScalingGroupName: 'api' });
  });

  it.each([
    ['not json', 'services config: JSON "not json" is not valid JSON'],
    [
      '{"autoScalingGroup":"web"}',
      'services config: JSON "{"autoScalingGroup":"web"}" is not an array of services',
    ],
    ['[3]', 'services[0]: entry "3" is not an object'],
    ['[{"mode":"apply"}]', 'services[0]: autoScalingGroup "" is missing or empty'],
    ['[{"autoScalingGroup":"web","max":"ten"}]', 'services[0]: max "ten" is not a positive integer'],
    ['[{"autoScalingGroup":"web","min":5,"max":3}]', 'services[0]: min "5" is greater than max (3)'],
    ['[{"autoScalingGroup":"web","max-step-pct":5}]', 'services[0]: max-step-pct "5" is not a known key'],
    ['[{"autoScalingGroup":"web","max":[3]}]', 'services[0]: max "[3]" is not a string, number or boolean'],
    [
      '[{"autoScalingGroup":"a"},{"autoScalingGroup":"a"}]',
      'services[1]: serviceId "a" is used by an earlier service',
    ],
  ])('rejects %s', (text, message) => {
    expect(errorOf(() => parseServicesJson(text)).message).toContain(message);
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  it.each(SERVICE_CONFIG_KEYS.map((k) => [k.name, k] as const))(
    'documents headroom:%s with its default',
    (name, k) => {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`headroom:${name}\``));
      expect(row).toBeDefined();
      expect(row).toContain(k.defaultValue ?? '(none)');
    },
  );
});
