/**
 * Flow 2, forecast: EventBridge Scheduler (hourly) → discover → read up to 14 days of load per
 * service in batched GetMetricData calls → refit → store the 48-hour forecast and its accuracy
 * in the state table. The use case is refreshForecasts in @headroom/core; this file wires AWS in.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import {
  accountFromEnvironment,
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
  // 14 days of one-minute points for a full batch of 500 queries is 10.08 M datapoints, 100 pages of
  // 100,800 at best: room for pages AWS returns less than full, still bounded within the timeout.
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

export const forecast = async (parsed: Parsed): Promise<ForecastRunReport> => {
  if (!parsed.success) {
    const issues = (parsed.error.cause ?? []) as Parameters<typeof describeIssues>[0];
    throw new ScheduledEventError(`scheduled event is malformed: ${describeIssues(issues)}`);
  }
  logger.appendKeys({ scheduledTime: parsed.data.scheduledTime, executionId: parsed.data.executionId });
  const report = await refreshForecasts(deps, { servicesFromConfig });
  emitMetrics(report);
  for (const error of report.errors) logger.error('forecast stage failed', error);
  logger.info('forecast done', { services: report.services });
  return report;
};

export const handler = middy(forecast)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parser({ schema: ScheduledRunSchema, safeParse: true }));
