/**
 * EventPublisher over EventBridge PutEvents: ten entries a call (the API's limit), entries that
 * EventBridge rejects retried a bounded number of times, then reported by name.
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { AdvisorEvent, EventPublisher } from '../ports/index.js';
import { EventsNotPublishedError, type UnpublishedEvent } from './errors.js';
import { chunk } from './metricQueries.js';

export const EVENT_SOURCE = 'headroom.advisor';
/** PutEvents accepts at most this many entries per call. */
export const ENTRIES_PER_CALL = 10;

export interface EventBridgePublisherOptions {
  eventBusName: string;
  /** Attempts per entry, the first included (default 3). */
  maxAttempts?: number;
  /** Pause before retrying rejected entries; passed in so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgePublisherOptions,
  ) {}

  async publish(events: readonly AdvisorEvent[]): Promise<void> {
    const failed: UnpublishedEvent[] = [];
    for (const batch of chunk(events, ENTRIES_PER_CALL)) failed.push(...(await this.publishBatch(batch)));
    if (failed.length > 0) throw new EventsNotPublishedError(failed, this.options.maxAttempts ?? 3);
  }

  private async publishBatch(batch: readonly AdvisorEvent[]) {
    const maxAttempts = this.options.maxAttempts ?? 3;
    const sleep = this.options.sleep ?? realSleep;
    let pending = batch.map((event) => ({ event, entry: this.entryOf(event), errorCode: '' }));
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt += 1) {
      if (attempt > 1) await sleep(100 * 2 ** (attempt - 2));
      const response = await this.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
      if ((response.FailedEntryCount ?? 0) === 0) return [];
      // Result entries are in request order; a failed one carries an ErrorCode instead of an EventId.
      pending = pending
        .map((p, i) => ({ ...p, errorCode: response.Entries?.[i]?.ErrorCode ?? '' }))
        .filter((p) => p.errorCode !== '');
    }
    return pending.map((p): UnpublishedEvent => ({
      type: p.event.type,
      serviceId: p.event.serviceId,
      errorCode: p.errorCode,
      event: p.event,
    }));
  }

  private entryOf(event: AdvisorEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.options.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.type,
      Time: new Date(event.at),
      Detail: JSON.stringify(eventDetail(event)),
    };
  }
}

/** The `detail` the bus delivers for an event; the dead-letter queue keeps the same shape. */
export function eventDetail(event: AdvisorEvent): Record<string, unknown> {
  return { serviceId: event.serviceId, at: event.at, ...event.detail };
}
