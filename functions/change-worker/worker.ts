/**
 * The change worker's two SQS consumers, wired to ports so the tests can give them mocked AWS
 * clients and a real (dynalite) idempotency table:
 * - `applyChanges` reads the FIFO change queue. FIFO order matters within a resource, so it uses
 *   the FIFO variant of BatchProcessor: after a failure, the rest of that message group waits.
 *   A poison message (a body that fails its schema, or a last receive) is moved to the dead-letter
 *   queue by the worker and counts as handled, so the group's good messages are not failed with it.
 * - `followChanges` reads the standard follow-up queue (FIFO queues refuse per-message delays).
 * Both parse each body with Powertools' parser and the zod schemas of @headroom/core themselves,
 * so a bad message is logged with the fields that are wrong (the batch parser only logs at debug).
 * Both are idempotent on the change (and the follow-up attempt), and both fail a record rather
 * than drop it: SQS redelivers it, and after maxReceiveCount moves it to the dead-letter queue.
 * Idempotency records can be lost (a timeout right after the write leaves one in progress until
 * it expires); the change itself is retry-safe without them, since it aims at a kept absolute target.
 */
import {
  BatchProcessor,
  EventType,
  SqsFifoPartialProcessorAsync,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { parse } from '@aws-lambda-powertools/parser';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  CHANGE_QUEUE_MAX_RECEIVES,
  followChange,
  followUpSchema,
  jsonBody,
  resourceChangeSchema,
  sendFirstFollowUp,
  startChange,
  type FollowPolicy,
  type FollowPorts,
  type FollowUp,
  type ResourceChange,
  type SqsChangeDeadLetters,
  type WorkerPorts,
} from '@headroom/core';

export interface WorkerDeps<P = WorkerPorts> {
  ports: P;
  /** Where a change message that can never succeed is kept, so its FIFO group moves on. */
  deadLetters?: Pick<SqsChangeDeadLetters, 'keep'>;
  persistenceStore: BasePersistenceLayer;
  now: () => number;
  logger: Logger;
  policy?: FollowPolicy;
}

/** Idempotency records start `<prefix>#`: each function may touch only its own (dynamodb:LeadingKeys). */
export const IDEMPOTENCY_PREFIX = { apply: 'change-worker', follow: 'change-follow-up' } as const;

/** A day: longer than any redelivery of the same change, short enough to keep the table small. */
const IDEMPOTENCY_SECONDS = 24 * 3600;

export function makeChangeApplier(deps: WorkerDeps) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: IDEMPOTENCY_SECONDS });
  // Only the change itself is idempotent here: the record is complete once the resource has its
  // target, so a failed follow-up send comes back to the stored answer and sends again, nothing more.
  const startOnce = makeIdempotent(
    async (change: ResourceChange) => startChange(change, deps.ports, deps.now()),
    // The key prefix is what IAM's dynamodb:LeadingKeys condition allows (template.yaml).
    { persistenceStore: deps.persistenceStore, config, keyPrefix: IDEMPOTENCY_PREFIX.apply },
  );
  const processor = new SqsFifoPartialProcessorAsync();
  const handleRecord = async (record: SQSRecord) =>
    failLoudly(deps.logger, record, async () => {
      try {
        const change = parse(record.body, undefined, jsonBody(resourceChangeSchema));
        const result = await startOnce(change);
        await sendFirstFollowUp(change, result, deps.ports, deps.now(), deps.policy);
        deps.logger.info('change handled', { changeId: change.id, resourceId: change.resourceId, result });
        return result;
      } catch (error) {
        if (deps.deadLetters === undefined || !isPoison(error, record)) throw error;
        const reason = describeError(error);
        await deps.deadLetters.keep(
          {
            messageId: record.messageId,
            body: record.body,
            groupId: record.attributes.MessageGroupId ?? 'unknown',
          },
          `${reason.name}: ${reason.message}`,
        );
        deps.logger.error('change message kept in the dead-letter queue; the rest of its group goes on', {
          messageId: record.messageId,
          error: reason,
        });
        return { status: 'dead-lettered' };
      }
    });
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    config.registerLambdaContext(context);
    return processPartialResponse(event, handleRecord, processor, { context, skipGroupOnError: true });
  };
}

export function makeChangeFollower(deps: WorkerDeps<FollowPorts>) {
  // A standard queue may deliver a follow-up twice; without this each copy would start its own chain.
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[change.id, attempt]',
    expiresAfterSeconds: IDEMPOTENCY_SECONDS,
  });
  const followOnce = makeIdempotent(
    async (followUp: FollowUp) => followChange(followUp, deps.ports, deps.now(), deps.policy),
    { persistenceStore: deps.persistenceStore, config, keyPrefix: IDEMPOTENCY_PREFIX.follow },
  );
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord) =>
    failLoudly(deps.logger, record, async () => {
      const followUp = parse(record.body, undefined, jsonBody(followUpSchema));
      const result = await followOnce(followUp);
      deps.logger.info('change followed', {
        changeId: followUp.change.id,
        attempt: followUp.attempt,
        result,
      });
      return result;
    });
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    config.registerLambdaContext(context);
    return processPartialResponse(event, handleRecord, processor, { context });
  };
}

/**
 * A message retrying cannot help: its body fails the schema, or this was its last receive (SQS
 * would dead-letter it now, and with it, untried, the group's messages failed behind it).
 */
function isPoison(error: unknown, record: SQSRecord): boolean {
  const receives = Number(record.attributes.ApproximateReceiveCount);
  return (error instanceof Error && error.name === 'ParseError') || receives >= CHANGE_QUEUE_MAX_RECEIVES;
}

interface Issue {
  path?: readonly unknown[];
  message: string;
}

const isIssueList = (value: unknown): value is Issue[] =>
  Array.isArray(value) && value.every((i) => typeof i === 'object' && i !== null && 'message' in i);

/** The parser's ParseError keeps the field-by-field problems in its cause; those are what a person needs. */
function describeError(error: unknown): { name: string; message: string } {
  if (!(error instanceof Error)) return { name: 'unknown', message: String(error) };
  if (!isIssueList(error.cause)) return { name: error.name, message: error.message };
  const problems = error.cause.map(
    (i) => `${(i.path ?? []).map(String).join('.') || '(body)'}: ${i.message}`,
  );
  return { name: error.name, message: `${error.message}: ${problems.join('; ')}` };
}

/** Every failed record is logged with the reason before the batch reports it failed. */
async function failLoudly<T>(
  logger: Logger,
  record: { messageId: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    logger.error('message not handled; SQS will redeliver it, then keep it in the dead-letter queue', {
      messageId: record.messageId,
      error: describeError(error),
    });
    throw error;
  }
}
