/**
 * Flow 1, evaluate: EventBridge Scheduler → discover (cached) → the services on a read slot →
 * evaluated here when they fit one shard, else sent as shards to the shard queue, whose messages
 * `shardHandler` (the EvaluateShard function) evaluates in parallel: read KPIs → decide → apply
 * or recommend → publish. The use cases live in @headroom/core; this file only wires AWS into them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import {
  accountFromEnvironment,
  cachedDiscovery,
  evaluateFleet,
  readShardMessage,
  SqsShardQueue,
  AutoScalingFleetControl,
  CloudWatchMetricsReader,
  clientConfig,
  createAwsClients,
  createSqsClient,
  DynamoStateStore,
  EventBridgePublisher,
  evaluateServices,
  forecastFloors,
  SqsEventDeadLetters,
  type FanOutReport,
  StepFunctionsApprovalWorkflow,
  TAG_PREFIX,
  withDeadLetters,
  type DeadLetteredEvent,
  type EvaluationReport,
  mapStackTracesWhenPrinted,
} from '@headroom/core';
import { tierOwners } from '@headroom/core/aws/tierOwners.js';
import { SFNClient } from '@aws-sdk/client-sfn';
import { approvalStateMachineArn, eventsDeadLetterQueueUrl, readEvaluateConfig } from './config.js';
import { describeIssues, ScheduledEventError, ScheduledRunSchema, type ScheduledRun } from './schema.js';

mapStackTracesWhenPrinted();
const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();
const config = readEvaluateConfig(process.env);

// Built once per container: connections and the adaptive retry limiter outlive one invocation.
const clients = createAwsClients();
for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);
const sqs = tracer.captureAWSv3Client(createSqsClient());
const sfn = tracer.captureAWSv3Client(new SFNClient(clientConfig()));

const clock = { now: () => Date.now() };
const state = new DynamoStateStore(clients.dynamo, {
  tableName: config.stateTable,
  decisionRetentionDays: config.decisionRetentionDays,
  killSwitchForced: config.killSwitchForced,
});
// The hourly forecast function's stored forecast sets a floor ahead of the lead time.
const {
  fleet,
  metrics: kpiReader,
  forecasts,
} = forecastFloors(
  // Tags are read again every few minutes, a few pages a tick (shards/discoveryCache.ts).
  cachedDiscovery(
    new AutoScalingFleetControl(clients.autoScaling, {
      clock,
      defaultTags: { [`${TAG_PREFIX}mode`]: config.defaultMode },
      onConfigError: (error) => {
        logger.error('a managed group has bad headroom:* tags; it is left out', { error });
        metrics.addMetric('GroupConfigErrors', MetricUnit.Count, 1);
      },
    }),
    clock,
    {
      maxAgeMs: config.discoveryMaxAgeMs,
      pagesPerRun: config.discoveryPagesPerRun,
      onPageError: (error) =>
        logger.warn('discovery page failed; the groups already found are used', { error }),
    },
  ),
  new CloudWatchMetricsReader(clients.cloudWatch, { cloudFrontClient: clients.cloudFrontMetrics }),
  state,
  clock,
  config.servicesFromConfig,
);
const deps = {
  clock,
  metrics: kpiReader,
  fleet,
  state,
  forecasts,
  owners: tierOwners(clock, accountFromEnvironment(process.env)),
  // A decision that needs a person waits in the remediation workflow, which asks in Slack.
  approvals: new StepFunctionsApprovalWorkflow(sfn, {
    stateMachineArn: approvalStateMachineArn(process.env),
  }),
  // Events the bus will not take are kept on the advisor-events DLQ; if that fails too, the run throws.
  events: withDeadLetters(
    new EventBridgePublisher(clients.eventBridge, { eventBusName: config.eventBusName }),
    new SqsEventDeadLetters(sqs, { queueUrl: eventsDeadLetterQueueUrl(process.env) }),
    onDeadLettered,
  ),
  // Without a shard queue (a small deployment, a test) every run is evaluated in this invocation.
  ...(config.shardQueueUrl ? { shards: new SqsShardQueue(sqs, { queueUrl: config.shardQueueUrl }) } : {}),
};

/** Logged, not counted: the queue's depth alarm already pages, and a custom metric would be billed. */
function onDeadLettered(letters: readonly DeadLetteredEvent[]): void {
  logger.error('advisor events not published; kept on the dead-letter queue', {
    events: letters.map((l) => ({
      type: l.event.type,
      serviceId: l.event.serviceId,
      errorCode: l.errorCode,
    })),
  });
}

/** Thrown when a run's events could be neither published nor dead-lettered, so Lambda retries it. */
export class EventsNotKeptError extends Error {
  constructor(message: string) {
    super(`advisor events lost: ${message}`);
    this.name = 'EventsNotKeptError';
  }
}

/**
 * Decisions, ActionsApplied and Recommendations go out every run (zeros too) so the dashboard's
 * lines are continuous. The rest are published only when non-zero: a custom metric is billed for
 * the hours it receives data, and these are zero in almost every hour (docs/operations.md, cost).
 */
function emitMetrics(report: EvaluationReport): void {
  const records = report.services.flatMap((s) => (s.record ? [s.record] : []));
  const count = (outcome: string) => records.filter((r) => r.outcome === outcome).length;
  const whenNonZero = (name: string, value: number) => {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  };
  metrics.addMetric('Decisions', MetricUnit.Count, records.length);
  metrics.addMetric('ActionsApplied', MetricUnit.Count, count('applied'));
  metrics.addMetric('Recommendations', MetricUnit.Count, count('recommended'));
  whenNonZero('ActionsBlocked', count('blocked'));
  whenNonZero('ApprovalsRequested', count('approval-required'));
  whenNonZero('ServiceFailures', report.services.filter((s) => s.status === 'failed').length);
  whenNonZero('RunErrors', report.errors.length);
  whenNonZero('KillSwitchOn', report.killSwitch ? 1 : 0);
}

type Parsed = { success: true; data: ScheduledRun } | { success: false; error: Error };

/** What a scheduled run did: its own evaluations when it kept them, and the shards it sent. */
export type EvaluateRunReport = Omit<EvaluationReport, 'killSwitch'> & {
  /** Unknown (undefined) when every service went to a shard. */
  killSwitch?: boolean;
  shardsSent: number;
};

export const evaluate = async (parsed: Parsed): Promise<EvaluateRunReport> => {
  if (!parsed.success) {
    const issues = (parsed.error.cause ?? []) as Parameters<typeof describeIssues>[0];
    throw new ScheduledEventError(`scheduled event is malformed: ${describeIssues(issues)}`);
  }
  const run = parsed.data;
  logger.appendKeys({
    scheduledTime: run.scheduledTime,
    executionId: run.executionId,
    attempt: run.attemptNumber,
  });
  const fanOut = await evaluateFleet(deps, options());
  if (fanOut.inline) return done(fanOut.inline, fanOut);
  for (const error of fanOut.errors) logger.error('evaluation stage failed', error);
  logger.info('evaluation sent to shards', {
    discovered: fanOut.discovered,
    withWork: fanOut.withWork,
    shards: fanOut.shardsSent,
  });
  // Shards not queued would be work lost: the schedule retries the run.
  const unsent = fanOut.errors.find((e) => e.stage === 'send-shards');
  if (unsent) throw new ShardsNotQueuedError(unsent.message);
  return { at: fanOut.at, services: [], errors: fanOut.errors, notes: [], shardsSent: fanOut.shardsSent };
};

/** One shard from the queue (batch size 1): its services evaluated as a scheduled run would. */
export const evaluateShard = async (event: SQSEvent): Promise<EvaluateRunReport> => {
  if (event.Records.length !== 1) {
    throw new Error(`the shard queue's batch size must be 1, got ${event.Records.length} records`);
  }
  const shard = readShardMessage(event.Records[0]!.body);
  logger.appendKeys({ shard: `${shard.index + 1}/${shard.of}`, runAt: new Date(shard.runAt).toISOString() });
  return done(await evaluateServices(deps, { ...options(), services: shard.services }));
};

function options() {
  return {
    windowMinutes: config.windowMinutes,
    dailyActionBudget: config.dailyActionBudget,
    servicesFromConfig: config.servicesFromConfig,
    ...(config.reads ? { reads: config.reads } : {}),
    ...(config.maxServicesPerShard ? { maxServicesPerShard: config.maxServicesPerShard } : {}),
  };
}

function done(report: EvaluationReport, fanOut?: FanOutReport): EvaluateRunReport {
  emitMetrics(report);
  for (const error of report.errors) logger.error('evaluation stage failed', error);
  for (const note of report.notes) logger.info(note);
  logger.info('evaluation done', {
    services: report.services.length,
    ...(fanOut ? { discovered: fanOut.discovered } : {}),
    killSwitch: report.killSwitch,
    outcomes: report.services.map((s) => ({
      serviceId: s.serviceId,
      status: s.status,
      outcome: s.record?.outcome,
    })),
  });
  // Publish errors reach here only when the dead-letter queue failed as well (withDeadLetters).
  const lost = report.errors.find((e) => e.stage === 'publish');
  if (lost) throw new EventsNotKeptError(lost.message);
  return { ...report, shardsSent: 0 };
}

/** Thrown when shards could not be queued, so the scheduler retries the run. */
export class ShardsNotQueuedError extends Error {
  constructor(message: string) {
    super(`evaluation shards not queued: ${message}`);
    this.name = 'ShardsNotQueuedError';
  }
}

export const handler = middy(evaluate)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parser({ schema: ScheduledRunSchema, safeParse: true }));

export const shardHandler = middy(evaluateShard)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
