/**
 * The digest's posted-event marks as DynamoDB answers under load: keys and items it leaves
 * unprocessed (as it does when throttled) are asked again, and after four rounds the call fails
 * saying how many were left, so the notifier logs it rather than believing a partial answer.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  type BatchGetItemCommandInput,
  type BatchWriteItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoPostedEvents } from '@headroom/core';

const TABLE = 'headroom-RemediationTable';
const dynamo = mockClient(DynamoDBClient);
const waits: number[] = [];
const marks = () =>
  new DynamoPostedEvents(new DynamoDBClient({ region: 'eu-west-1' }), {
    tableName: TABLE,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });

beforeEach(() => {
  dynamo.reset();
  waits.length = 0;
});

describe('DynamoPostedEvents', () => {
  it('reads 100 keys a call and asks again for the keys left unprocessed', async () => {
    let call = 0;
    dynamo.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => {
      call += 1;
      const keys = input.RequestItems?.[TABLE]?.Keys ?? [];
      // The first call answers half and leaves the rest; every key ending in 0 was posted.
      const answered = call === 1 ? keys.slice(0, 50) : keys;
      const left = call === 1 ? keys.slice(50) : [];
      return {
        Responses: { [TABLE]: answered.filter((k) => k['id']?.S?.endsWith('0')) },
        ...(left.length > 0 ? { UnprocessedKeys: { [TABLE]: { Keys: left } } } : {}),
      };
    });
    const ids = Array.from({ length: 150 }, (_, i) => `evt-${i}`);
    const posted = await marks().posted([...ids, 'evt-0']);
    expect([...posted].sort()).toEqual(ids.filter((id) => id.endsWith('0')).sort());
    const sizes = dynamo
      .commandCalls(BatchGetItemCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE]?.Keys?.length);
    expect(sizes).toEqual([100, 50, 50]);
    expect(
      dynamo.commandCalls(BatchGetItemCommand)[0]?.args[0].input.RequestItems?.[TABLE]?.Keys?.[0],
    ).toEqual({
      id: { S: 'notifier#posted#evt-0' },
    });
    expect(waits).toEqual([100]);
  });

  it('writes 25 marks a call with a day to live, again for what is left, and fails after four rounds naming the count', async () => {
    dynamo.on(BatchWriteItemCommand).callsFake((input: BatchWriteItemCommandInput) => {
      const requests = input.RequestItems?.[TABLE] ?? [];
      return requests.length > 20 ? { UnprocessedItems: { [TABLE]: requests.slice(20) } } : {};
    });
    const now = Date.UTC(2026, 11, 6, 12, 0, 0);
    await marks().markPosted(
      Array.from({ length: 30 }, (_, i) => `evt-${i}`),
      now,
    );
    const calls = dynamo
      .commandCalls(BatchWriteItemCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE] ?? []);
    expect(calls.map((c) => c.length)).toEqual([25, 5, 5]);
    expect(calls[0]?.[0]?.PutRequest?.Item).toEqual({
      id: { S: 'notifier#posted#evt-0' },
      expiration: { N: String(now / 1000 + 86_400) },
    });

    dynamo.reset();
    dynamo.on(BatchWriteItemCommand).callsFake((input: BatchWriteItemCommandInput) => ({
      UnprocessedItems: { [TABLE]: (input.RequestItems?.[TABLE] ?? []).slice(1) },
    }));
    await expect(marks().markPosted(['a', 'b', 'c', 'd', 'e', 'f'], now)).rejects.toThrow(
      'posted events: 2 marks left unwritten by DynamoDB',
    );
    expect(dynamo.commandCalls(BatchWriteItemCommand)).toHaveLength(4);
  });
});
