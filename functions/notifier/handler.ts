/**
 * Notifier: target of the advisor bus's rules, on two paths (slack/digest.ts says why).
 * - At once: ApprovalRequested, ActionFailed and RemediationCompleted, each its own Slack message,
 *   straight from the bus. Approval requests are stored (with their task token) before the message
 *   goes out, so a button never points at nothing. Any failure throws: EventBridge/Lambda retry,
 *   then the dead-letter queue keeps the event. EventBridge delivers at least once, so each event id
 *   is handled once (Powertools idempotency): a second copy posts nothing, while a failed attempt
 *   leaves no record and its retry posts.
 * - In digests: Recommendation and ActionApplied, which the bus queues on NotificationDigestQueue;
 *   a batch becomes digest posts of up to 100 services, paced by a rate all invocations share.
 *   A post that fails, or that the deadline leaves for later, returns its events to the queue
 *   (partial batch response); after maxReceiveCount they are kept on the dead-letter queue.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context, EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  DIGEST_RATE,
  DynamoApprovalRequests,
  DynamoPostedEvents,
  DynamoRateBucket,
  SlackWebhook,
  advisorEventFromBus,
  clientConfig,
  describeDecision,
  digestPosts,
  noticeFor,
  parseWebhookSecret,
  readAdvisorEvent,
  sendHeartbeat,
  slackMessageFor,
  type DigestItem,
  type WebhookTarget,
  mapStackTracesWhenPrinted,
} from '@headroom/core';

mapStackTracesWhenPrinted();
const logger = new Logger({ serviceName: 'headroom-notifier' });
const metrics = new Metrics({ serviceName: 'headroom-notifier' });

/** An event the notifier will not act on: logged with who sent it, and counted (RefusedEvents). */
function refuse(
  event: EventBridgeEvent<string, unknown>,
  reason: string,
  detail: Record<string, unknown>,
): void {
  logger.warn('event refused', {
    reason,
    sender: { account: event.account, source: event.source, eventId: event.id },
    ...detail,
  });
  const metric = metrics.singleMetric();
  metric.addDimension('reason', reason);
  metric.addMetric('RefusedEvents', MetricUnit.Count, 1);
}
const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};
const env = {
  webhookSecretArn: required('SLACK_WEBHOOK_SECRET_ARN'),
  tableName: required('STATE_TABLE'),
  idempotencyTable: required('IDEMPOTENCY_TABLE'),
  region: required('AWS_REGION'),
};
/** Secrets are re-read at most every five minutes: a rotated webhook is picked up without a deploy. */
const SECRET_MAX_AGE_SECONDS = 300;
/** Left for logging and the error path when the Lambda's own timeout approaches. */
const DEADLINE_MARGIN_MS = 1_000;
/** A day: longer than any redelivery of one event (EventBridge and Lambda give up after an hour each). */
const IDEMPOTENCY_SECONDS = 24 * 3600;
/** Time a digest post may take (its attempts and Slack's retries), kept free before the deadline. */
const POST_BUDGET_MS = 10_000;
/** Digest posts a second, all invocations together (default DIGEST_RATE: half of Slack's channel rate). */
const digestRate = {
  ...DIGEST_RATE,
  perSecond: Number(process.env['SLACK_DIGEST_PER_SECOND'] ?? DIGEST_RATE.perSecond),
};
if (!(digestRate.perSecond > 0)) {
  throw new Error(
    `SLACK_DIGEST_PER_SECOND must be a number > 0, got ${process.env['SLACK_DIGEST_PER_SECOND']}`,
  );
}
/** Digest posts pace on the shared bucket; its own local bucket at the same rate never adds a wait. */
const digestWebhook = new SlackWebhook({ rate: digestRate });

const webhook = new SlackWebhook();
const dynamo = new DynamoDBClient(clientConfig());
const approvals = new DynamoApprovalRequests(dynamo, { tableName: env.tableName });
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: env.idempotencyTable,
  awsSdkV3Client: dynamo,
});
const sfn = new SFNClient(clientConfig());
const postedEvents = new DynamoPostedEvents(dynamo, { tableName: env.idempotencyTable });

async function webhookTarget(): Promise<WebhookTarget> {
  const secret = await getSecret(env.webhookSecretArn, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof secret !== 'string') throw new Error('Slack webhook secret has no SecretString');
  return parseWebhookSecret(secret);
}

export async function notify(event: EventBridgeEvent<string, unknown>, context: Context): Promise<void> {
  const typed = readAdvisorEvent(advisorEventFromBus(event['detail-type'], event.detail));
  logger.appendKeys({ eventType: typed.type, serviceId: typed.event.serviceId });
  if (typed.type === 'ApprovalRequested') {
    const { approvalId, taskToken, expiresAt, summary, decision } = typed.detail;
    const saved = await approvals.savePending({
      approvalId,
      taskToken,
      serviceId: typed.event.serviceId,
      summary: summary ?? (decision ? describeDecision(decision) : approvalId),
      requestedAt: typed.event.at,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    // A stored approval is never overwritten, and a request that would overwrite one is not posted.
    if (saved === 'refused') return refuse(event, 'approval-exists', { approvalId });
  }
  const message = slackMessageFor(noticeFor(typed, env.region));
  const target = await webhookTarget();
  const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  const result = await webhook.post(target.url, target.channel, message, deadline);
  logger.info('posted to Slack', { channel: target.channel, ...result });
  if (typed.type === 'ApprovalRequested')
    await confirmDelivery(typed.detail.approvalId, typed.detail.taskToken);
}

/**
 * The heartbeat tells us whether the workflow is still waiting: if it has stopped, the approval is
 * marked expired so a click answers "expired" instead of failing. The message is out, so a failure
 * here must not throw: a retry would post it twice.
 */
async function confirmDelivery(approvalId: string, taskToken: string): Promise<void> {
  try {
    if ((await sendHeartbeat(sfn, taskToken, 2_000)) === 'task-gone') {
      await approvals.markExpired(approvalId);
      logger.warn('the workflow stopped waiting before the request was posted', { approvalId });
    }
  } catch (error) {
    logger.warn('heartbeat to the waiting workflow failed', {
      approvalId,
      error: error instanceof Error ? error.name : String(error),
    });
  }
}

const config = new IdempotencyConfig({
  eventKeyJmesPath: 'id',
  expiresAfterSeconds: IDEMPOTENCY_SECONDS,
  // Without an id the event could not be told from its copies; it fails rather than risk two posts.
  throwOnNoIdempotencyKey: true,
  responseHook: (response) => {
    logger.info('event already notified; not posting it again');
    return response;
  },
});
// The records share the change worker's table; template.yaml lets the notifier touch only `notifier#*` keys.
const notifyOnce = makeIdempotent(notify, { persistenceStore, config, keyPrefix: 'notifier' });

/** Logged with its safe message (none of ours carries the URL), then rethrown for the retries and the DLQ. */
async function notifyOrLog(event: EventBridgeEvent<string, unknown>, context: Context): Promise<void> {
  // An attempt cut short by the Lambda timeout stays "in progress" only until then, not for a day.
  config.registerLambdaContext(context);
  logger.appendKeys({ eventId: event.id });
  try {
    await notifyOnce(event, context);
  } catch (error) {
    logger.error('notification failed', error instanceof Error ? error : String(error));
    throw error;
  }
}

/** One batch of routine events as digest posts; returns the events to deliver again. */
export async function postDigests(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  const again: string[] = [];
  const items: DigestItem[] = [];
  /** Queue message id → the bus event's id, which stays the same however often it is delivered. */
  const eventOf = new Map<string, string>();
  for (const record of event.Records) {
    try {
      const bus = JSON.parse(record.body) as EventBridgeEvent<string, unknown>;
      const typed = readAdvisorEvent(advisorEventFromBus(bus['detail-type'], bus.detail));
      items.push({ id: record.messageId, notice: noticeFor(typed, env.region) });
      eventOf.set(record.messageId, bus.id);
    } catch (error) {
      // Unreadable now, unreadable on every delivery: it reaches the dead-letter queue and its alarm.
      logger.error('digest event unreadable', {
        messageId: record.messageId,
        error: error instanceof Error ? error.message : String(error),
      });
      again.push(record.messageId);
    }
  }
  const target = await webhookTarget();
  const pace = new DynamoRateBucket(dynamo, {
    tableName: env.idempotencyTable,
    key: `notifier#digest-rate#${target.channel}`,
  });
  const posts = digestPosts(await notYetPosted(items, eventOf));
  let posted = 0;
  for (const [index, post] of posts.entries()) {
    const slot = await pace.reserve(Date.now(), digestRate, deadline - POST_BUDGET_MS);
    if (slot.waitMs === undefined) {
      logger.info('digest posts left for the next delivery', { why: slot.why, left: posts.length - index });
      for (const rest of posts.slice(index)) again.push(...rest.ids);
      break;
    }
    if (slot.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.waitMs));
    try {
      await digestWebhook.post(target.url, target.channel, post.message, deadline);
      posted += 1;
      await markPosted(post.ids.map((id) => eventOf.get(id) ?? id));
    } catch (error) {
      logger.error('digest post failed', error instanceof Error ? error : String(error));
      again.push(...post.ids);
    }
  }
  logger.info('digests posted', { channel: target.channel, events: items.length, posts: posted });
  return { batchItemFailures: again.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * The items whose event no earlier delivery posted, each event once. Marks that cannot be read
 * leave every item in: a service posted twice is better than advice lost.
 */
async function notYetPosted(items: readonly DigestItem[], eventOf: ReadonlyMap<string, string>) {
  let done = new Set<string>();
  try {
    done = await postedEvents.posted([...eventOf.values()]);
  } catch (error) {
    logger.warn('digest marks unreadable; services may be posted again', { error: messageOf(error) });
  }
  const seen = new Set<string>();
  const fresh = items.filter((item) => {
    const eventId = eventOf.get(item.id) ?? item.id;
    if (done.has(eventId) || seen.has(eventId)) return false;
    seen.add(eventId);
    return true;
  });
  if (fresh.length < items.length)
    logger.info('digest events already posted, acknowledged without a post', {
      events: items.length - fresh.length,
    });
  return fresh;
}

/** Once posted, the events stay posted: a mark that fails is logged, not retried through the queue. */
async function markPosted(eventIds: readonly string[]): Promise<void> {
  try {
    await postedEvents.markPosted(eventIds, Date.now());
  } catch (error) {
    logger.warn('digest posted but not marked; a redelivery would post it again', {
      error: messageOf(error),
    });
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The bus's events one at a time, the digest queue's a batch at a time. */
async function route(
  event: EventBridgeEvent<string, unknown> | SQSEvent,
  context: Context,
): Promise<void | SQSBatchResponse> {
  if ('Records' in event) return postDigests(event, context);
  return notifyOrLog(event, context);
}

export const handler = middy(route).use(injectLambdaContext(logger, { resetKeys: true }));
