import { beforeEach, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher, EventsNotPublishedError, type AdvisorEvent } from '@headroom/core';
import { metadata, T0 } from './fixtures.js';

const client = new EventBridgeClient({ region: 'eu-west-1' });
const eb = mockClient(client);
const sleeps: number[] = [];
const publisher = () =>
  new EventBridgePublisher(client, {
    eventBusName: 'headroom-advisor',
    maxAttempts: 3,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

beforeEach(() => {
  eb.reset();
  sleeps.length = 0;
});

const event = (i: number): AdvisorEvent => ({
  type: 'Recommendation',
  serviceId: `svc-${i}`,
  at: T0,
  detail: { desiredCapacity: i },
});

/** Every entry accepted, with EventIds as PutEvents returns them. */
const accepted = (input: PutEventsCommandInput) => ({
  FailedEntryCount: 0,
  Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `11710aed-b79e-4468-a20b-bb3c0c3b4860-${i}` })),
  $metadata: metadata,
});

describe('EventBridgePublisher', () => {
  it('sends 23 events in calls of 10, 10 and 3 with the advisor source and the event type', async () => {
    eb.on(PutEventsCommand).callsFake(accepted);
    await publisher().publish(Array.from({ length: 23 }, (_, i) => event(i)));
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries![0]).toEqual({
      EventBusName: 'headroom-advisor',
      Source: 'headroom.advisor',
      DetailType: 'Recommendation',
      Time: new Date(T0),
      Detail: JSON.stringify({ serviceId: 'svc-0', at: T0, desiredCapacity: 0 }),
    });
    expect(sleeps).toEqual([]);
  });

  it('retries only the entries EventBridge rejected', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
          { EventId: 'd804d26a-88db-4b66-9eaf-9a11c708ae82' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' },
        ],
        $metadata: metadata,
      })
      .callsFake(accepted);
    await publisher().publish([0, 1, 2, 3].map(event));
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).serviceId)).toEqual([
      'svc-1',
      'svc-3',
    ]);
    expect(sleeps).toEqual([100]);
  });

  it('gives up after maxAttempts and names what was not published', async () => {
    eb.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: input.Entries!.length,
      Entries: input.Entries!.map(() => ({
        ErrorCode: 'ThrottlingException',
        ErrorMessage: 'Rate exceeded',
      })),
      $metadata: metadata,
    }));
    const attempt = publisher().publish([event(7)]);
    await expect(attempt).rejects.toBeInstanceOf(EventsNotPublishedError);
    await expect(attempt).rejects.toMatchObject({
      message: '1 event(s) not published after 3 attempt(s): ThrottlingException',
      // The event itself is carried, so the dead-letter queue gets exactly the rejected ones.
      failed: [
        { type: 'Recommendation', serviceId: 'svc-7', errorCode: 'ThrottlingException', event: event(7) },
      ],
    });
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('makes no call for no events', async () => {
    await publisher().publish([]);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
