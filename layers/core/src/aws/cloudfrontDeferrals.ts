/** Deferred invalidation requests go back on the invalidation queue (a standard queue), delayed. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { InvalidationRequest } from '../cdn/coalesce.js';
import type { DeferredInvalidations } from '../cdn/ports.js';
import { MAX_DELAY_SECONDS } from './changeWorkerQueues.js';

/** Keeps each message well under SQS's 256 KiB. */
const REQUESTS_PER_MESSAGE = 500;

export class SqsDeferredInvalidations implements DeferredInvalidations {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async defer(requests: readonly InvalidationRequest[], delaySeconds: number): Promise<void> {
    for (let i = 0; i < requests.length; i += REQUESTS_PER_MESSAGE) {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify({
            kind: 'deferred',
            requests: requests.slice(i, i + REQUESTS_PER_MESSAGE),
          }),
          DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))),
        }),
      );
    }
  }
}
