/**
 * Runs the real Lambda handlers on simulated time. Every SDK client's calls are answered by the
 * simulated account (a middleware below the SDK's retry, so throttling is retried and backed off
 * as in Lambda); timers and Date are fake, so a call's latency, a retry's back-off and the
 * compute measured between them advance one simulated clock. SQS event sources start one
 * invocation per message (batch size 1), at most `maxConcurrency` at a time (Lambda's SQS
 * scaling: 5 at first, 300 more a minute), redeliver a failed message after its visibility
 * timeout and dead-letter it after `maxReceives`.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { SimulatedAws } from './simulatedAws.js';

const require = createRequire(import.meta.url);

interface FakeClock {
  now: number;
  nextAsync(): Promise<number>;
  tick(ms: number): number;
  countTimers(): number;
  uninstall(): void;
}
const FakeTimers = require('@sinonjs/fake-timers') as {
  install(config: {
    now: number;
    toFake: string[];
    loopLimit?: number;
    shouldClearNativeTimers?: boolean;
  }): FakeClock;
};

export type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

export interface LambdaContext {
  functionName: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  invokedFunctionArn: string;
  functionVersion: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export interface FunctionSpec {
  name: string;
  memoryMb: number;
  timeoutMs: number;
  handler: Handler;
}

export interface QueueSpec {
  url: string;
  fn: FunctionSpec;
  /** ScalingConfig.MaximumConcurrency of the event source; Lambda's own scaling otherwise. */
  maxConcurrency?: number;
  visibilityTimeoutMs: number;
  maxReceives: number;
}

export interface InvocationRecord {
  fn: string;
  memoryMb: number;
  start: number;
  end: number;
  cold: boolean;
  error?: string;
  /** The queue message body, for shard invocations. */
  body?: string;
}

interface Message {
  body: string;
  receives: number;
  visibleAt: number;
}

interface QueueState {
  spec: QueueSpec;
  waiting: Message[];
  active: number;
  firstAt?: number;
  deadLetters: string[];
}

/** Lambda's init of a Node 22 function with the layer, ms (the first invocation of an instance). */
const COLD_START_MS = 450;
const WARM_START_MS = 15;
/** SQS long polling hands a message to a poller this long after it is sent. */
const POLL_MS = 30;

export class Engine {
  readonly invocations: InvocationRecord[] = [];
  private readonly queues = new Map<string, QueueState>();
  private readonly idle = new Map<string, number>();
  private running = 0;
  private clock: FakeClock | undefined;
  private restoreSend: (() => void) | undefined;
  private peakConcurrent = 0;

  constructor(
    private readonly aws: SimulatedAws,
    /** fixedStepMs: simulated time per step instead of the real time it took (tests). */
    private readonly options: { fixedStepMs?: number } = {},
  ) {
    aws.onDelivery((url, body, at) => this.enqueue(url, body, at));
  }

  /** Fake timers from `start`, and every SDK client answered by the simulated account. */
  install(start: number): void {
    this.clock = FakeTimers.install({
      now: start,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      loopLimit: 10_000_000,
      shouldClearNativeTimers: true,
    });
    // Modules that import { setTimeout } from 'node:timers' (middy's early timeout) see the fake too.
    syncBuiltinESMExports();
    const { Client } = require('@smithy/core/client') as {
      Client: { prototype: { send: (...args: unknown[]) => unknown } };
    };
    const send = Client.prototype.send;
    // Clients outlive a run (the handlers build them once): their middleware asks whichever account runs.
    current.aws = this.aws;
    Client.prototype.send = function patched(this: SdkClient, ...args: unknown[]) {
      if (!this.simulated) {
        this.middlewareStack.add(simulatedAwsMiddleware(), {
          step: 'deserialize',
          name: 'simulatedAws',
          priority: 'high',
        });
        this.simulated = true;
      }
      return send.apply(this, args);
    };
    this.restoreSend = () => {
      Client.prototype.send = send;
    };
  }

  uninstall(): void {
    this.clock?.uninstall();
    syncBuiltinESMExports();
    this.restoreSend?.();
  }

  now(): number {
    return Date.now();
  }

  addQueue(spec: QueueSpec): void {
    this.queues.set(spec.url, { spec, waiting: [], active: 0, deadLetters: [] });
  }

  deadLetters(url: string): readonly string[] {
    return this.queues.get(url)?.deadLetters ?? [];
  }

  /** Invokes `fn` with `event` at simulated time `at` (a schedule's tick). */
  invokeAt(fn: FunctionSpec, event: unknown, at: number): void {
    setTimeout(() => void this.invoke(fn, event), Math.max(0, at - Date.now()));
  }

  /** Invokes `fn` with one queue message `body` now, outside any event source (a re-run). */
  invokeWithMessage(fn: FunctionSpec, url: string, body: string): void {
    void this.invoke(fn, { Records: [sqsRecord(url, { body, receives: 1, visibleAt: Date.now() })] }, body);
  }

  /** Peak concurrent executions over the run (Lambda's Region quota is 1,000). */
  peakConcurrency(): number {
    return this.peakConcurrent;
  }

  /**
   * Runs until nothing is left to do. The real time each step takes (the handlers' compute, and
   * the simulator's own: a conservative count) is added to simulated time.
   */
  async runUntilIdle(onStep?: () => void, maxSteps = 50_000_000): Promise<void> {
    const clock = this.clock;
    if (clock === undefined) throw new Error('install() the engine first');
    let idleChecks = 0;
    for (let step = 0; step < maxSteps; step += 1) {
      if (clock.countTimers() === 0) {
        if (this.running === 0) return;
        // Something real may still be settling (a file read, a promise chain across macrotasks).
        if (idleChecks < 1_000) {
          idleChecks += 1;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        throw new Error(`${this.running} invocation(s) wait on nothing the simulation will answer`);
      }
      idleChecks = 0;
      const t0 = performance.now();
      await clock.nextAsync();
      onStep?.();
      const spent = performance.now() - t0;
      const step = this.options.fixedStepMs ?? spent;
      if (step > 0.01) clock.tick(step);
    }
    throw new Error(`the simulation did not settle in ${maxSteps} steps`);
  }

  /** While muted, messages sent are dropped (a planner measured alone, without its shards). */
  muted = false;

  private enqueue(url: string, body: string, at: number): void {
    if (this.muted) return;
    const queue = this.queues.get(url);
    if (queue === undefined) return; // a queue nobody polls (the advisor-events dead-letter queue)
    queue.firstAt ??= at;
    queue.waiting.push({ body, receives: 0, visibleAt: at + POLL_MS });
    setTimeout(() => this.poll(queue), Math.max(0, at + POLL_MS - Date.now()));
  }

  private concurrencyOf(queue: QueueState): number {
    const minutes = (Date.now() - (queue.firstAt ?? Date.now())) / 60_000;
    const lambda = Math.min(1_000, 5 + Math.floor(300 * minutes));
    return Math.min(lambda, queue.spec.maxConcurrency ?? lambda);
  }

  private poll(queue: QueueState): void {
    const now = Date.now();
    while (queue.active < this.concurrencyOf(queue)) {
      const index = queue.waiting.findIndex((m) => m.visibleAt <= now);
      if (index < 0) break;
      const [message] = queue.waiting.splice(index, 1) as [Message];
      message.receives += 1;
      queue.active += 1;
      const event = { Records: [sqsRecord(queue.spec.url, message)] };
      void this.invoke(queue.spec.fn, event, message.body).then((ok) => {
        queue.active -= 1;
        if (!ok) {
          if (message.receives >= queue.spec.maxReceives) queue.deadLetters.push(message.body);
          else {
            message.visibleAt = Date.now() + queue.spec.visibilityTimeoutMs;
            queue.waiting.push(message);
            setTimeout(() => this.poll(queue), queue.spec.visibilityTimeoutMs);
          }
        }
        this.poll(queue);
      });
    }
    // Messages held back by the concurrency limit are polled again as the limit grows.
    if (queue.waiting.length > 0 && queue.active === 0) setTimeout(() => this.poll(queue), 1_000);
  }

  private async invoke(fn: FunctionSpec, event: unknown, body?: string): Promise<boolean> {
    this.running += 1;
    this.peakConcurrent = Math.max(this.peakConcurrent, this.running);
    const warm = (this.idle.get(fn.name) ?? 0) > 0;
    if (warm) this.idle.set(fn.name, (this.idle.get(fn.name) ?? 0) - 1);
    const start = Date.now();
    await sleep(warm ? WARM_START_MS : COLD_START_MS);
    const deadline = Date.now() + fn.timeoutMs;
    const record: InvocationRecord = { fn: fn.name, memoryMb: fn.memoryMb, start, end: start, cold: !warm };
    if (body !== undefined) record.body = body;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        fn.handler(event, contextOf(fn, deadline, this.invocations.length)),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Task timed out after ${fn.timeoutMs / 1000} seconds`)),
            fn.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    } finally {
      clearTimeout(timer);
    }
    record.end = Date.now();
    this.invocations.push(record);
    this.running -= 1;
    this.idle.set(fn.name, (this.idle.get(fn.name) ?? 0) + 1);
    return record.error === undefined;
  }
}

interface SdkClient {
  simulated?: boolean;
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;

const current: { aws?: SimulatedAws } = {};

function simulatedAwsMiddleware() {
  return (_next: Next, context: { clientName?: string; commandName?: string }) =>
    async (args: { input: Record<string, unknown> }) => {
      const service = (context.clientName ?? '').replace(/Client$/, '');
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const aws = current.aws;
      if (aws === undefined) throw new Error('no simulated account is running');
      const answer = aws.call(service, operation, args.input, Date.now());
      await sleep(answer.latencyMs);
      if ('error' in answer && answer.error !== undefined) throw answer.error;
      const output = 'output' in answer ? answer.output : {};
      return {
        response: { statusCode: 200, headers: {} },
        output: { ...output, $metadata: { httpStatusCode: 200, requestId: `sim-${Date.now()}` } },
      };
    };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sqsRecord(url: string, message: Message) {
  const queue = url.split('/').at(-1) ?? 'queue';
  return {
    messageId: `msg-${message.visibleAt}-${message.receives}`,
    receiptHandle: 'handle',
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receives),
      SentTimestamp: String(message.visibleAt),
      SenderId: 'sim',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
    awsRegion: 'us-east-1',
  };
}

function contextOf(fn: FunctionSpec, deadline: number, n: number): LambdaContext {
  return {
    functionName: fn.name,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: `req-${n}`,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn.name}`,
    functionVersion: '$LATEST',
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'sim',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
