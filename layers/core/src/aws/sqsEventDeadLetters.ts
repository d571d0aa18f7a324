/**
 * Advisor events EventBridge would not take, kept on an SQS queue: one message per event, holding
 * the detail the bus would have delivered, its detail-type and why it was not published, so an
 * operator can read it and redrive it to the bus (docs/operations.md).
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AdvisorEvent } from '../ports/index.js';
import { EventsLostError } from './errors.js';
import { EVENT_SOURCE, eventDetail } from './eventBridgePublisher.js';
import type { DeadLetteredEvent, EventDeadLetters } from './withDeadLetters.js';

export interface SqsEventDeadLettersOptions {
  queueUrl: string;
  /** Attempts per message, the first included (default 3), on top of the SDK's own retries. */
  maxAttempts?: number;
  /** Pause before another attempt; passed in so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The body of one dead-letter message. */
export function deadLetterBody(letter: DeadLetteredEvent): string {
  return JSON.stringify({
    source: EVENT_SOURCE,
    detailType: letter.event.type,
    errorCode: letter.errorCode,
    time: new Date(letter.event.at).toISOString(),
    detail: eventDetail(letter.event),
  });
}

export class SqsEventDeadLetters implements EventDeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly options: SqsEventDeadLettersOptions,
  ) {
    if (options.queueUrl.trim() === '') throw new Error('the dead-letter queue URL is empty');
  }

  async send(letters: readonly DeadLetteredEvent[]): Promise<void> {
    const lost: AdvisorEvent[] = [];
    let cause = '';
    // Every letter is tried even after one is lost, so one bad send keeps as many as it can.
    for (const letter of letters) {
      try {
        await this.sendOne(letter);
      } catch (error) {
        lost.push(letter.event);
        cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    if (lost.length > 0) throw new EventsLostError(lost, cause);
  }

  private async sendOne(letter: DeadLetteredEvent): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    const sleep = this.options.sleep ?? realSleep;
    const command = new SendMessageCommand({
      QueueUrl: this.options.queueUrl,
      MessageBody: deadLetterBody(letter),
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(command);
        return;
      } catch (error) {
        if (attempt >= maxAttempts) throw error;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }
}
