/**
 * The SDK's own retry, as configured in clients.ts, against a loopback server that throttles and
 * fails before it answers. (aws-sdk-client-mock replaces `send`, so it cannot show the retry
 * middleware at work; a real HTTP exchange does.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AutoScalingFleetControl, clientConfig, DynamoStateStore, SDK_RETRY } from '@headroom/core';
import { T0 } from './fixtures.js';

interface Reply {
  status: number;
  contentType: string;
  body: string;
}
const replies: Reply[] = [];
let requests = 0;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const reply = replies.shift() ?? { status: 500, contentType: 'text/plain', body: 'no reply queued' };
      res.writeHead(reply.status, {
        'content-type': reply.contentType,
        'x-amzn-requestid': `req-${requests}`,
      });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const json = (status: number, body: object): Reply => ({
  status,
  contentType: 'application/x-amz-json-1.0',
  body: JSON.stringify(body),
});
const xml = (status: number, body: string): Reply => ({ status, contentType: 'text/xml', body });
const asgThrottled = xml(
  400,
  '<ErrorResponse xmlns="https://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1c5e8b0a-6f0e-4b8e-9d0a-6a1b8f7e2c11</RequestId></ErrorResponse>',
);

function reset(...queued: Reply[]) {
  replies.splice(0, replies.length, ...queued);
  requests = 0;
}

describe('SDK retry configuration', () => {
  it('is adaptive with 5 attempts, the same for every client built from clientConfig', async () => {
    const client = new DynamoDBClient(clientConfig({ region: 'eu-west-1' }));
    expect(await client.config.maxAttempts()).toBe(SDK_RETRY.maxAttempts);
    const strategy = await client.config.retryStrategy();
    expect((strategy as { mode?: string }).mode).toBe('adaptive');
    client.destroy();
  });

  it('rides out a DynamoDB ThrottlingException and a 500, then returns the answer', async () => {
    reset(
      json(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'Rate of requests exceeds the allowed throughput.',
      }),
      json(500, {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error',
      }),
      json(200, {}),
    );
    const client = new DynamoDBClient({ ...clientConfig({ region: 'eu-west-1' }), endpoint, credentials });
    const state = await new DynamoStateStore(client, { tableName: 'headroom-state' }).getServiceState('web');
    expect(state).toBeUndefined();
    expect(requests).toBe(3);
    client.destroy();
  });

  it('rides out Auto Scaling Throttling and a 503 on SetDesiredCapacity', async () => {
    reset(
      asgThrottled,
      xml(
        503,
        '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service is unavailable</Message></Error></ErrorResponse>',
      ),
      xml(
        200,
        '<SetDesiredCapacityResponse xmlns="https://autoscaling.amazonaws.com/doc/2011-01-01/"><ResponseMetadata><RequestId>7c6e177f-4fcd-11e1-88f2-8d1f1a8f0e2b</RequestId></ResponseMetadata></SetDesiredCapacityResponse>',
      ),
    );
    const client = new AutoScalingClient({ ...clientConfig({ region: 'eu-west-1' }), endpoint, credentials });
    await new AutoScalingFleetControl(client, { clock: { now: () => T0 } }).setDesiredCapacity(
      'web',
      6,
      true,
    );
    expect(requests).toBe(3);
    client.destroy();
  });

  it('stops after 5 attempts and surfaces the last error', async () => {
    const unavailable = json(503, {
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'Service unavailable',
    });
    reset(unavailable, unavailable, unavailable, unavailable, unavailable, json(200, {}));
    const client = new DynamoDBClient({ ...clientConfig({ region: 'eu-west-1' }), endpoint, credentials });
    const read = new DynamoStateStore(client, { tableName: 'headroom-state' }).getServiceState('web');
    await expect(read).rejects.toMatchObject({ name: 'InternalServerError', $metadata: { attempts: 5 } });
    expect(requests).toBe(5);
    client.destroy();
  });
});
