/**
 * "It worked but the answer was lost": a middleware below the SDK's retry lets the first request of
 * a command reach the server (so it takes effect) and then throws a timeout instead of its answer.
 * The SDK's retry sends it again, exactly as a dropped connection in AWS does.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function loseFirstAnswer(client: DynamoDBClient, commandName: string): { count: number } {
  const lost = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === commandName && lost.count === 0) {
        lost.count += 1;
        throw Object.assign(new Error('socket timed out after the request was sent'), {
          name: 'TimeoutError',
          $metadata: {},
        });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseFirstAnswer', priority: 'low' },
  );
  return lost;
}
