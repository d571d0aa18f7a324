/**
 * Bad input, generated: every malformed event, message, config, trace or Slack request gets the
 * reader's own typed error with a message naming the field or line, never a crash of another kind,
 * and never a partial action. numRuns is bounded so the suite stays fast.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  advisorEventFromBus,
  AdvisorEventError,
  AlarmEventError,
  ConfigError,
  parseServiceConfig,
  parseServicesJson,
  parseSlackRequest,
  readAdvisorEvent,
  readAlarmEvent,
  slackSignature,
  SlackRequestError,
  verifySlackSignature,
} from '@headroom/core';
import { parseTrace, readTraceFile, TraceError } from '@headroom/lab/workloads/traceReader.js';
import { describeIssues, ScheduledRunSchema } from '../../functions/evaluate/schema.js';
import { changeRecord, changeWorker, type Worker } from './changeWorkerHarness.js';
import { IDEMPOTENCY_TABLE, startDynalite, STATE_TABLE, type LocalDynamo } from '../support/dynalite.js';
import { tally } from './tally.js';

const RUNS = 300;
let tried = 0;
afterEach(() => {
  tally.inputsTried += tried;
  tried = 0;
});

/** Runs `read` on the input: it answers, or throws `errorType` with a message matching `names`. */
function readsOrNames<T>(
  read: () => T,
  errorType: new (...args: never[]) => Error,
  names?: RegExp,
): T | undefined {
  tried += 1;
  try {
    return read();
  } catch (error) {
    expect(error).toBeInstanceOf(errorType);
    const message = (error as Error).message;
    expect(message.length).toBeGreaterThan(10);
    if (names) expect(message).toMatch(names);
    return undefined;
  }
}

/** Any JSON value, objects and arrays included, a few levels deep. */
const json = fc.jsonValue({ maxDepth: 3 });
/** A valid value with one field dropped, replaced by junk, or the whole thing replaced. */
function mutated<T extends Record<string, unknown>>(valid: T): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    json,
    fc.constantFrom(...keys).map((k) => {
      const { [k]: _dropped, ...rest } = valid;
      return rest;
    }),
    fc.tuple(fc.constantFrom(...keys), json).map(([k, v]) => ({ ...valid, [k]: v })),
  );
}

describe('the evaluate function’s scheduled event', () => {
  const valid = {
    scheduledTime: '2026-11-24T10:15:00Z',
    scheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/headroom-evaluate',
    executionId: 'd32c5kddcf5bb8c3',
    attemptNumber: '1',
  };
  it('is parsed, or refused with the failing field named', () => {
    fc.assert(
      fc.property(mutated(valid), (event) => {
        tried += 1;
        const parsed = ScheduledRunSchema.safeParse(event);
        if (parsed.success) return expect(Number.isInteger(parsed.data.attemptNumber)).toBe(true);
        const message = describeIssues(parsed.error.issues);
        expect(message).toMatch(/^(\(event\)|scheduledTime|scheduleArn|executionId|attemptNumber): /);
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });
});

describe('the evaluate handler itself', () => {
  type Handler = (event: unknown, context: unknown) => Promise<unknown>;
  let handler: Handler;
  let ScheduledEventErrorType: new (...args: never[]) => Error;
  const saved = { ...process.env };
  const quiet: { mockRestore(): void }[] = [];
  beforeAll(async () => {
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      // Dev mode logs through the global console, which is quietened below.
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      STATE_TABLE: 'headroom-state',
      EVENT_BUS_NAME: 'headroom-advisor',
      REMEDIATION_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate',
      ADVISOR_EVENTS_DLQ_URL:
        'https://sqs.eu-west-1.amazonaws.com/123456789012/headroom-AdvisorEventsDeadLetterQueue-1A2B3C',
      ACCOUNT_ID: '123456789012',
    });
    for (const level of ['log', 'info', 'warn', 'error'] as const)
      quiet.push(jest.spyOn(console, level).mockImplementation(() => undefined));
    ({ handler } = (await import('../../functions/evaluate/handler.js')) as unknown as { handler: Handler });
    ({ ScheduledEventError: ScheduledEventErrorType } = await import('../../functions/evaluate/schema.js'));
  });
  afterAll(() => {
    for (const spy of quiet) spy.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('refuses a malformed event with ScheduledEventError naming the field, before any AWS call', async () => {
    const context = { functionName: 'evaluate', awsRequestId: 'r', getRemainingTimeInMillis: () => 55_000 };
    const malformed = fc.oneof(
      json,
      fc.record(
        { scheduledTime: json, scheduleArn: json, executionId: json, attemptNumber: json },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(malformed, async (event) => {
        tried += 1;
        // No AWS client is mocked and there is no network: reaching AWS would fail with another error.
        const refused = await handler(event, context).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(ScheduledEventErrorType);
        expect((refused as Error).message).toMatch(
          /^scheduled event is malformed: (\(event\)|scheduledTime|scheduleArn|executionId|attemptNumber): /,
        );
      }),
      { numRuns: 50, seed: 11 },
    );
  });
});

describe('remediation’s alarm event', () => {
  const valid = {
    id: 'c4ca4238-a0b9-3382-8dcc-509a6f75849b',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    time: '2026-11-24T10:15:00Z',
    detail: { alarmName: 'headroom-web-p99', state: { value: 'ALARM', reason: 'Threshold crossed' } },
  };
  it('is read, or refused with AlarmEventError naming the field', () => {
    fc.assert(
      fc.property(mutated(valid), (event) => {
        const summary = readsOrNames(
          () => readAlarmEvent(event),
          AlarmEventError,
          /: (id|detail-type|source|time|detail[.\w]*|\(event\)): /,
        );
        if (summary) expect(Number.isFinite(summary.at)).toBe(true);
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });
});

describe('the change worker’s messages', () => {
  let dynamo: LocalDynamo;
  let worker: Worker;
  beforeAll(async () => {
    dynamo = await startDynalite();
    const persistence = new DynamoDBPersistenceLayer({
      tableName: IDEMPOTENCY_TABLE,
      awsSdkV3Client: dynamo.client,
    });
    worker = changeWorker(persistence, () => 0);
    worker.db.addSource('orders-db');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const valid = {
    kind: 'db-read-replicas',
    id: 'chg-fuzz-00000001',
    serviceId: 'web',
    resourceId: 'orders-db',
    delta: 1,
    requestedAt: 0,
    reason: 'db saturated',
  };
  it('a malformed body fails its record (SQS keeps it, then dead-letters it) and changes nothing', async () => {
    const bodies = fc.oneof(
      fc.string(),
      mutated(valid)
        .filter((m) => JSON.stringify(m) !== JSON.stringify(valid))
        .map((m) => JSON.stringify(m)),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        tried += 1;
        const before = worker.db.creates;
        let failed: boolean;
        try {
          failed = (await worker.handle([changeRecord(body, 'orders-db')])).batchItemFailures.length === 1;
        } catch (error) {
          // Every record of the batch failed: the invocation fails, SQS gets the batch back.
          failed = (error as Error).name === 'FullBatchFailureError';
        }
        const parses = (() => {
          try {
            const v = JSON.parse(body) as Record<string, unknown>;
            return v !== null && typeof v === 'object' && v['resourceId'] === 'orders-db';
          } catch {
            return false;
          }
        })();
        // A body that happens to be a valid change (a harmless mutation) may apply; junk never does.
        if (failed || !parses) expect(worker.db.creates).toBe(before);
        if (!parses) expect(failed).toBe(true);
      }),
      { numRuns: 100, seed: 3 },
    );
  });
});

describe('service config', () => {
  const keys = [
    'min',
    'max',
    'mode',
    'cpuTargetPct',
    'p99LatencyMs',
    'maxStepPct',
    'dbInstance',
    'serviceId',
    'tpyo',
  ];
  const value = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -5, max: 500 }),
    fc.boolean(),
    fc.double(),
    json,
  );
  const entry = fc.dictionary(
    fc.oneof(fc.constantFrom('autoScalingGroup', ...keys), fc.string({ maxLength: 8 })),
    value,
    {
      maxKeys: 5,
    },
  );
  it('parseServicesJson: services with min ≤ max, or a ConfigError naming the entry and key', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(entry, { maxLength: 3 }).map((a) => JSON.stringify(a)),
          json.map((j) => JSON.stringify(j)),
        ),
        (text) => {
          const services = readsOrNames(
            () => parseServicesJson(text),
            ConfigError,
            /^services(\[\d+\])? ?config|^services\[\d+\]: /,
          );
          for (const s of services ?? []) expect(s.capacity.min).toBeLessThanOrEqual(s.capacity.max);
        },
      ),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it('parseServiceConfig (tags): a service, or a ConfigError naming the group and the tag', () => {
    const tags = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'headroom:managed',
          'headroom:min',
          'headroom:max',
          'headroom:mode',
          'headroom:cpu-target-pct',
          'headroom:oops',
        ),
        fc.string({ maxLength: 12 }),
      ),
      fc.oneof(
        fc.constantFrom('true', '0', '5', '101', 'apply', 'advise', '', '-1', '1e3', 'NaN'),
        fc.string({ maxLength: 6 }),
      ),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(tags, (t) => {
        readsOrNames(
          () => parseServiceConfig('asg "web"', t, 'web'),
          ConfigError,
          /^asg "web": headroom:[\w-]+ "/,
        );
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });
});

describe('traces', () => {
  const stamp = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
  const minute = fc
    .integer({ min: 0, max: 30 * 1440 })
    .map((m) => new Date(Date.UTC(2026, 10, 1) + m * 60_000));
  const line = fc.oneof(
    fc.tuple(minute, fc.double({ min: 0, max: 1e6, noNaN: true })).map(([d, v]) => `${stamp(d)},${v}`),
    fc.tuple(fc.date({ noInvalidDate: true }), fc.double()).map(([d, v]) => `${stamp(d)},${v}`),
    fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a},${b}`),
    fc.string({ maxLength: 20 }),
  );
  const csv = fc.array(line, { maxLength: 6 }).map((lines) => ['timestamp,value', ...lines].join('\n'));
  it('parseTrace on CSV: a trace of finite values, or a TraceError naming the file (and line)', () => {
    fc.assert(
      fc.property(fc.oneof(csv, fc.string()), (text) => {
        const trace = readsOrNames(() => parseTrace(text, 'fuzz.csv'), TraceError, /^fuzz\.csv(:\d+)?: /);
        if (trace) for (const v of trace.values) expect(Number.isFinite(v)).toBe(true);
      }),
      { numRuns: RUNS, seed: 6 },
    );
  });

  it('parseTrace on CloudWatch JSON: a trace, or a TraceError naming the file and JSON path', () => {
    const export_ = fc.record(
      {
        MetricDataResults: fc.array(
          fc.record(
            {
              Id: fc.string(),
              Timestamps: fc.array(
                fc.oneof(
                  fc.string(),
                  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                ),
              ),
              Values: fc.array(fc.oneof(fc.double(), json)),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(json, export_), (value) => {
        readsOrNames(() => parseTrace(JSON.stringify(value), 'fuzz.json'), TraceError, /^fuzz\.json: /);
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it('a stray timestamp decades away is refused, not filled minute by minute until memory runs out', () => {
    const text = 'timestamp,value\n2026-11-01 00:00:00,1\n2026-11-01 00:00:01,2\n2046-11-01 00:00:00,3';
    readsOrNames(
      () => parseTrace(text, 'stray.csv'),
      TraceError,
      /^stray\.csv: first and last rows are \d+ intervals of 1 s apart/,
    );
    expect(tried).toBe(1);
  });

  it('readTraceFile on a path that is not there: a TraceError naming it', () => {
    readsOrNames(
      () => readTraceFile('/nonexistent/trace.csv'),
      TraceError,
      /^\/nonexistent\/trace\.csv: cannot read the file \(ENOENT\)/,
    );
    expect(tried).toBe(1);
  });
});

describe('Slack', () => {
  const SECRET = 'fuzz-signing-secret';
  const NOW_MS = Date.UTC(2026, 10, 24, 12, 0, 0);
  const ts = String(NOW_MS / 1000);

  it('signature verification never throws and accepts only the exact signed body', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.string()),
        fc.option(fc.string()),
        fc.string(),
        (body, timestamp, signature, tamper) => {
          tried += 1;
          expect(
            verifySlackSignature(
              { timestamp: timestamp ?? undefined, signature: signature ?? undefined, rawBody: body },
              SECRET,
              NOW_MS,
            ).valid,
          ).toBe(false);
          const signed = slackSignature(SECRET, ts, body);
          expect(
            verifySlackSignature({ timestamp: ts, signature: signed, rawBody: body }, SECRET, NOW_MS),
          ).toEqual({ valid: true });
          if (tamper !== '')
            expect(
              verifySlackSignature(
                { timestamp: ts, signature: signed, rawBody: body + tamper },
                SECRET,
                NOW_MS,
              ).valid,
            ).toBe(false);
        },
      ),
      { numRuns: RUNS, seed: 8 },
    );
  });

  it('interaction payloads: a request, or a SlackRequestError saying what is wrong', () => {
    const payload = fc.oneof(
      json,
      fc.record(
        {
          type: fc.constantFrom('block_actions', 'view_submission', 'shortcut'),
          user: fc.oneof(json, fc.record({ id: fc.string() })),
          actions: fc.oneof(
            json,
            fc.array(
              fc.record(
                { action_id: fc.string(), value: fc.option(fc.string(), { nil: undefined }) },
                { requiredKeys: [] },
              ),
            ),
          ),
          response_url: fc.oneof(
            fc.constantFrom('https://hooks.slack.com/actions/T1/1/abc', 'not a url'),
            fc.string(),
          ),
        },
        { requiredKeys: ['type'] },
      ),
    );
    const body = fc.oneof(
      payload.map((p) => `payload=${encodeURIComponent(JSON.stringify(p))}`),
      fc.string(),
      payload.map((p) => JSON.stringify(p)),
    );
    const contentType = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      undefined,
    );
    fc.assert(
      fc.property(body, contentType, (raw, type) => {
        const request = readsOrNames(() => parseSlackRequest(raw, type), SlackRequestError);
        if (request?.kind === 'button-click') expect(request.value.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS, seed: 9 },
    );
  });

  describe('the interactions handler (signed junk is answered 4xx and executes nothing)', () => {
    const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:headroom/slack-signing-AbCdEf';
    // Created here, not at collection, so the stubs live only while this block runs.
    const stubs: { restore(): void }[] = [];
    let stepFunctionsCalls = () => 0;
    const saved = { ...process.env };
    const quiet: { mockRestore(): void }[] = [];
    let dynamo: LocalDynamo;
    let interact: (event: unknown) => Promise<{ statusCode?: number }>;
    beforeAll(async () => {
      dynamo = await startDynalite();
      const secrets = mockClient(SecretsManagerClient);
      const sfn = mockClient(SFNClient);
      secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
      sfn.onAnyCommand().resolves({});
      stubs.push(secrets, sfn);
      stepFunctionsCalls = () => sfn.calls().length;
      Object.assign(process.env, {
        SLACK_SIGNING_SECRET_ARN: SECRET_ARN,
        STATE_TABLE,
        ALLOWED_SLACK_USER_IDS: 'U024BE7LH',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        POWERTOOLS_DEV: 'true',
      });
      for (const level of ['log', 'info', 'warn', 'error'] as const)
        quiet.push(jest.spyOn(console, level).mockImplementation(() => undefined));
      const module = await import('../../functions/interactions/handler.js');
      interact = (event) => module.handler(event as never, {} as never) as Promise<{ statusCode?: number }>;
    });
    afterAll(async () => {
      for (const spy of quiet) spy.mockRestore();
      for (const stub of stubs) stub.restore();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await dynamo.close();
    });

    const request = (body: string, contentType: string, signature?: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      return {
        version: '2.0',
        headers: {
          'content-type': contentType,
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signature ?? slackSignature(SECRET, timestamp, body),
        },
        requestContext: { http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '3.3.3.3' } },
        body,
        isBase64Encoded: false,
      };
    };

    it('signed or forged, malformed bodies never reach Step Functions or the approvals', async () => {
      const body = fc.oneof(
        fc.string(),
        json.map((j) => `payload=${encodeURIComponent(JSON.stringify(j))}`),
        fc
          .record(
            { type: fc.constant('block_actions'), user: json, actions: json },
            { requiredKeys: ['type'] },
          )
          .map((p) => `payload=${encodeURIComponent(JSON.stringify(p))}`),
      );
      const contentType = fc.constantFrom(
        'application/x-www-form-urlencoded',
        'application/json',
        'text/html',
      );
      await fc.assert(
        fc.asyncProperty(body, contentType, fc.boolean(), async (raw, type, forged) => {
          tried += 1;
          const response = await interact(request(raw, type, forged ? 'v0=' + 'f'.repeat(64) : undefined));
          if (forged) expect(response.statusCode).toBe(401);
          else expect([200, 400]).toContain(response.statusCode);
          expect(stepFunctionsCalls()).toBe(0);
        }),
        { numRuns: 100, seed: 12 },
      );
    });
  });

  it('advisor events from the bus (the notifier’s input): typed, or an AdvisorEventError naming detail.<field>', () => {
    const detailType = fc.constantFrom(
      'Recommendation',
      'ActionApplied',
      'ApprovalRequested',
      'ActionFailed',
      'RemediationCompleted',
      'Bogus',
    );
    const detail = fc.oneof(
      json,
      fc.record(
        {
          serviceId: fc.oneof(fc.string(), json),
          at: fc.oneof(fc.integer(), json),
          decision: json,
          outcome: json,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(detailType, detail, (type, d) => {
        readsOrNames(
          () => readAdvisorEvent(advisorEventFromBus(type, d)),
          AdvisorEventError,
          /unknown advisor event type|detail\.[\w.()]+: /,
        );
      }),
      { numRuns: RUNS, seed: 10 },
    );
  });
});
