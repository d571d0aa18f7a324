/** The change worker's AWS wiring, read from the environment template.yaml sets. */
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import {
  clientConfig,
  createAwsClients,
  ElastiCacheReplicaControl,
  EventBridgePublisher,
  RdsReplicaControl,
  SqsFollowUpQueue,
} from '@headroom/core';
import type { WorkerDeps } from './worker.js';

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function makeWorkerDeps(env: Env, logger: Logger): WorkerDeps {
  const tracer = new Tracer();
  const config = clientConfig();
  const { eventBridge } = createAwsClients();
  const rds = tracer.captureAWSv3Client(new RDSClient(config));
  const elastiCache = tracer.captureAWSv3Client(new ElastiCacheClient(config));
  const sqs = tracer.captureAWSv3Client(new SQSClient(config));
  return {
    ports: {
      db: new RdsReplicaControl(rds),
      cache: new ElastiCacheReplicaControl(elastiCache),
      followUps: new SqsFollowUpQueue(sqs, required(env, 'FOLLOW_UP_QUEUE_URL')),
      events: new EventBridgePublisher(tracer.captureAWSv3Client(eventBridge), {
        eventBusName: required(env, 'EVENT_BUS_NAME'),
      }),
    },
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: required(env, 'IDEMPOTENCY_TABLE') }),
    now: () => Date.now(),
    logger,
  };
}
