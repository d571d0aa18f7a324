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

/** Receives of a change message before SQS dead-letters it (the change queue's maxReceiveCount). */
export const CHANGE_QUEUE_MAX_RECEIVES = 5;

/** A change message as it came off the FIFO queue. */
export interface ReceivedChange {
  messageId: string;
  body: string;
  groupId: string;
}

/**
 * The change queue's dead-letter queue, written by the worker itself: a message that can never
 * succeed (its body fails the schema, or its last receive failed) goes there at once, so the good
 * messages of its FIFO group behind it are not failed with it until SQS dead-letters them untried.
 */
export class SqsChangeDeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async keep(message: ReceivedChange, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: message.body,
        // Same group, so its place among the group's other dead letters is kept; the message id
        // as deduplication id, so keeping it twice (a retried send) keeps it once.
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.messageId,
        MessageAttributes: { error: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
      }),
    );
  }
}
