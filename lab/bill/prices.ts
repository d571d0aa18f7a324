/**
 * Public on-demand prices, us-east-1, USD, as read from the AWS pricing pages on 2026-11-24.
 * Each figure names its page; when AWS changes a price, change it here and the bill tests say
 * by how much every line moves.
 */
export interface AdvisorPrices {
  /** https://aws.amazon.com/lambda/pricing/ — requests, all architectures. */
  lambdaPerMillionRequests: number;
  /** https://aws.amazon.com/lambda/pricing/ — Arm (Graviton2), first 7.5 billion GB-s a month. */
  lambdaArmPerGbSecond: number;
  /** https://aws.amazon.com/cloudwatch/pricing/ — GetMetricData, per 1,000 metrics requested. */
  getMetricDataPerThousandMetrics: number;
  /** https://aws.amazon.com/cloudwatch/pricing/ — custom metrics (EMF), first 10,000, per metric-month. */
  customMetricPerMonth: number;
  /** https://aws.amazon.com/cloudwatch/pricing/ — standard-resolution alarm, per alarm metric-month. */
  alarmPerMonth: number;
  /** https://aws.amazon.com/cloudwatch/pricing/ — Logs, Standard class ingestion per GB. */
  logsIngestionPerGb: number;
  /** https://aws.amazon.com/step-functions/pricing/ — Standard workflows, per 1,000 state transitions. */
  stepFunctionsPerThousandTransitions: number;
  /** https://aws.amazon.com/sqs/pricing/ — FIFO queue, per million requests (64 KB chunks). */
  sqsFifoPerMillionRequests: number;
  /** https://aws.amazon.com/sqs/pricing/ — standard queue, per million requests. */
  sqsStandardPerMillionRequests: number;
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ — per million write request units (since 2024-11-01). */
  dynamoPerMillionWriteUnits: number;
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ — per million read request units (since 2024-11-01). */
  dynamoPerMillionReadUnits: number;
  /** https://aws.amazon.com/eventbridge/pricing/ — Scheduler, per million invocations past the free tier. */
  schedulerPerMillionInvocations: number;
  /** https://aws.amazon.com/eventbridge/pricing/ — custom events published to a bus, per million. */
  eventBridgePerMillionEvents: number;
}

export const US_EAST_1_PRICES: AdvisorPrices = {
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  getMetricDataPerThousandMetrics: 0.01,
  customMetricPerMonth: 0.3,
  alarmPerMonth: 0.1,
  logsIngestionPerGb: 0.5,
  stepFunctionsPerThousandTransitions: 0.025,
  sqsFifoPerMillionRequests: 0.5,
  sqsStandardPerMillionRequests: 0.4,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  schedulerPerMillionInvocations: 1.0,
  eventBridgePerMillionEvents: 1.0,
};

/**
 * Always-free allowances of the same pages, per account and month. They are shared with everything
 * else in the account, so the bill leaves them out unless asked (`freeTier: true`).
 */
export const MONTHLY_FREE_TIER = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  customMetrics: 10,
  alarms: 10,
  logsGb: 5,
  stepFunctionsTransitions: 4_000,
  sqsRequests: 1_000_000,
  schedulerInvocations: 14_000_000,
} as const;

/** AWS bills a month as 730 hours. */
export const MINUTES_PER_MONTH = 730 * 60;
