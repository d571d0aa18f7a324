/**
 * One size of the scale benchmark: N services in a simulated account, the real evaluate and
 * forecast handlers (planner and shard functions) on simulated time. One forecast hour, then
 * `ticks` evaluate ticks of rate(1 minute), the first ones a first run (every service unread).
 * Then the busiest invocation of each function is run again alone to measure its heap.
 */
import { performance } from 'node:perf_hooks';
import { Engine, type FunctionSpec, type Handler, type InvocationRecord } from './engine.js';
import { SimulatedAws } from './simulatedAws.js';
import { DEFAULT_QUOTAS } from './quotas.js';

export const QUEUES = {
  evaluate: 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-EvaluateShardQueue',
  forecast: 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-ForecastShardQueue',
  eventsDlq: 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-AdvisorEventsDeadLetterQueue',
};

/** MemorySize and Timeout as template.yaml gives them. */
export const FUNCTIONS = {
  evaluate: { name: 'EvaluateFunction', memoryMb: 512, timeoutMs: 60_000 },
  evaluateShard: { name: 'EvaluateShardFunction', memoryMb: 512, timeoutMs: 60_000 },
  forecast: { name: 'ForecastFunction', memoryMb: 512, timeoutMs: 300_000 },
  forecastShard: { name: 'ForecastShardFunction', memoryMb: 512, timeoutMs: 600_000 },
} as const;

/** ScalingConfig.MaximumConcurrency of the forecast shards' event source (template.yaml). */
export const FORECAST_SHARD_CONCURRENCY = 2;
export const EVALUATE_SHARD_RETRIES = { visibilityTimeoutMs: 70_000, maxReceives: 2 };
export const FORECAST_SHARD_RETRIES = { visibilityTimeoutMs: 660_000, maxReceives: 3 };

const MINUTE = 60_000;
/** A Monday 00:00 UTC: the run starts on the hour, as the forecast schedule does. */
export const START = Date.UTC(2026, 0, 5, 0, 0, 0);

export interface Handlers {
  evaluate: Handler;
  evaluateShard: Handler;
  forecast: Handler;
  forecastShard: Handler;
}

export interface ScaleRunOptions {
  services: number;
  ticks: number;
  /** Services whose events (and their dead-letter queue) fail: their shard fails (tests). */
  failingEventsOf?: ReadonlySet<string>;
  /** Skip the forecast hour (tests of evaluate alone). */
  skipForecast?: boolean;
  /** Seed every service as read and calm before the first tick: the steady state (tests). */
  steadyState?: boolean;
  /** Measure the busiest invocations' heap (needs node --expose-gc). */
  measureMemory?: boolean;
  /** Simulated start, epoch ms on the hour (default START). */
  start?: number;
  /**
   * Simulated milliseconds each step of the simulation takes, in place of the real time the
   * handlers compute (the benchmark's default): tests set it, so that what they check never
   * depends on how busy the machine is.
   */
  fixedStepMs?: number;
}

export interface TickResult {
  tick: number;
  seconds: number;
  invocations: number;
  errors: number;
}

export interface ScaleRunResult {
  aws: SimulatedAws;
  engine: Engine;
  forecastRunSeconds: number;
  forecastInvocations: InvocationRecord[];
  ticks: TickResult[];
  evaluateInvocations: InvocationRecord[];
  memory: { fn: string; memorySizeMb: number; peakMemoryMb: number; services: number }[];
  realSeconds: number;
}

/** Env of the handlers as template.yaml sets it, with logs and metrics quiet. */
export function handlerEnvironment(
  flow: 'evaluate' | 'forecast',
  shardSize?: number,
): Record<string, string> {
  return {
    ...(shardSize === undefined ? {} : { SHARD_SIZE: String(shardSize) }),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'simulated',
    AWS_SECRET_ACCESS_KEY: 'simulated',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'Headroom',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_SERVICE_NAME: `headroom-${flow}`,
    MODE: 'advise',
    KILL_SWITCH: 'off',
    // The template's pseudo parameters (scripts/lambdaLayout.ts samples them the same way).
    ACCOUNT_ID: '123456789012',
    PARTITION: 'aws',
    REMEDIATION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:headroom-remediate',
    STATE_TABLE: 'headroom-StateTable',
    EVENT_BUS_NAME: 'headroom-advisor',
    ADVISOR_EVENTS_DLQ_URL: QUEUES.eventsDlq,
    SERVICES_JSON: '[]',
    EVALUATE_SCHEDULE: 'rate(1 minute)',
    SHARD_QUEUE_URL: flow === 'evaluate' ? QUEUES.evaluate : QUEUES.forecast,
  };
}

export function scheduledEvent(at: number, schedule: string) {
  return {
    scheduledTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    scheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/default/headroom-${schedule}`,
    executionId: `exec-${at}`,
    attemptNumber: '1',
  };
}

function spec(fn: (typeof FUNCTIONS)[keyof typeof FUNCTIONS], handler: Handler): FunctionSpec {
  return { ...fn, handler };
}

function runAtOf(record: InvocationRecord): number | undefined {
  if (record.body === undefined) return undefined;
  return (JSON.parse(record.body) as { runAt: number }).runAt;
}

export async function runScale(
  handlers: Handlers,
  options: ScaleRunOptions,
  aws = new SimulatedAws(options.services),
): Promise<ScaleRunResult> {
  const realStart = performance.now();
  const engine = new Engine(
    aws,
    options.fixedStepMs === undefined ? {} : { fixedStepMs: options.fixedStepMs },
  );
  if (options.failingEventsOf) aws.faults.eventsOfServices = options.failingEventsOf;
  const fns = {
    evaluate: spec(FUNCTIONS.evaluate, handlers.evaluate),
    evaluateShard: spec(FUNCTIONS.evaluateShard, handlers.evaluateShard),
    forecast: spec(FUNCTIONS.forecast, handlers.forecast),
    forecastShard: spec(FUNCTIONS.forecastShard, handlers.forecastShard),
  };
  engine.addQueue({ url: QUEUES.evaluate, fn: fns.evaluateShard, ...EVALUATE_SHARD_RETRIES });
  engine.addQueue({
    url: QUEUES.forecast,
    fn: fns.forecastShard,
    maxConcurrency: FORECAST_SHARD_CONCURRENCY,
    ...FORECAST_SHARD_RETRIES,
  });
  const begin = options.start ?? START;
  engine.install(begin);
  try {
    if (options.steadyState) seedCalmStates(aws, begin);
    let forecastRunSeconds = 0;
    let forecastInvocations: InvocationRecord[] = [];
    if (!options.skipForecast) {
      engine.invokeAt(fns.forecast, scheduledEvent(begin, 'forecast'), begin);
      await engine.runUntilIdle();
      forecastInvocations = [...engine.invocations];
      forecastRunSeconds = (Math.max(...forecastInvocations.map((r) => r.end)) - begin) / 1000;
    }
    // Evaluate ticks start on the minute after the forecast hour's work is done.
    const first = Math.ceil((Date.now() + 1) / MINUTE) * MINUTE;
    const ticks = Array.from({ length: options.ticks }, (_, i) => first + i * MINUTE);
    for (const tick of ticks) engine.invokeAt(fns.evaluate, scheduledEvent(tick, 'evaluate'), tick);
    await engine.runUntilIdle();
    const evaluateInvocations = engine.invocations.filter((r) => r.start >= first);
    const tickResults = ticks.map((tick) => {
      // A shard's runAt is the planner's clock when it planned: within the tick's minute.
      const inTick = (at: number | undefined) => at !== undefined && at >= tick && at < tick + MINUTE;
      const mine = evaluateInvocations.filter((r) =>
        inTick(r.fn === FUNCTIONS.evaluate.name ? r.start : runAtOf(r)),
      );
      return {
        tick,
        seconds: (Math.max(tick, ...mine.map((r) => r.end)) - tick) / 1000,
        invocations: mine.length,
        errors: mine.filter((r) => r.error !== undefined).length,
      };
    });
    const memory = options.measureMemory
      ? await busiestMemory(engine, fns, evaluateInvocations, forecastInvocations)
      : [];
    return {
      aws,
      engine,
      forecastRunSeconds,
      forecastInvocations,
      ticks: tickResults,
      evaluateInvocations,
      memory,
      realSeconds: (performance.now() - realStart) / 1000,
    };
  } finally {
    engine.uninstall();
  }
}

/** Every service read a minute ago and calm (version 1): the steady state of a running advisor. */
function seedCalmStates(aws: SimulatedAws, at: number): void {
  for (const name of aws.groups.keys()) {
    aws.table.set(`service#${name}|state`, {
      pk: { S: `service#${name}` },
      sk: { S: 'state' },
      serviceId: { S: name },
      version: { N: '1' },
      lastReadAt: { N: String(at - MINUTE) },
      hot: { BOOL: false },
    });
  }
}

/**
 * The heap of the busiest invocation of each function, run again alone after a full GC: the
 * process's resident memory once the handlers are loaded (measured before the account was built)
 * plus the heap the invocation grew to at its peak, sampled at every step of the simulation.
 */
async function busiestMemory(
  engine: Engine,
  fns: Record<'evaluate' | 'evaluateShard' | 'forecast' | 'forecastShard', FunctionSpec>,
  evaluateInvocations: readonly InvocationRecord[],
  forecastInvocations: readonly InvocationRecord[],
) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('measuring memory needs node --expose-gc');
  const out: { fn: string; memorySizeMb: number; peakMemoryMb: number; services: number }[] = [];
  const largest = (records: readonly InvocationRecord[], fn: string) =>
    records
      .filter((r) => r.fn === fn && r.body !== undefined)
      .sort((a, b) => (b.body?.length ?? 0) - (a.body?.length ?? 0))[0];
  const runs: { fn: FunctionSpec; start: () => void; services: number; mute?: boolean }[] = [];
  for (const [fn, url, records] of [
    [fns.evaluateShard, QUEUES.evaluate, evaluateInvocations],
    [fns.forecastShard, QUEUES.forecast, forecastInvocations],
  ] as const) {
    const record = largest(records, fn.name);
    if (record?.body === undefined) continue;
    const body = record.body;
    const services = (JSON.parse(body) as { services: unknown[] }).services.length;
    runs.push({ fn, services, start: () => engine.invokeWithMessage(fn, url, body) });
  }
  // The scheduled functions: a tick's planner (which discovers) and an hour's planner.
  // The tick's planner, with its discovery expired (it holds the whole estate's list while it plans).
  const tick = Math.ceil((Date.now() + 10 * MINUTE) / MINUTE) * MINUTE;
  runs.push({
    fn: fns.evaluate,
    services: 0,
    mute: true,
    start: () => engine.invokeAt(fns.evaluate, scheduledEvent(tick, 'evaluate'), tick),
  });
  for (const run of runs) {
    engine.muted = run.mute === true;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    run.start();
    await engine.runUntilIdle(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    });
    out.push({
      fn: run.fn.name,
      memorySizeMb: run.fn.memoryMb,
      peakMemoryMb: baselineRssMb + (peak - before) / 2 ** 20,
      services: run.services,
    });
  }
  engine.muted = false;
  return out;
}

let baselineRssMb = 0;
/** The process's resident memory with the handlers loaded: what every invocation starts from. */
export function recordBaseline(): void {
  baselineRssMb = process.memoryUsage().rss / 2 ** 20;
}

export function quotaPeak(aws: SimulatedAws) {
  return aws.meter.peak();
}

export { DEFAULT_QUOTAS };
