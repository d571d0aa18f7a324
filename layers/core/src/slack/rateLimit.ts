/**
 * Slack accepts about one message per second per channel and answers bursts with 429. A token
 * bucket per channel spaces messages out before Slack has to refuse them. Pure: the caller keeps
 * the buckets and passes the time in.
 */

export interface RateLimit {
  /** Tokens added per second (Slack: 1). */
  perSecond: number;
  /** Largest burst allowed after a quiet period. */
  burst: number;
}

export const SLACK_CHANNEL_RATE: RateLimit = { perSecond: 1, burst: 1 };

export interface TokenBucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  updatedAt: number;
}

export interface Reservation {
  bucket: TokenBucket;
  /** How long to wait before sending, ms (0 = send now). */
  waitMs: number;
}

/**
 * Reserves one message slot. The bucket may go negative: a reservation always succeeds and says
 * how long to wait, so concurrent senders queue up instead of all retrying at once.
 */
export function reserveSlot(bucket: TokenBucket | undefined, nowMs: number, limit: RateLimit): Reservation {
  if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
    throw new RangeError(`rate limit needs perSecond > 0 and burst >= 1, got ${JSON.stringify(limit)}`);
  }
  const start = bucket ?? { tokens: limit.burst, updatedAt: nowMs };
  const elapsedMs = Math.max(0, nowMs - start.updatedAt);
  const refilled = Math.min(limit.burst, start.tokens + (elapsedMs / 1000) * limit.perSecond);
  const tokens = refilled - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens / limit.perSecond) * 1000);
  return { bucket: { tokens, updatedAt: Math.max(nowMs, start.updatedAt) }, waitMs };
}
