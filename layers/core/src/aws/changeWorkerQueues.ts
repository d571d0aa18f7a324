/** The follow-up queue over SQS: a standard queue, because FIFO queues refuse a per-message DelaySeconds. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FollowUp, FollowUpQueue } from '../remediation/ports.js';

/** SQS delays a message by at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export class SqsFollowUpQueue implements FollowUpQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(followUp: FollowUp, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(followUp),
        DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds))),
      }),
    );
  }
}
