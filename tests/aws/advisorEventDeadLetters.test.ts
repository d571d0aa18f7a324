/**
 * No advisor event is lost: what EventBridge rejects after its retries goes to the SQS dead-letter
 * queue (only those entries), and if SQS refuses too the error names the events that are gone.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EventBridgePublisher,
  EventsLostError,
  SqsEventDeadLetters,
  withDeadLetters,
  type AdvisorEvent,
  type DeadLetteredEvent,
} from '@headroom/core';
import { metadata, T0 } from './fixtures.js';

const QUEUE_URL =
  'https://sqs.eu-west-1.amazonaws.com/123456789012/headroom-AdvisorEventsDeadLetterQueue-1A2B3C';
const ebClient = new EventBridgeClient({ region: 'eu-west-1' });
const sqsClient = new SQSClient({ region: 'eu-west-1' });
const eb = mockClient(ebClient);
const sqs = mockClient(sqsClient);
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};
const deadLettered: DeadLetteredEvent[][] = [];

const publisher = () =>
  withDeadLetters(
    new EventBridgePublisher(ebClient, { eventBusName: 'headroom-advisor', maxAttempts: 3, sleep }),
    new SqsEventDeadLetters(sqsClient, { queueUrl: QUEUE_URL, maxAttempts: 3, sleep }),
    (letters) => deadLettered.push([...letters]),
  );

const event = (i: number, type: AdvisorEvent['type'] = 'Recommendation'): AdvisorEvent => ({
  type,
  serviceId: `svc-${i}`,
  at: T0,
  detail: { desiredCapacity: i },
});

/** EventBridge rejects, on every attempt, the entries of the services named; accepts the rest. */
const rejecting = (serviceIds: readonly string[], errorCode = 'ThrottlingException') => {
  eb.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    const entries = input.Entries ?? [];
    const rejected = (detail: string | undefined) =>
      serviceIds.includes((JSON.parse(detail ?? '{}') as { serviceId: string }).serviceId);
    return {
      FailedEntryCount: entries.filter((e) => rejected(e.Detail)).length,
      Entries: entries.map((e, i) =>
        rejected(e.Detail) ? { ErrorCode: errorCode, ErrorMessage: 'Rate exceeded' } : { EventId: `id-${i}` },
      ),
      $metadata: metadata,
    };
  });
};

const sentBodies = () =>
  sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody ?? '') as unknown);

beforeEach(() => {
  eb.reset();
  sqs.reset();
  sleeps.length = 0;
  deadLettered.length = 0;
});

describe('withDeadLetters over EventBridge and SQS', () => {
  it('sends nothing to the queue when every event is published', async () => {
    rejecting([]);
    await publisher().publish([event(1), event(2)]);
    expect(sqs.calls()).toHaveLength(0);
    expect(deadLettered).toEqual([]);
  });

  it('dead-letters exactly the entries EventBridge still rejects after its retries, one message each', async () => {
    rejecting(['svc-2', 'svc-12']);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1', $metadata: metadata });
    const events = Array.from({ length: 13 }, (_, i) =>
      event(i, i === 12 ? 'ActionApplied' : 'Recommendation'),
    );

    await publisher().publish(events);

    // Two calls of 10 and 3, each retried twice for its one rejected entry.
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(6);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      QUEUE_URL,
      QUEUE_URL,
    ]);
    expect(sentBodies()).toEqual([
      {
        source: 'headroom.advisor',
        detailType: 'Recommendation',
        errorCode: 'ThrottlingException',
        time: new Date(T0).toISOString(),
        detail: { serviceId: 'svc-2', at: T0, desiredCapacity: 2 },
      },
      {
        source: 'headroom.advisor',
        detailType: 'ActionApplied',
        errorCode: 'ThrottlingException',
        time: new Date(T0).toISOString(),
        detail: { serviceId: 'svc-12', at: T0, desiredCapacity: 12 },
      },
    ]);
    // The queue keeps the very detail the bus would have delivered.
    const onBus = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![2]!;
    expect((sentBodies()[0] as { detail: unknown }).detail).toEqual(JSON.parse(onBus.Detail!));
    expect(deadLettered.flat().map((l) => [l.event.serviceId, l.errorCode])).toEqual([
      ['svc-2', 'ThrottlingException'],
      ['svc-12', 'ThrottlingException'],
    ]);
  });

  it('dead-letters every event when the PutEvents call itself fails, with the error name as the code', async () => {
    eb.on(PutEventsCommand).rejects(
      Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
    );
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1', $metadata: metadata });

    await publisher().publish([event(1), event(2, 'ApprovalRequested')]);

    expect(sentBodies()).toMatchObject([
      { detailType: 'Recommendation', errorCode: 'AccessDeniedException', detail: { serviceId: 'svc-1' } },
      { detailType: 'ApprovalRequested', errorCode: 'AccessDeniedException', detail: { serviceId: 'svc-2' } },
    ]);
  });

  it('retries a refused SQS send with backoff and then succeeds', async () => {
    rejecting(['svc-1'], 'InternalFailure');
    sqs
      .on(SendMessageCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'RequestThrottled' }))
      .resolves({ MessageId: 'm-1', $metadata: metadata });

    await publisher().publish([event(1)]);

    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
    // 100, 200 from EventBridge's retries; 100 from the queue's.
    expect(sleeps).toEqual([100, 200, 100]);
  });

  it('throws EventsLostError naming the lost events when SQS refuses every attempt, after trying each one', async () => {
    rejecting(['svc-1', 'svc-2']);
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('queue gone'), { name: 'QueueDoesNotExist' }));

    const attempt = publisher().publish([event(1), event(2, 'ActionFailed'), event(3)]);

    await expect(attempt).rejects.toBeInstanceOf(EventsLostError);
    await expect(attempt).rejects.toThrow(
      '2 advisor event(s) neither published nor dead-lettered (Recommendation svc-1, ActionFailed svc-2): QueueDoesNotExist: queue gone',
    );
    // 3 attempts for each of the two letters; never reported as dead-lettered.
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(6);
    expect(deadLettered).toEqual([]);
  });

  it('refuses an empty queue URL by name', () => {
    expect(() => new SqsEventDeadLetters(sqsClient, { queueUrl: ' ' })).toThrow(
      'the dead-letter queue URL is empty',
    );
  });
});
