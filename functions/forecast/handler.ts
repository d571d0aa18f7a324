/**
 * Flow 2, forecast: EventBridge Scheduler (hourly) → discover → forecast here when the services
 * fit one shard, else send them as shards to the forecast shard queue, whose messages
 * `shardHandler` (the ForecastShard function) runs in parallel: read up to 14 days of load (older
 * days at 5-minute periods) → refit → store the 48-hour forecast and its accuracy in the state
 * table. The use cases are in @headroom/core; this file wires AWS in.
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
  createSqsClient,
  planForecastShards,
  readShardMessage,
  SqsShardQueue,
  AutoScalingFleetReader,
  CloudWatchMetricsReader,
  createAwsClients,
  DEFAULTS,
  DynamoForecastStore,
  MODES,
  refreshForecasts,
  TAG_PREFIX,
  type ForecastRunReport,
  type Mode,
  mapStackTracesWhenPrinted,
} from '@headroom/core';
import { tierOwners } from '@headroom/core/aws/tierOwners.js';
import { servicesWithDefaultMode } from '../evaluate/config.js';
import {
  describeIssues,
  ScheduledEventError,
  ScheduledRunSchema,
  type ScheduledRun,
} from '../evaluate/schema.js';

mapStackTracesWhenPrinted();
const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}
const mode = (process.env.MODE ?? DEFAULTS.mode) as Mode;
if (!MODES.includes(mode))
  throw new Error(`environment variable MODE "${mode}" is not one of ${MODES.join(', ')}`);

const clients = createAwsClients();
for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);
const clock = { now: () => Date.now() };
const deps = {
  clock,
  // A shard of 50 services reads ~635,000 datapoints (3 days at 1 min, 11 more at 5 min): about 7
  // pages of 100,800; 200 leaves room for pages AWS returns less than full, still bounded.
  metrics: new CloudWatchMetricsReader(clients.cloudWatch, {
    cloudFrontClient: clients.cloudFrontMetrics,
    maxPages: 200,
  }),
  fleet: new AutoScalingFleetReader(clients.autoScaling, {
    clock,
    defaultTags: { [`${TAG_PREFIX}mode`]: mode },
    onConfigError: (error) =>
      logger.error('a managed group has bad headroom:* tags; it is left out', { error }),
  }),
  state: new DynamoForecastStore(clients.dynamo, { tableName: required('STATE_TABLE') }),
  owners: tierOwners(clock, accountFromEnvironment(process.env)),
};
const servicesFromConfig = servicesWithDefaultMode(process.env.SERVICES_JSON || '[]', mode);

/**
 * ForecastError is one metric (dimension service=headroom-forecast) with a value per scored
 * service, its MAPE over the last day of scored forecasts: the dashboard's average and maximum
 * then show the typical and the worst service for the price of one custom metric, not one per
 * service. Each service's MAPE and MASE are in the 'forecast done' log line.
 */
function emitMetrics(report: ForecastRunReport): void {
  const count = (status: string) => report.services.filter((s) => s.status === status).length;
  metrics.addMetric('Forecasts', MetricUnit.Count, count('forecast'));
  metrics.addMetric('ReactiveFallbacks', MetricUnit.Count, count('reactive'));
  metrics.addMetric('ServiceFailures', MetricUnit.Count, count('failed'));
  metrics.addMetric('RunErrors', MetricUnit.Count, report.errors.length);
  for (const { mape } of report.services) {
    if (mape !== undefined && Number.isFinite(mape))
      metrics.addMetric('ForecastError', MetricUnit.Percent, mape);
  }
}

type Parsed = { success: true; data: ScheduledRun } | { success: false; error: Error };

const shardQueueUrl = process.env.SHARD_QUEUE_URL;
const shardSize = process.env.SHARD_SIZE ? Number(process.env.SHARD_SIZE) : undefined;
if (shardSize !== undefined && !(Number.isInteger(shardSize) && shardSize >= 1))
  throw new Error(`environment variable SHARD_SIZE "${process.env.SHARD_SIZE}" is not a whole number >= 1`);
const shards = shardQueueUrl
  ? new SqsShardQueue(tracer.captureAWSv3Client(createSqsClient()), { queueUrl: shardQueueUrl })
  : undefined;

export const forecast = async (parsed: Parsed): Promise<ForecastRunReport> => {
  if (!parsed.success) {
    const issues = (parsed.error.cause ?? []) as Parameters<typeof describeIssues>[0];
    throw new ScheduledEventError(`scheduled event is malformed: ${describeIssues(issues)}`);
  }
  logger.appendKeys({ scheduledTime: parsed.data.scheduledTime, executionId: parsed.data.executionId });
  if (shards === undefined) return done(await refreshForecasts(deps, { servicesFromConfig }));
  const planned = await planForecastShards(
    { ...deps, shards },
    { servicesFromConfig, ...(shardSize ? { maxServicesPerShard: shardSize } : {}) },
  );
  if (planned.shardsSent === 0 && planned.errors.every((e) => e.stage !== 'send-shards')) {
    const report = await refreshForecasts(deps, { services: planned.services });
    return done({ ...report, errors: [...planned.errors, ...report.errors] });
  }
  for (const error of planned.errors) logger.error('forecast stage failed', error);
  logger.info('forecast sent to shards', { services: planned.withWork, shards: planned.shardsSent });
  const unsent = planned.errors.find((e) => e.stage === 'send-shards');
  // Shards not queued would be forecasts not refreshed: fail so the alarm and the retry see it.
  if (unsent) throw new Error(`forecast shards not queued: ${unsent.message}`);
  return { at: planned.at, services: [], errors: planned.errors };
};

/** One shard from the queue (batch size 1): its services forecast as an hourly run would. */
export const forecastShard = async (event: SQSEvent): Promise<ForecastRunReport> => {
  if (event.Records.length !== 1) {
    throw new Error(`the shard queue's batch size must be 1, got ${event.Records.length} records`);
  }
  const shard = readShardMessage(event.Records[0]!.body);
  logger.appendKeys({ shard: `${shard.index + 1}/${shard.of}`, runAt: new Date(shard.runAt).toISOString() });
  const report = done(await refreshForecasts(deps, { services: shard.services }));
  // A read that failed for the whole shard is retried with the message (then dead-lettered).
  const read = report.errors.find((e) => e.stage === 'read metrics');
  if (read) throw new Error(`forecast shard ${shard.index + 1}/${shard.of} not read: ${read.message}`);
  return report;
};

function done(report: ForecastRunReport): ForecastRunReport {
  emitMetrics(report);
  for (const error of report.errors) logger.error('forecast stage failed', error);
  logger.info('forecast done', { services: report.services });
  return report;
}

export const handler = middy(forecast)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parser({ schema: ScheduledRunSchema, safeParse: true }));

export const shardHandler = middy(forecastShard)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
