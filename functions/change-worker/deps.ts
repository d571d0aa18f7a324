/** The change worker's AWS wiring, read from the environment template.yaml sets. */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import {
  AutoScalingFleetReader,
  createAutoScalingClient,
  createDynamoClient,
  createElastiCacheClient,
  createEventBridgeClient,
  createRdsClient,
  createSqsClient,
  DynamoChangeTargets,
  DynamoStateStore,
  ElastiCacheReplicaControl,
  ElastiCacheReplicaReader,
  EventBridgePublisher,
  managedServices,
  RdsAuroraReaders,
  RdsReplicaControl,
  RdsReplicaReader,
  SqsChangeDeadLetters,
  SqsFollowUpQueue,
  keptOwners,
  MODES,
  TAG_PREFIX,
  type FleetControl,
  type FollowPorts,
  type Mode,
} from '@headroom/core';
import { cacheOwner, databaseOwner } from '@headroom/core/aws/ownerReaders.js';
import { readEvaluateConfig, servicesWithDefaultMode } from '../evaluate/config.js';
import type { WorkerDeps } from './worker.js';

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

const tracer = new Tracer();

function eventsOn(env: Env) {
  return new EventBridgePublisher(tracer.captureAWSv3Client(createEventBridgeClient()), {
    eventBusName: required(env, 'EVENT_BUS_NAME'),
  });
}

/** One SQS client for the follow-up queue and, in the worker, the dead-letter queue. */
const sqsClient = () => tracer.captureAWSv3Client(createSqsClient());

function shared(env: Env, logger: Logger, sqs: ReturnType<typeof sqsClient>) {
  return {
    followUps: new SqsFollowUpQueue(sqs, required(env, 'FOLLOW_UP_QUEUE_URL')),
    events: eventsOn(env),
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: required(env, 'IDEMPOTENCY_TABLE') }),
    now: () => Date.now(),
    logger,
  };
}

/**
 * The services and their modes as the evaluate flow and the workflow see them (SERVICES_JSON over
 * tags). A failed discovery fails the change, to be retried, rather than refusing it as unmanaged.
 */
function servicesNow(env: Env, logger: Logger): Pick<FleetControl, 'discover'> {
  const config = readEvaluateConfig(env);
  const reader = new AutoScalingFleetReader(tracer.captureAWSv3Client(createAutoScalingClient()), {
    clock: { now: () => Date.now() },
    defaultTags: { [`${TAG_PREFIX}mode`]: config.defaultMode },
    onConfigError: (error) =>
      logger.error('a managed group has bad headroom:* tags; it is left out', { error }),
  });
  const fail = (_stage: string, error: unknown) => {
    throw error;
  };
  return {
    discover: async () => (await managedServices(reader, config.servicesFromConfig, fail)).services,
  };
}

export function makeApplyDeps(env: Env, logger: Logger): WorkerDeps {
  const sqs = sqsClient();
  const { followUps, events, ...rest } = shared(env, logger, sqs);
  const rds = tracer.captureAWSv3Client(createRdsClient());
  const elastiCache = tracer.captureAWSv3Client(createElastiCacheClient());
  const db = new RdsReplicaControl(rds);
  const cache = new ElastiCacheReplicaControl(elastiCache);
  const aurora = new RdsAuroraReaders(rds);
  const dynamoClient = tracer.captureAWSv3Client(createDynamoClient());
  const targets = new DynamoChangeTargets(dynamoClient, required(env, 'IDEMPOTENCY_TABLE'), rest);
  // The deployment's KillSwitch parameter forces it on without reading the table.
  const guard = new DynamoStateStore(dynamoClient, {
    tableName: required(env, 'STATE_TABLE'),
    killSwitchForced: env.KILL_SWITCH === 'on',
  });
  const deadLetters = new SqsChangeDeadLetters(sqs, required(env, 'CHANGE_DEAD_LETTER_QUEUE_URL'));
  // The same precedence as every flow: ServicesJson's declared tiers, else the resource's own tag.
  const mode = (env.MODE ?? MODES[0]) as Mode;
  const configured = servicesWithDefaultMode(env.SERVICES_JSON || '[]', mode);
  const owners = keptOwners(
    { database: databaseOwner(rds), cache: cacheOwner(elastiCache) },
    { now: rest.now },
  );
  const services = servicesNow(env, logger);
  return {
    ports: { db, aurora, cache, followUps, events, targets, guard, configured, owners, services },
    deadLetters,
    ...rest,
  };
}

/** Readers only: the follow-up function never changes a resource, and its bundle (and IAM) shows it. */
export function makeFollowDeps(env: Env, logger: Logger): WorkerDeps<FollowPorts> {
  const { followUps, events, ...rest } = shared(env, logger, sqsClient());
  const db = new RdsReplicaReader(tracer.captureAWSv3Client(createRdsClient()));
  const cache = new ElastiCacheReplicaReader(tracer.captureAWSv3Client(createElastiCacheClient()));
  return { ports: { db, cache, followUps, events }, ...rest };
}
