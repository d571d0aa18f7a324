/**
 * The invalidate function's batch: every message of the window read (a bad one is logged and
 * failed, so SQS keeps it and finally dead-letters it), the requests coalesced together, and only
 * the messages behind a failed invalidation returned for another try. Coalescing needs the whole
 * batch at once, which is why this is not a per-record BatchProcessor.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { parse } from '@aws-lambda-powertools/parser';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  invalidateForDeploys,
  invalidationMessageSchema,
  jsonBody,
  requestsOf,
  type BucketOrigin,
  type InvalidatePorts,
  type InvalidateResult,
  type InvalidationRequest,
} from '@headroom/core';

export interface InvalidatorDeps {
  ports: InvalidatePorts;
  origin: BucketOrigin | undefined;
  now: () => number;
  logger: Logger;
  /** The distributions deploy events may name (configuredDistributions); any other is refused. */
  distributions: ReadonlySet<string>;
  /** Called with what was done, for metrics. */
  onResult?: (result: InvalidateResult) => void;
  /** Called once per refused deploy event, for metrics. */
  onRefused?: (reason: string) => void;
}

export function makeInvalidator(deps: InvalidatorDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures = new Set<string>();
    const messageOf = new Map<InvalidationRequest, string>();
    for (const record of event.Records) {
      try {
        const message = parse(record.body, undefined, jsonBody(invalidationMessageSchema));
        if ('source' in message && message.source === 'headroom.deploy') {
          const { distributionId } = message.detail;
          if (!deps.distributions.has(distributionId)) {
            // Done, not failed: a retry would be refused the same way. Who sent it is in the log.
            deps.logger.warn('event refused', {
              reason: 'distribution-not-configured',
              distributionId,
              sender: { account: message.account, source: message.source, eventId: message.id },
              messageId: record.messageId,
            });
            deps.onRefused?.('distribution-not-configured');
            continue;
          }
        }
        for (const request of requestsOf(message, deps.origin)) messageOf.set(request, record.messageId);
      } catch (error) {
        failures.add(record.messageId);
        deps.logger.error('invalidation message not understood; SQS will keep it, then dead-letter it', {
          messageId: record.messageId,
          error: describe(error),
        });
      }
    }
    const result = await invalidateForDeploys([...messageOf.keys()], deps.ports, deps.now());
    for (const { requests, error } of result.failed) {
      for (const request of requests) failures.add(messageOf.get(request) ?? '');
      deps.logger.error('invalidation failed; its messages come back', { error: describe(error) });
    }
    for (const created of result.created) deps.logger.info('invalidation created', { ...created });
    if (result.deferred.length > 0)
      deps.logger.info('requests deferred past the in-progress limits', { count: result.deferred.length });
    deps.onResult?.(result);
    return {
      batchItemFailures: [...failures]
        .filter((id) => id !== '')
        .map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

function describe(error: unknown): { name: string; message: string } {
  if (!(error instanceof Error)) return { name: 'unknown', message: String(error) };
  const issues = Array.isArray(error.cause) ? (error.cause as { path?: unknown[]; message: string }[]) : [];
  const problems = issues
    .map((i) => `${(i.path ?? []).map(String).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
  return { name: error.name, message: problems === '' ? error.message : `${error.message}: ${problems}` };
}
