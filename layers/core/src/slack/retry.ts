/**
 * When to try a Slack post again. Slack answers bursts with 429 and a `Retry-After` (seconds);
 * its 5xx and timeouts are transient. Other 4xx (bad payload, revoked webhook) never heal by
 * retrying. Pure: time, jitter and the remaining budget are passed in.
 */

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer `Retry-After` than this is not waited for inside one invocation. */
  maxRetryAfterMs: number;
}

export const SLACK_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 20_000,
};

export type PostOutcome =
  | {
      kind: 'response';
      status: number;
      retryAfter?: string | null;
      /** Slack's error code from the body (e.g. `invalid_blocks`, `channel_is_archived`). */
      slackError?: string;
    }
  | { kind: 'timeout' }
  | { kind: 'network-error'; message: string };

export type NextStep =
  { kind: 'done' } | { kind: 'retry'; delayMs: number; why: string } | { kind: 'give-up'; why: string };

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/**
 * @param attempt 1 for the first attempt.
 * @param random a number in [0, 1), for jitter.
 * @param remainingMs time left before the caller's deadline; a wait that does not fit gives up.
 */
export function nextStep(
  outcome: PostOutcome,
  attempt: number,
  policy: RetryPolicy,
  nowMs: number,
  random: number,
  remainingMs: number,
): NextStep {
  const describe =
    outcome.kind === 'response'
      ? `HTTP ${outcome.status}${outcome.slackError ? ` ${outcome.slackError}` : ''}`
      : outcome.kind === 'timeout'
        ? 'timeout'
        : `network error ${outcome.message}`;
  if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) return { kind: 'done' };
  const transient = outcome.kind !== 'response' || outcome.status === 429 || outcome.status >= 500;
  if (!transient) return { kind: 'give-up', why: `${describe} is not retryable` };
  if (attempt >= policy.maxAttempts) return { kind: 'give-up', why: `${describe} after ${attempt} attempts` };
  const retryAfterMs =
    outcome.kind === 'response' && outcome.status === 429
      ? parseRetryAfter(outcome.retryAfter, nowMs)
      : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) {
    return {
      kind: 'give-up',
      why: `${describe}: Retry-After ${retryAfterMs} ms exceeds ${policy.maxRetryAfterMs} ms`,
    };
  }
  const delayMs = retryAfterMs ?? backoffMs(attempt, policy, random);
  if (delayMs >= remainingMs) {
    return { kind: 'give-up', why: `${describe}: waiting ${delayMs} ms would pass the deadline` };
  }
  return { kind: 'retry', delayMs, why: describe };
}
