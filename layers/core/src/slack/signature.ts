/**
 * Slack's request signing (v0): HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the app's
 * signing secret. Pure: the current time is passed in, so replay windows are testable.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's own advice: refuse requests whose timestamp is more than five minutes away from now. */
export const MAX_REQUEST_AGE_SECONDS = 5 * 60;

export interface SignedRequest {
  /** `X-Slack-Request-Timestamp`, seconds since the epoch, as sent. */
  timestamp: string | undefined;
  /** `X-Slack-Signature`, e.g. `v0=5f1c…`. */
  signature: string | undefined;
  /** The body exactly as received (after base64 decoding), before any parsing. */
  rawBody: string;
}

export type SignatureCheck =
  | { valid: true }
  | { valid: false; reason: 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature' };

export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function verifySlackSignature(
  request: SignedRequest,
  signingSecret: string,
  nowMs: number,
): SignatureCheck {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature) return { valid: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'bad-timestamp' };
  // Future timestamps are refused too: a clock-skewed or forged request must not stay replayable for longer.
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_REQUEST_AGE_SECONDS) {
    return { valid: false, reason: 'stale-timestamp' };
  }
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, rawBody), 'utf8');
  const received = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on different lengths; the length itself reveals nothing secret.
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { valid: false, reason: 'bad-signature' };
  }
  return { valid: true };
}
