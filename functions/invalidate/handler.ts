/** Flow 5, CloudFront: deploy and object-created events, coalesced over the queue's batching window, invalidated. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import middy from '@middy/core';
import {
  CloudFrontInvalidations,
  configuredDistributions,
  MODES,
  createCloudFrontClient,
  createDynamoClient,
  createSqsClient,
  DynamoKillSwitch,
  DynamoPathLedger,
  SqsDeferredInvalidations,
  type InvalidateResult,
  type Mode,
  mapStackTracesWhenPrinted,
} from '@headroom/core';
import { servicesWithDefaultMode } from '../evaluate/config.js';
import { makeInvalidator } from './invalidator.js';

mapStackTracesWhenPrinted();
const logger = new Logger({ serviceName: 'headroom-invalidate' });
const metrics = new Metrics();
const tracer = new Tracer();

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

const bucket = process.env.CDN_ORIGIN_BUCKET ?? '';
const distributionId = process.env.CDN_DISTRIBUTION_ID ?? '';
const dynamo = createDynamoClient();
const mode = (process.env.MODE ?? MODES[0]) as Mode;
// Deploy events reach only these: CdnDistributionId and the distributions ServicesJson declares.
const distributions = configuredDistributions(
  servicesWithDefaultMode(process.env.SERVICES_JSON || '[]', mode),
  distributionId,
);

function record(result: InvalidateResult): void {
  metrics.addMetric(
    'InvalidationPaths',
    MetricUnit.Count,
    result.created.reduce((n, c) => n + c.paths.length, 0),
  );
  metrics.addMetric(
    'InvalidationCostUsd',
    MetricUnit.NoUnit,
    result.created.reduce((n, c) => n + c.cost.costUsd, 0),
  );
  metrics.addMetric('InvalidationsDeferred', MetricUnit.Count, result.deferred.length);
}

export const handler = middy(
  makeInvalidator({
    ports: {
      cdn: new CloudFrontInvalidations(tracer.captureAWSv3Client(createCloudFrontClient())),
      ledger: new DynamoPathLedger(tracer.captureAWSv3Client(dynamo), required('IDEMPOTENCY_TABLE')),
      deferrals: new SqsDeferredInvalidations(
        tracer.captureAWSv3Client(createSqsClient()),
        required('INVALIDATION_QUEUE_URL'),
      ),
      killSwitch: new DynamoKillSwitch(tracer.captureAWSv3Client(dynamo), {
        tableName: required('STATE_TABLE'),
        killSwitchForced: process.env.KILL_SWITCH === 'on',
      }),
    },
    origin: bucket !== '' && distributionId !== '' ? { bucket, distributionId } : undefined,
    now: () => Date.now(),
    logger,
    distributions,
    onResult: record,
    onRefused: (reason) => {
      const metric = metrics.singleMetric();
      metric.addDimension('reason', reason);
      metric.addMetric('RefusedEvents', MetricUnit.Count, 1);
    },
  }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
