/**
 * The same faults one layer down, where AWS produces them: the SDK's retry (backoff with jitter)
 * and timeouts against a loopback server, and the AWS adapters under the real use case with
 * aws-sdk-client-mock: PartialData from GetMetricData, a group deleted mid-flight, a rejected change,
 * EventBridge throttling some entries.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AutoScalingFleetControl,
  clientConfig,
  CloudWatchMetricsReader,
  DynamoStateStore,
  EventBridgePublisher,
  evaluateServices,
  SDK_TIMEOUTS,
} from '@headroom/core';
import { InMemoryEventPublisher, InMemoryStateStore } from '@headroom/lab/world/adapters.js';
import { tally } from './tally.js';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const MINUTE = 60_000;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('the SDK retry, against a loopback DynamoDB that throttles or hangs', () => {
  type Reply = { status: number; body: object } | 'hang';
  const replies: Reply[] = [];
  const hung: ServerResponse[] = [];
  let requests = 0;
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests += 1;
        const reply = replies.shift() ?? { status: 500, body: { message: 'no reply queued' } };
        if (reply === 'hang') return void hung.push(res);
        res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    replies.length = 0;
    requests = 0;
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const throttled: Reply = {
    status: 400,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
      message: 'Rate of requests exceeds the allowed throughput.',
    },
  };
  const empty: Reply = { status: 200, body: {} };

  /** The $metadata the retry middleware leaves on the answer: attempts and total delay. */
  async function readThrough(random: number) {
    jest.spyOn(Math, 'random').mockReturnValue(random);
    replies.push(throttled, empty);
    const client = new DynamoDBClient({ ...clientConfig({ region: 'eu-west-1' }), endpoint, credentials });
    const seen: { attempts?: number; totalRetryDelay?: number }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        seen.push(
          (result.output as { $metadata: { attempts?: number; totalRetryDelay?: number } }).$metadata,
        );
        return result;
      },
      { step: 'initialize' },
    );
    const state = await new DynamoStateStore(client, { tableName: 'headroom-state' }).getServiceState('web');
    client.destroy();
    tally.faultsInjected += 1;
    return { state, metadata: seen[0]! };
  }

  it('retries ThrottlingException with exponential backoff scaled by a random draw (full jitter)', async () => {
    const low = await readThrough(0.02);
    expect(low.state).toBeUndefined();
    expect(low.metadata.attempts).toBe(2);
    expect(requests).toBe(2);
    const high = await readThrough(0.1);
    // Throttling backs off from a 1 s base (doubling per retry), times the draw: full jitter.
    expect(low.metadata.totalRetryDelay).toBe(20);
    expect(high.metadata.totalRetryDelay).toBe(100);
  });

  it('bounds every call: the clients are built with connection and socket timeouts', () => {
    expect(clientConfig().requestHandler).toEqual(SDK_TIMEOUTS);
    expect(SDK_TIMEOUTS.socketTimeout).toBeLessThan(60_000 / 5);
  });

  it('a call that hangs times out and is retried, then succeeds', async () => {
    replies.push('hang', empty);
    // The configured timeout, shortened so the test does not wait 5 s for it.
    const client = new DynamoDBClient({
      ...clientConfig({ region: 'eu-west-1' }),
      requestHandler: { ...SDK_TIMEOUTS, socketTimeout: 200 },
      endpoint,
      credentials,
    });
    const state = await new DynamoStateStore(client, { tableName: 'headroom-state' }).getServiceState('web');
    client.destroy();
    expect(state).toBeUndefined();
    expect(requests).toBe(2);
    tally.faultsInjected += 1;
  });
});

describe('the AWS adapters under the real use case (aws-sdk-client-mock)', () => {
  const autoScaling = new AutoScalingClient({ region: 'eu-west-1' });
  const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
  const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
  const asg = mockClient(autoScaling);
  const cw = mockClient(cloudWatch);
  const eb = mockClient(eventBridge);
  const clock = { now: () => T0 };
  beforeEach(() => {
    asg.reset();
    cw.reset();
    eb.reset();
  });

  const group: AutoScalingGroup = {
    AutoScalingGroupName: 'web',
    MinSize: 1,
    MaxSize: 20,
    DesiredCapacity: 4,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-west-1a'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(T0 - 86_400_000),
    Instances: Array.from({ length: 4 }, (_, i) => ({
      InstanceId: `i-0000000000000000${i}`,
      AvailabilityZone: 'eu-west-1a',
      LifecycleState: 'InService' as const,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    })),
    Tags: [
      { Key: 'headroom:managed', Value: 'true' },
      { Key: 'headroom:mode', Value: 'apply' },
      { Key: 'headroom:min', Value: '1' },
    ],
  };

  /** CPU at `cpuPct` for the last five minutes; with `partial`, the read ends without its last page. */
  function metrics(cpuPct: number, partial: boolean) {
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const cpu = q.MetricStat?.Metric?.MetricName === 'CPUUtilization';
        const points = cpu ? [1, 2, 3, 4, 5].map((k) => T0 - k * MINUTE) : [];
        return {
          Id: q.Id,
          Timestamps: points.map((t) => new Date(t)),
          Values: points.map(() => cpuPct),
          StatusCode: partial && cpu ? 'PartialData' : 'Complete',
        };
      }),
      $metadata: { httpStatusCode: 200 },
    }));
  }

  function run() {
    const state = new InMemoryStateStore();
    const events = new InMemoryEventPublisher();
    const deps = {
      clock,
      metrics: new CloudWatchMetricsReader(cloudWatch),
      fleet: new AutoScalingFleetControl(autoScaling, { clock }),
      state,
      events,
    };
    return {
      state,
      events,
      report: evaluateServices(deps, { windowMinutes: 10, dailyActionBudget: 96 }),
    };
  }

  beforeEach(() => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  });

  it('GetMetricData PartialData on a calm service: noted, and no scale-in', async () => {
    metrics(15, true);
    asg.on(SetDesiredCapacityCommand).resolves({});
    const { report, state } = run();
    expect((await report).notes).toContain('web: incomplete read of cpuPct');
    expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
    expect(state.decisions[0]!.decision.rule).toBe('data/incomplete');
    tally.faultsInjected += 1;
  });

  it('the same read, complete, does want to scale in (so the test above can fail)', async () => {
    metrics(15, false);
    const { report, state } = run();
    await report;
    // Without ALB metrics the SLO is unknown, so the scale-in waits for a person's approval.
    expect(state.decisions.map((r) => [r.decision.action, r.outcome])).toEqual([
      ['scale-in', 'approval-required'],
    ]);
  });

  it('a group deleted mid-flight: ValidationError → refused, recorded, published as ActionFailed', async () => {
    metrics(95, false);
    asg.on(SetDesiredCapacityCommand).rejects(
      new AutoScalingServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'AutoScalingGroup name not found - web',
      }),
    );
    const { report, state, events } = run();
    expect((await report).services[0]!.message).toContain(
      '(invalid-request): AutoScalingGroup name not found',
    );
    expect(state.decisions.map((r) => [r.outcome, r.guardrails.at(-1)])).toEqual([
      ['blocked', 'action-failed'],
    ]);
    expect(events.events.map((e) => e.type)).toEqual(['ActionFailed']);
    tally.faultsInjected += 1;
  });

  it('EventBridge throttling some entries: retried by the publisher until they are in', async () => {
    const sleeps: number[] = [];
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e-1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    const publisher = new EventBridgePublisher(eventBridge, {
      eventBusName: 'headroom',
      sleep: async (ms) => void sleeps.push(ms),
    });
    const event = (serviceId: string) => ({ type: 'Recommendation' as const, serviceId, at: T0, detail: {} });
    await publisher.publish([event('web'), event('api')]);
    const calls = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length);
    expect(calls).toEqual([2, 1]);
    expect(sleeps).toHaveLength(1);
    tally.faultsInjected += 1;
  });

  it('EventBridge still throttling after every attempt: the publish fails loudly, naming the entries', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    const publisher = new EventBridgePublisher(eventBridge, {
      eventBusName: 'headroom',
      sleep: async () => {},
    });
    await expect(
      publisher.publish([{ type: 'ActionApplied', serviceId: 'web', at: T0, detail: {} }]),
    ).rejects.toThrow('1 event(s) not published after 3 attempt(s): ThrottlingException');
    tally.faultsInjected += 3;
  });
});
