/**
 * The one place where SDK clients are configured. Lambda handlers build these at module level so
 * connections and the adaptive rate limiter are reused across invocations.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/**
 * Adaptive mode adds a client-side token bucket that slows down after throttling, which matters
 * when one run reads and writes for a hundred groups; 5 attempts ride out a short burst of
 * Throttling / 5xx without holding a one-minute schedule hostage.
 */
export const SDK_RETRY = { maxAttempts: 5, retryMode: 'adaptive' } as const;

/**
 * Without these a silent connection waits for the SDK's 5-minute socket default, past the Lambda's
 * own timeout; bounded, a hung call ends in a TimeoutError, which the retry above treats as transient.
 */
export const SDK_TIMEOUTS = { connectionTimeout: 3_000, socketTimeout: 5_000 } as const;

/** The most datapoints one GetMetricData page returns. */
export const MAX_DATAPOINTS_PER_PAGE = 100_800;

/**
 * Socket silence to allow GetMetricData before calling the connection dead. CloudWatch assembles a
 * page before its first byte; a full one is 100,800 datapoints from up to 500 metrics (about 3 MB of
 * JSON), and AWS states no latency for it. The 5 s every other call gets is the base; each datapoint
 * adds an allowance of 0.15 ms of assembly (15 s for a full page), so a full page gets 20 s and the
 * evaluate flow's small pages (a few thousand datapoints) little more than the base.
 */
export function socketTimeoutForPage(datapoints: number): number {
  return SDK_TIMEOUTS.socketTimeout + Math.ceil(datapoints * 0.15);
}

/** CloudFront publishes its metrics in us-east-1 only, whatever the distribution's audience. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';

export interface ClientOptions {
  region?: string;
  /** Socket inactivity allowed before a call times out; SDK_TIMEOUTS.socketTimeout unless said. */
  socketTimeoutMs?: number;
}

export function clientConfig(options: ClientOptions = {}) {
  return {
    ...SDK_RETRY,
    requestHandler: { ...SDK_TIMEOUTS, socketTimeout: options.socketTimeoutMs ?? SDK_TIMEOUTS.socketTimeout },
    ...(options.region === undefined ? {} : { region: options.region }),
  };
}

/** CloudWatch for GetMetricData, with a socket timeout sized to the largest page. */
export const cloudWatchConfig = (options: Pick<ClientOptions, 'region'> = {}) =>
  clientConfig({ ...options, socketTimeoutMs: socketTimeoutForPage(MAX_DATAPOINTS_PER_PAGE) });

export interface AwsClients {
  cloudWatch: CloudWatchClient;
  /** CloudWatch in us-east-1, for CloudFront's metrics. */
  cloudFrontMetrics: CloudWatchClient;
  autoScaling: AutoScalingClient;
  dynamo: DynamoDBClient;
  eventBridge: EventBridgeClient;
}

/**
 * One client each, for a function that calls only some of these services: a client never built is
 * never bundled, so it costs neither bytes nor cold-start time (docs/operations.md, "Cold starts").
 */
export const createAutoScalingClient = (options: ClientOptions = {}) =>
  new AutoScalingClient(clientConfig(options));
export const createDynamoClient = (options: ClientOptions = {}) => new DynamoDBClient(clientConfig(options));
export const createEventBridgeClient = (options: ClientOptions = {}) =>
  new EventBridgeClient(clientConfig(options));

/** Every client of the flows that read metrics (evaluate, forecast, the remediation steps). */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  return {
    cloudWatch: new CloudWatchClient(cloudWatchConfig(options)),
    cloudFrontMetrics: new CloudWatchClient(cloudWatchConfig({ region: CLOUDFRONT_METRICS_REGION })),
    autoScaling: createAutoScalingClient(options),
    dynamo: createDynamoClient(options),
    eventBridge: createEventBridgeClient(options),
  };
}
