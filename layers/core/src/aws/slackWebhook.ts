/**
 * Posts messages to a Slack incoming webhook: paced per channel, retried per the pure policy in
 * slack/retry.ts. The webhook URL is a credential (whoever holds it can post), so it never
 * appears in an error, a log line or a thrown message: failures say only what happened.
 */
import { reserveSlot, SLACK_CHANNEL_RATE, type RateLimit, type TokenBucket } from '../slack/rateLimit.js';
import { nextStep, SLACK_RETRY_POLICY, type PostOutcome, type RetryPolicy } from '../slack/retry.js';

export class SlackPostError extends Error {
  constructor(
    readonly why: string,
    readonly attempts: number,
  ) {
    super(`Slack webhook post failed: ${why}`);
    this.name = 'SlackPostError';
  }
}

export interface SlackWebhookOptions {
  /** Per-attempt timeout, ms (default 3000). */
  attemptTimeoutMs?: number;
  policy?: RetryPolicy;
  rate?: RateLimit;
  /** Injected so tests and the pacing run on a known clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface PostResult {
  attempts: number;
  /** Total time spent waiting for the rate limit and retries, ms. */
  waitedMs: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Read by shape, not `instanceof`: fetch's errors may come from another realm (jest's VM, for one). */
function fieldOf(value: unknown, field: 'name' | 'code' | 'cause'): unknown {
  return typeof value === 'object' && value !== null && field in value
    ? (value as Record<string, unknown>)[field]
    : undefined;
}

const isTimeout = (error: unknown) => ['TimeoutError', 'AbortError'].includes(String(fieldOf(error, 'name')));

/** Keeps only what is safe to repeat: the error code, never the message (undici may include the URL). */
function networkErrorCode(error: unknown): string {
  const code = fieldOf(fieldOf(error, 'cause'), 'code');
  return typeof code === 'string' ? code : 'fetch failed';
}

export class SlackWebhook {
  /** One bucket per channel, kept for the life of the Lambda container. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly options: SlackWebhookOptions = {}) {}

  /**
   * @param channel the rate-limit key: the channel the webhook posts to.
   * @param deadlineMs epoch ms by which the call must have returned (the Lambda's remaining time).
   */
  async post(url: string, channel: string, message: unknown, deadlineMs: number): Promise<PostResult> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? realSleep;
    const random = this.options.random ?? Math.random;
    const policy = this.options.policy ?? SLACK_RETRY_POLICY;
    const body = JSON.stringify(message);
    let waitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      const slot = reserveSlot(this.buckets.get(channel), now(), this.options.rate ?? SLACK_CHANNEL_RATE);
      this.buckets.set(channel, slot.bucket);
      if (slot.waitMs > 0) {
        if (now() + slot.waitMs >= deadlineMs)
          throw new SlackPostError('rate limit wait passes the deadline', attempt - 1);
        await sleep(slot.waitMs);
        waitedMs += slot.waitMs;
      }
      const outcome = await postOnce(
        url,
        body,
        Math.min(this.options.attemptTimeoutMs ?? 3000, deadlineMs - now()),
      );
      const step = nextStep(outcome, attempt, policy, now(), random(), deadlineMs - now());
      if (step.kind === 'done') return { attempts: attempt, waitedMs };
      if (step.kind === 'give-up') throw new SlackPostError(step.why, attempt);
      await sleep(step.delayMs);
      waitedMs += step.delayMs;
    }
  }
}

/**
 * One POST of `body` to a webhook, without retry: what Slack answered (status, Retry-After, its
 * bare error code) or how the attempt failed. `headroom doctor` sends `{}` through it, which Slack
 * refuses without posting anything, to learn whether the webhook is reachable and still valid.
 */
export async function postOnce(url: string, body: string, timeoutMs: number): Promise<PostOutcome> {
  if (timeoutMs <= 0) return { kind: 'timeout' };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    // Draining the body lets the connection be reused. Only a bare Slack error code is kept:
    // anything else in the body is not ours to repeat in logs.
    const text = (await response.text()).trim();
    const slackError = /^[a-z_]{1,64}$/.test(text) && text !== 'ok' ? text : undefined;
    return {
      kind: 'response',
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      ...(slackError ? { slackError } : {}),
    };
  } catch (error) {
    if (isTimeout(error)) return { kind: 'timeout' };
    return { kind: 'network-error', message: networkErrorCode(error) };
  }
}

/**
 * One attempt to redraw a clicked message through its `response_url`. Best effort inside the
 * 3-second answer: the approval is already recorded whatever happens here.
 */
export async function postResponse(
  url: string,
  message: unknown,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await response.text();
    return response.ok ? { ok: true } : { ok: false, why: `HTTP ${response.status}` };
  } catch (error) {
    if (isTimeout(error)) return { ok: false, why: 'timeout' };
    return { ok: false, why: networkErrorCode(error) };
  }
}
