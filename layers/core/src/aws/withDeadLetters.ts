/**
 * One EventPublisher that loses nothing: what the publisher could not deliver goes to the
 * dead-letter queue, and if that fails too the EventsLostError surfaces to the caller.
 */
import type { AdvisorEvent, EventPublisher } from '../ports/index.js';
import { EventsNotPublishedError } from './errors.js';

/** An event to keep, and the error code that kept it off the bus. */
export interface DeadLetteredEvent {
  event: AdvisorEvent;
  errorCode: string;
}

/** Where events that could not be published are kept; throws EventsLostError if it cannot keep them. */
export interface EventDeadLetters {
  send(letters: readonly DeadLetteredEvent[]): Promise<void>;
}

export function withDeadLetters(
  publisher: EventPublisher,
  deadLetters: EventDeadLetters,
  onDeadLettered: (letters: readonly DeadLetteredEvent[]) => void = () => {},
): EventPublisher {
  return {
    async publish(events: readonly AdvisorEvent[]): Promise<void> {
      try {
        await publisher.publish(events);
        return;
      } catch (error) {
        const letters = lettersOf(events, error);
        await deadLetters.send(letters);
        onDeadLettered(letters);
      }
    },
  };
}

/**
 * Only the entries EventBridge rejected when it says which; every event when the call itself
 * failed, since then we cannot tell which were delivered (a redrive may repeat some: at least once).
 */
function lettersOf(events: readonly AdvisorEvent[], error: unknown): DeadLetteredEvent[] {
  if (error instanceof EventsNotPublishedError) {
    return error.failed.map((f) => ({ event: f.event, errorCode: f.errorCode }));
  }
  const errorCode = error instanceof Error ? error.name : 'UnknownError';
  return events.map((event) => ({ event, errorCode }));
}
