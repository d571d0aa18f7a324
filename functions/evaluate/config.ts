/**
 * The evaluate function's configuration, read once from its environment (set by template.yaml).
 * A bad value stops the function at start-up with the variable's name, not at the first decision.
 */
import {
  adaptiveReadSchedule,
  ConfigError,
  DEFAULT_DISCOVERY_PAGES_PER_RUN,
  DEFAULTS,
  MODES,
  parseServicesJson,
  rateMinutes,
  type ManagedService,
  type Mode,
  type ReadSchedule,
} from '@headroom/core';

export interface EvaluateConfig {
  /** Mode of services that set none themselves. */
  defaultMode: Mode;
  /** The deployment's kill switch; the state table's kill-switch item is read as well. */
  killSwitchForced: boolean;
  stateTable: string;
  eventBusName: string;
  servicesFromConfig: ManagedService[];
  dailyActionBudget: number;
  decisionRetentionDays: number;
  windowMinutes: number;
  /** From EVALUATE_SCHEDULE (the template's EvaluateSchedule): read each service only when due. */
  reads?: ReadSchedule;
  /** SHARD_QUEUE_URL: where runs larger than one shard send their shards; unset, all runs inline. */
  shardQueueUrl?: string;
  /** DISCOVERY_MAX_AGE_SECONDS (default 300): how long one discovery of the tagged groups is reused. */
  discoveryMaxAgeMs: number;
  /** DISCOVERY_PAGES_PER_RUN (default 25): most pages of 100 groups a run reads of a discovery pass. */
  discoveryPagesPerRun: number;
  /** SHARD_SIZE: most services in one shard (default MAX_SERVICES_PER_SHARD.evaluate). */
  maxServicesPerShard?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

function wholeNumber(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new Error(`environment variable ${name} "${raw}" is not a whole number >= ${min}`);
  }
  return Number(raw);
}

/** Entries of SERVICES_JSON without a mode get the deployment's default mode. */
export function servicesWithDefaultMode(text: string, mode: Mode): ManagedService[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return parseServicesJson(text); // reports the JSON error itself
  }
  if (!Array.isArray(entries)) return parseServicesJson(text);
  const withMode = entries.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null && !Array.isArray(entry) && !('mode' in entry)
      ? { ...entry, mode }
      : entry,
  );
  return parseServicesJson(JSON.stringify(withMode));
}

export function readEvaluateConfig(env: Env): EvaluateConfig {
  const mode = env.MODE ?? DEFAULTS.mode;
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new ConfigError('environment', 'MODE', mode, `is not one of ${MODES.join(', ')}`);
  }
  const killSwitch = env.KILL_SWITCH ?? DEFAULTS.killSwitch;
  if (killSwitch !== 'on' && killSwitch !== 'off') {
    throw new ConfigError('environment', 'KILL_SWITCH', killSwitch, 'is not on or off');
  }
  return {
    defaultMode: mode as Mode,
    killSwitchForced: killSwitch === 'on',
    stateTable: required(env, 'STATE_TABLE'),
    eventBusName: required(env, 'EVENT_BUS_NAME'),
    servicesFromConfig: servicesWithDefaultMode(env.SERVICES_JSON || '[]', mode as Mode),
    dailyActionBudget: wholeNumber(env, 'DAILY_ACTION_BUDGET', DEFAULTS.dailyActionBudget, 0),
    decisionRetentionDays: wholeNumber(env, 'DECISION_RETENTION_DAYS', DEFAULTS.decisionRetentionDays, 1),
    windowMinutes: wholeNumber(env, 'WINDOW_MINUTES', DEFAULTS.windowMinutes, 1),
    ...readsOf(env),
    ...(env.SHARD_QUEUE_URL ? { shardQueueUrl: env.SHARD_QUEUE_URL } : {}),
    discoveryMaxAgeMs: wholeNumber(env, 'DISCOVERY_MAX_AGE_SECONDS', 300, 0) * 1000,
    discoveryPagesPerRun: wholeNumber(env, 'DISCOVERY_PAGES_PER_RUN', DEFAULT_DISCOVERY_PAGES_PER_RUN, 1),
    ...(env.SHARD_SIZE ? { maxServicesPerShard: wholeNumber(env, 'SHARD_SIZE', 1, 1) } : {}),
  };
}

/**
 * The SQS queue that keeps advisor events the bus would not take. Only the evaluate handler
 * publishes, so it is read apart from readEvaluateConfig, which the remediation functions share.
 */
export function eventsDeadLetterQueueUrl(env: Env): string {
  return required(env, 'ADVISOR_EVENTS_DLQ_URL');
}

/** The remediation workflow, where a decision that needs a person waits for one. */
export function approvalStateMachineArn(env: Env): string {
  return required(env, 'REMEDIATION_STATE_MACHINE_ARN');
}

/** Without EVALUATE_SCHEDULE every service is read on every run, as before the read plan. */
function readsOf(env: Env): { reads?: ReadSchedule } {
  const schedule = env.EVALUATE_SCHEDULE;
  if (schedule === undefined || schedule === '') return {};
  try {
    return { reads: adaptiveReadSchedule(rateMinutes(schedule)) };
  } catch {
    throw new ConfigError(
      'environment',
      'EVALUATE_SCHEDULE',
      schedule,
      'is not rate(N minutes|hours|days), which the metric read plan needs',
    );
  }
}
