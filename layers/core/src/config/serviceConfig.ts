/**
 * The tagging convention: an SRE describes a service with `headroom:*` tags on its Auto Scaling
 * group, or with the same keys (camelCase, no prefix) in the JSON config parameter.
 * Every key, its default and its meaning live in SERVICE_CONFIG_KEYS, so docs/configuration.md
 * is checked against the code rather than written beside it.
 */
import { DEFAULT_SLO, DEFAULT_TIMING, MODES, type ManagedService, type Mode } from '../model/service.js';

export const TAG_PREFIX = 'headroom:';

/** Defaults that model/service.ts leaves to the configuration. */
export const DEFAULT_CAPACITY = { min: 1, max: 10, maxStepPct: 100, maxStepInstances: 10 } as const;
/** t3.medium on-demand in us-east-1; set headroom:price-per-hour-usd for your instance type. */
export const DEFAULT_PRICE_PER_INSTANCE_HOUR_USD = 0.0416;
export const DEFAULT_SLOW_MINUTE_COST_USD = 10;

type Kind =
  'boolean' | 'mode' | 'text' | 'count' | 'positive-count' | 'seconds' | 'amount' | 'pct' | 'step-pct';

export interface ServiceConfigKey {
  /** Kebab-case name: the tag is `headroom:<name>`, the JSON key its camelCase form. */
  name: string;
  kind: Kind;
  /** Default as written in the docs; `undefined` means "not set, tier not evaluated". */
  defaultValue: string | undefined;
  meaning: string;
}

const key = (name: string, kind: Kind, defaultValue: string | number | undefined, meaning: string) =>
  ({
    name,
    kind,
    defaultValue: defaultValue === undefined ? undefined : String(defaultValue),
    meaning,
  }) satisfies ServiceConfigKey;

export const SERVICE_CONFIG_KEYS: readonly ServiceConfigKey[] = [
  key(
    'managed',
    'boolean',
    'true',
    'Discovery looks only at groups tagged `true`; `false` leaves a group out.',
  ),
  key(
    'mode',
    'mode',
    MODES[0],
    '`advise` recommends only, `apply` acts within guardrails, `off` does nothing.',
  ),
  key('service-id', 'text', '(group name)', 'Stable id of the service in decisions, state and events.'),
  key('p99-latency-ms', 'amount', DEFAULT_SLO.p99LatencyMs, 'p99 latency objective, milliseconds.'),
  key(
    'error-rate-pct',
    'pct',
    DEFAULT_SLO.errorRatePct,
    'Highest acceptable error rate, percent of requests.',
  ),
  key(
    'cpu-target-pct',
    'pct',
    DEFAULT_SLO.cpuTargetPct,
    'CPU utilisation target for target tracking, percent.',
  ),
  key('min', 'count', DEFAULT_CAPACITY.min, 'Fewest instances Headroom will ever ask for.'),
  key('max', 'positive-count', DEFAULT_CAPACITY.max, 'Most instances Headroom will ever ask for.'),
  key(
    'max-step-pct',
    'step-pct',
    DEFAULT_CAPACITY.maxStepPct,
    'Largest change of one action, percent of current capacity.',
  ),
  key(
    'max-step-instances',
    'positive-count',
    DEFAULT_CAPACITY.maxStepInstances,
    'Largest change of one action, instances (the smaller step limit applies).',
  ),
  key(
    'price-per-hour-usd',
    'amount',
    DEFAULT_PRICE_PER_INSTANCE_HOUR_USD,
    'On-demand price of one instance-hour, USD.',
  ),
  key(
    'slow-minute-cost-usd',
    'amount',
    DEFAULT_SLOW_MINUTE_COST_USD,
    'Business cost of one minute over the SLO, USD: against the price per hour, the risk knob.',
  ),
  key(
    'boot-seconds',
    'seconds',
    DEFAULT_TIMING.bootSeconds,
    'Seconds from launch until an instance is InService.',
  ),
  key(
    'warmup-seconds',
    'seconds',
    DEFAULT_TIMING.warmupSeconds,
    'Seconds after InService during which an instance is left out of the metric.',
  ),
  key(
    'cooldown-seconds',
    'seconds',
    DEFAULT_TIMING.cooldownSeconds,
    'Seconds after an action before the next one on the same group.',
  ),
  key(
    'scale-in-stabilization-seconds',
    'seconds',
    DEFAULT_TIMING.scaleInStabilizationSeconds,
    'Scale-in acts on the highest recommendation over this window.',
  ),
  key(
    'load-balancer',
    'text',
    undefined,
    'ALB `LoadBalancer` dimension (`app/<name>/<id>`): source of p99 latency, errors and requests.',
  ),
  key(
    'target-group',
    'text',
    undefined,
    'ALB `TargetGroup` dimension (`targetgroup/<name>/<id>`) narrowing the ALB metrics to this service.',
  ),
  key('db-instance', 'text', undefined, 'RDS instance id of the database tier.'),
  key(
    'db-max-connections',
    'positive-count',
    undefined,
    'The database max_connections, to turn DatabaseConnections into a percentage.',
  ),
  key(
    'db-connections-max-pct',
    'pct',
    undefined,
    'Highest acceptable database connections, percent of max_connections.',
  ),
  key(
    'db-reads-on-replicas',
    'boolean',
    'false',
    '`true` declares that the application sends reads to read replicas (its own routing, or an Aurora reader endpoint): only then does a database bottleneck add a replica; otherwise it is advised, saying why.',
  ),
  key('cache-group', 'text', undefined, 'ElastiCache replication group id of the cache tier.'),
  key('cache-hit-min-pct', 'pct', undefined, 'Lowest acceptable cache hit ratio, percent.'),
  key('cdn-distribution', 'text', undefined, 'CloudFront distribution id in front of the service.'),
  key('cdn-hit-min-pct', 'pct', undefined, 'Lowest acceptable CDN hit ratio, percent.'),
];

/** JSON form only: the Auto Scaling group the entry describes (tags sit on the group itself). */
export const JSON_GROUP_KEY = 'autoScalingGroup';

/** Bad configuration, naming where it came from, the key and the offending value. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly key: string,
    readonly value: string,
    problem: string,
  ) {
    super(`${source}: ${key} "${value}" ${problem}`);
    this.name = 'ConfigError';
  }
}

const KIND_RULES: Record<Kind, { test: (raw: string) => boolean; problem: string }> = {
  boolean: { test: (raw) => raw === 'true' || raw === 'false', problem: 'is not true or false' },
  mode: {
    test: (raw) => (MODES as readonly string[]).includes(raw),
    problem: `is not one of ${MODES.join(', ')}`,
  },
  text: { test: (raw) => raw.trim() !== '', problem: 'is empty' },
  count: { test: (raw) => /^\d+$/.test(raw), problem: 'is not a non-negative integer' },
  'positive-count': {
    test: (raw) => /^\d+$/.test(raw) && Number(raw) > 0,
    problem: 'is not a positive integer',
  },
  seconds: { test: (raw) => /^\d+$/.test(raw), problem: 'is not a non-negative whole number of seconds' },
  amount: { test: (raw) => isNumber(raw) && Number(raw) >= 0, problem: 'is not a non-negative number' },
  pct: {
    test: (raw) => isNumber(raw) && Number(raw) >= 0 && Number(raw) <= 100,
    problem: 'is not a percentage in [0, 100]',
  },
  'step-pct': {
    test: (raw) => isNumber(raw) && Number(raw) > 0 && Number(raw) <= 1000,
    problem: 'is not a percentage in (0, 1000]',
  },
};

function isNumber(raw: string): boolean {
  return /^[+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim()) && Number.isFinite(Number(raw));
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** How a key is spelled in one source (tag or JSON), for error messages. */
type Spelling = (name: string) => string;
const tagSpelling: Spelling = (name) => TAG_PREFIX + name;

/** True when the group's tags ask Headroom to manage it. */
export function isManagedGroup(tags: Record<string, string>): boolean {
  return tags[`${TAG_PREFIX}managed`] === 'true';
}

/**
 * Reads a service from the tags of its Auto Scaling group. Tags without the prefix are ignored;
 * an unknown `headroom:*` key is an error (a typo must not silently fall back to a default).
 * `source` names where the tags came from in errors, e.g. `asg "web"`.
 */
export function parseServiceConfig(
  source: string,
  entries: Record<string, string>,
  groupName: string,
): ManagedService {
  const values = new Map<string, string>();
  for (const [tag, value] of Object.entries(entries)) {
    if (!tag.startsWith(TAG_PREFIX)) continue;
    values.set(tag.slice(TAG_PREFIX.length), value);
  }
  return buildService(source, values, groupName, tagSpelling);
}

/**
 * Reads the config-parameter form: a JSON array of objects with the same keys in camelCase and no
 * prefix, plus `autoScalingGroup`, e.g. `[{"autoScalingGroup":"web","mode":"apply","max":20}]`.
 * Values may be JSON numbers, booleans or strings.
 */
export function parseServicesJson(text: string): ManagedService[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      'services config',
      'JSON',
      text.slice(0, 40),
      `is not valid JSON (${(error as Error).message})`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw new ConfigError('services config', 'JSON', text.slice(0, 40), 'is not an array of services');
  }
  const services = parsed.map((entry: unknown, index) => parseServiceEntry(`services[${index}]`, entry));
  const seen = new Set<string>();
  for (const [index, service] of services.entries()) {
    if (seen.has(service.id)) {
      throw new ConfigError(`services[${index}]`, 'serviceId', service.id, 'is used by an earlier service');
    }
    seen.add(service.id);
  }
  return services;
}

function parseServiceEntry(source: string, entry: unknown): ManagedService {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(source, 'entry', JSON.stringify(entry), 'is not an object');
  }
  const byCamel = new Map(SERVICE_CONFIG_KEYS.map((k) => [camel(k.name), k.name]));
  const values = new Map<string, string>();
  let groupName: string | undefined;
  for (const [jsonKey, raw] of Object.entries(entry)) {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new ConfigError(source, jsonKey, JSON.stringify(raw), 'is not a string, number or boolean');
    }
    if (jsonKey === JSON_GROUP_KEY) {
      groupName = String(raw);
      continue;
    }
    const name = byCamel.get(jsonKey);
    if (name === undefined) throw new ConfigError(source, jsonKey, String(raw), 'is not a known key');
    values.set(name, String(raw));
  }
  if (groupName === undefined || groupName.trim() === '') {
    throw new ConfigError(source, JSON_GROUP_KEY, groupName ?? '', 'is missing or empty');
  }
  return buildService(source, values, groupName, camel);
}

function buildService(
  source: string,
  values: ReadonlyMap<string, string>,
  groupName: string,
  spell: Spelling,
): ManagedService {
  const known = new Map(SERVICE_CONFIG_KEYS.map((k) => [k.name, k]));
  for (const [name, raw] of values) {
    const def = known.get(name);
    if (def === undefined) throw new ConfigError(source, spell(name), raw, 'is not a known key');
    const rule = KIND_RULES[def.kind];
    if (!rule.test(raw)) throw new ConfigError(source, spell(name), raw, rule.problem);
  }
  const text = (name: string) => values.get(name)?.trim();
  const num = (name: string, fallback: number) => {
    const raw = values.get(name);
    return raw === undefined ? fallback : Number(raw);
  };
  const optionalNum = (name: string) => {
    const raw = values.get(name);
    return raw === undefined ? undefined : Number(raw);
  };

  const service: ManagedService = {
    id: text('service-id') ?? groupName,
    autoScalingGroupName: groupName,
    mode: (text('mode') as Mode | undefined) ?? MODES[0]!,
    slo: withoutUndefined({
      p99LatencyMs: num('p99-latency-ms', DEFAULT_SLO.p99LatencyMs),
      errorRatePct: num('error-rate-pct', DEFAULT_SLO.errorRatePct),
      cpuTargetPct: num('cpu-target-pct', DEFAULT_SLO.cpuTargetPct),
      dbConnectionsMaxPct: optionalNum('db-connections-max-pct'),
      cacheHitRatioMinPct: optionalNum('cache-hit-min-pct'),
      cdnHitRatioMinPct: optionalNum('cdn-hit-min-pct'),
    }),
    capacity: {
      min: num('min', DEFAULT_CAPACITY.min),
      max: num('max', DEFAULT_CAPACITY.max),
      maxStepPct: num('max-step-pct', DEFAULT_CAPACITY.maxStepPct),
      maxStepInstances: num('max-step-instances', DEFAULT_CAPACITY.maxStepInstances),
    },
    timing: {
      bootSeconds: num('boot-seconds', DEFAULT_TIMING.bootSeconds),
      warmupSeconds: num('warmup-seconds', DEFAULT_TIMING.warmupSeconds),
      cooldownSeconds: num('cooldown-seconds', DEFAULT_TIMING.cooldownSeconds),
      scaleInStabilizationSeconds: num(
        'scale-in-stabilization-seconds',
        DEFAULT_TIMING.scaleInStabilizationSeconds,
      ),
    },
    pricePerInstanceHourUsd: num('price-per-hour-usd', DEFAULT_PRICE_PER_INSTANCE_HOUR_USD),
    slowMinuteCostUsd: num('slow-minute-cost-usd', DEFAULT_SLOW_MINUTE_COST_USD),
    tiers: withoutUndefined({
      loadBalancer: text('load-balancer'),
      targetGroup: text('target-group'),
      dbInstanceId: text('db-instance'),
      dbMaxConnections: optionalNum('db-max-connections'),
      dbReadsOnReplicas: values.has('db-reads-on-replicas')
        ? text('db-reads-on-replicas') === 'true'
        : undefined,
      cacheReplicationGroupId: text('cache-group'),
      cdnDistributionId: text('cdn-distribution'),
    }),
  };
  checkConsistency(source, service, values, spell);
  return service;
}

function checkConsistency(
  source: string,
  service: ManagedService,
  values: ReadonlyMap<string, string>,
  spell: Spelling,
): void {
  const { min, max } = service.capacity;
  if (min > max) {
    throw new ConfigError(source, spell('min'), String(min), `is greater than ${spell('max')} (${max})`);
  }
  if (service.slo.p99LatencyMs <= 0) {
    throw new ConfigError(
      source,
      spell('p99-latency-ms'),
      String(values.get('p99-latency-ms')),
      'is not positive',
    );
  }
  if (service.slo.cpuTargetPct <= 0) {
    throw new ConfigError(
      source,
      spell('cpu-target-pct'),
      String(values.get('cpu-target-pct')),
      'is not positive',
    );
  }
  const tierPairs: [string, string][] = [
    ['db-connections-max-pct', 'db-instance'],
    ['db-max-connections', 'db-instance'],
    ['db-reads-on-replicas', 'db-instance'],
    ['target-group', 'load-balancer'],
    ['cache-hit-min-pct', 'cache-group'],
    ['cdn-hit-min-pct', 'cdn-distribution'],
  ];
  for (const [objective, tier] of tierPairs) {
    if (values.has(objective) && !values.has(tier)) {
      throw new ConfigError(
        source,
        spell(objective),
        values.get(objective)!,
        `is set without ${spell(tier)}`,
      );
    }
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
