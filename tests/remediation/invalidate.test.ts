/** The invalidate function's batch against mocked CloudFront, SQS and DynamoDB (aws-sdk-client-mock). */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  NoSuchDistribution,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CloudFrontInvalidations,
  configuredDistributions,
  DynamoKillSwitch,
  DynamoPathLedger,
  parseServicesJson,
  SqsDeferredInvalidations,
} from '@headroom/core';
import { makeInvalidator } from '../../functions/invalidate/invalidator.js';
import { NOW } from './fixtures.js';

const cloudFront = mockClient(CloudFrontClient);
const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/headroom-invalidations';

let logger: Logger;
let invalidate: ReturnType<typeof makeInvalidator>;
let refused: string[] = [];
/** E2SITE is CdnDistributionId; E1WEB, E3OTHER and E9GONE (deleted in CloudFront since) are declared in ServicesJson. */
const distributions = configuredDistributions(
  parseServicesJson(
    '[{"autoScalingGroup":"web","cdnDistribution":"E1WEB"},{"autoScalingGroup":"other","cdnDistribution":"E3OTHER"},{"autoScalingGroup":"old","cdnDistribution":"E9GONE"}]',
  ),
  'E2SITE',
);

beforeEach(() => {
  logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  cloudFront.on(ListInvalidationsCommand).resolves({
    InvalidationList: { Items: [], IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 0 },
  });
  cloudFront.on(CreateInvalidationCommand).resolves({
    Invalidation: {
      Id: 'I1',
      Status: 'InProgress',
      CreateTime: new Date(NOW),
      InvalidationBatch: undefined,
    },
  });
  dynamo.on(UpdateItemCommand).resolves({ Attributes: { paths: { N: '998' } } });
  dynamo.on(GetItemCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'd1' });
  invalidate = makeInvalidator({
    ports: {
      cdn: new CloudFrontInvalidations(new CloudFrontClient({ region: 'us-east-1' })),
      ledger: new DynamoPathLedger(new DynamoDBClient({ region: 'us-east-1' }), 'remediation'),
      deferrals: new SqsDeferredInvalidations(new SQSClient({ region: 'us-east-1' }), QUEUE),
      killSwitch: new DynamoKillSwitch(new DynamoDBClient({ region: 'us-east-1' }), { tableName: 'state' }),
    },
    origin: { bucket: 'site-assets', distributionId: 'E2SITE' },
    now: () => NOW,
    logger,
    distributions,
    onRefused: (reason) => void refused.push(reason),
  });
  refused = [];
});

afterEach(() => {
  cloudFront.reset();
  dynamo.reset();
  sqs.reset();
});

let n = 0;
function record(body: unknown): SQSRecord {
  n += 1;
  return { messageId: `m-${n}`, body: typeof body === 'string' ? body : JSON.stringify(body) } as SQSRecord;
}
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const time = new Date(NOW).toISOString();
const deploy = (id: string, paths: string[], distributionId = 'E1WEB') => ({
  id,
  source: 'headroom.deploy',
  'detail-type': 'Deployment Completed',
  time,
  detail: { distributionId, paths },
});
const objectCreated = (id: string, key: string, bucket = 'site-assets') => ({
  id,
  source: 'aws.s3',
  'detail-type': 'Object Created',
  time,
  detail: { bucket: { name: bucket }, object: { key } },
});
const created = () => cloudFront.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input);

describe('invalidate: deploy events reach only configured distributions', () => {
  it('refuses a deploy naming any other distribution: nothing invalidated, logged with its sender, counted', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const foreign = record({ ...deploy('d9', ['/'], 'EOTHERTEAM'), account: '123456789012' });
    const response = await invalidate(batch(foreign, record(deploy('d10', ['/a.html']))));
    expect(response.batchItemFailures).toEqual([]);
    expect(created().map((c) => c?.DistributionId)).toEqual(['E1WEB']);
    expect(refused).toEqual(['distribution-not-configured']);
    expect(warn).toHaveBeenCalledWith('event refused', {
      reason: 'distribution-not-configured',
      distributionId: 'EOTHERTEAM',
      sender: { account: '123456789012', source: 'headroom.deploy', eventId: 'd9' },
      messageId: foreign.messageId,
    });
  });

  it('takes the configured distributions: the parameter’s and those ServicesJson declares, not tagged ones', () => {
    expect([...distributions].sort()).toEqual(['E1WEB', 'E2SITE', 'E3OTHER', 'E9GONE']);
  });
});

describe('invalidate', () => {
  it('coalesces the deploys of one window into one invalidation per distribution and counts its cost', async () => {
    const response = await invalidate(
      batch(
        record(deploy('d1', ['/index.html', '/app.js'])),
        record(deploy('d2', ['/app.js', '/about.html'])),
        record(objectCreated('o1', 'img/logo v2.png')),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(created().map((i) => [i?.DistributionId, i?.InvalidationBatch?.Paths?.Items])).toEqual([
      ['E1WEB', ['/about.html', '/app.js', '/index.html']],
      ['E2SITE', ['/img/logo%20v2.png']],
    ]);
    expect(created()[0]?.InvalidationBatch?.CallerReference).toMatch(/^headroom-[0-9a-f]{48}$/);
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input).toMatchObject({
      Key: { id: { S: 'cdn-invalidation-paths#2026-11' } },
      ExpressionAttributeValues: { ':n': { N: '3' } },
    });
  });

  it('sends the same CallerReference when the same batch is retried', async () => {
    const messages = [record(deploy('d1', ['/a.html']))];
    await invalidate(batch(...messages));
    await invalidate(batch(...messages));
    const [first, second] = created().map((i) => i?.InvalidationBatch?.CallerReference);
    expect(first).toBe(second);
  });

  it('defers what does not fit under the in-progress limits, and sends it back delayed', async () => {
    cloudFront.on(ListInvalidationsCommand).resolves({
      InvalidationList: {
        Items: [{ Id: 'busy', Status: 'InProgress', CreateTime: new Date(NOW) }],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
        Quantity: 1,
      },
    });
    cloudFront.on(GetInvalidationCommand).resolves({
      Invalidation: {
        Id: 'busy',
        Status: 'InProgress',
        CreateTime: new Date(NOW),
        InvalidationBatch: {
          CallerReference: 'x',
          Paths: { Quantity: 15, Items: Array.from({ length: 15 }, (_, i) => `/d${i}/*`) },
        },
      },
    });
    const response = await invalidate(batch(record(deploy('d1', ['/img/*', '/a.html']))));
    expect(response.batchItemFailures).toEqual([]);
    expect(created().map((i) => i?.InvalidationBatch?.Paths?.Items)).toEqual([['/a.html']]);
    const deferred = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(deferred?.DelaySeconds).toBe(300);
    expect(JSON.parse(deferred?.MessageBody ?? '{}')).toMatchObject({
      kind: 'deferred',
      requests: [{ path: '/img/*', sourceId: 'd1' }],
    });
  });

  it('defers everything when CloudFront says too many invalidations are in progress', async () => {
    cloudFront.on(CreateInvalidationCommand).rejects(
      new TooManyInvalidationsInProgress({
        message:
          'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
        $metadata: {},
      }),
    );
    const response = await invalidate(batch(record(deploy('d1', ['/a.html']))));
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('fails only the messages behind an invalidation that failed otherwise, and the ones it cannot read', async () => {
    const errors = jest.spyOn(logger, 'error');
    cloudFront
      .on(CreateInvalidationCommand, { DistributionId: 'E1WEB' })
      .rejects(
        Object.assign(new Error('We encountered an internal error.'), { name: 'InternalServerError' }),
      );
    const broken = record(deploy('d1', ['/a.html']));
    const fine = record(deploy('d2', ['/b.html'], 'E3OTHER'));
    const badPath = record(deploy('d3', ['no-slash.html']));
    const otherBucket = record(objectCreated('o1', 'x.png', 'someone-elses-bucket'));
    const response = await invalidate(batch(broken, fine, badPath, otherBucket));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [broken.messageId, badPath.messageId, otherBucket.messageId].sort(),
    );
    const logged = JSON.stringify(errors.mock.calls);
    expect(logged).toContain("detail.paths.0: must begin with '/'");
    expect(logged).toContain('someone-elses-bucket');
  });
});

describe('invalidate: failures stay with their own paths, and the kill switch stops it', () => {
  it('an unknown distribution fails only its own messages; the others are invalidated', async () => {
    cloudFront
      .on(ListInvalidationsCommand, { DistributionId: 'E9GONE' })
      .rejects(
        new NoSuchDistribution({ message: 'The specified distribution does not exist.', $metadata: {} }),
      );
    const gone = record(deploy('d1', ['/a.html'], 'E9GONE'));
    const fine = record(deploy('d2', ['/b.html']));
    const alsoFine = record(deploy('d3', ['/c.html']));
    const response = await invalidate(batch(gone, fine, alsoFine));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: gone.messageId }]);
    expect(created().map((i) => [i?.DistributionId, i?.InvalidationBatch?.Paths?.Items])).toEqual([
      ['E1WEB', ['/b.html', '/c.html']],
    ]);
  });

  it('creates no invalidation while the kill switch is on; the messages come back', async () => {
    dynamo.on(GetItemCommand).resolves({
      Item: { pk: { S: 'advisor' }, sk: { S: 'kill-switch' }, on: { BOOL: true } },
    });
    const first = record(deploy('d1', ['/a.html']));
    const second = record(objectCreated('o1', 'x.png'));
    const response = await invalidate(batch(first, second));
    expect(created()).toEqual([]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [first.messageId, second.messageId].sort(),
    );
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'state',
      ConsistentRead: true,
    });
  });
});

describe('invalidate sample events', () => {
  const dir = resolve(import.meta.dirname, '../../events/invalidate');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s', async (file) => {
    const event = JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as SQSEvent;
    const response = await invalidate(event);
    expect(response.batchItemFailures.length > 0).toBe(file.startsWith('malformed'));
    if (!file.startsWith('malformed'))
      expect(cloudFront.commandCalls(CreateInvalidationCommand).length).toBeGreaterThan(0);
  });
});
