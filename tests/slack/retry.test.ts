import { describe, expect, it } from '@jest/globals';
import {
  backoffMs,
  nextStep,
  parseRetryAfter,
  SLACK_RETRY_POLICY as policy,
  type PostOutcome,
} from '@headroom/core';

const now = Date.UTC(2026, 10, 24);
const step = (outcome: PostOutcome, attempt = 1, remainingMs = 60_000, random = 0.5) =>
  nextStep(outcome, attempt, policy, now, random, remainingMs);

describe('parseRetryAfter', () => {
  it.each([
    ['30', 30_000],
    [' 2 ', 2_000],
    ['0', 0],
    [new Date(now + 7_000).toUTCString(), 7_000],
    [new Date(now - 7_000).toUTCString(), 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%p → %p ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('nextStep', () => {
  it('is done on any 2xx', () => {
    expect(step({ kind: 'response', status: 200 })).toEqual({ kind: 'done' });
  });

  it("waits exactly Slack's Retry-After on 429", () => {
    expect(step({ kind: 'response', status: 429, retryAfter: '3' })).toEqual({
      kind: 'retry',
      delayMs: 3_000,
      why: 'HTTP 429',
    });
  });

  it('backs off on 429 without Retry-After', () => {
    expect(step({ kind: 'response', status: 429 })).toMatchObject({
      kind: 'retry',
      delayMs: backoffMs(1, policy, 0.5),
    });
  });

  it('gives up when Retry-After is longer than the policy waits', () => {
    expect(step({ kind: 'response', status: 429, retryAfter: '600' })).toMatchObject({ kind: 'give-up' });
  });

  it('gives up when the wait would pass the deadline', () => {
    expect(step({ kind: 'response', status: 429, retryAfter: '5' }, 1, 4_000)).toMatchObject({
      kind: 'give-up',
      why: expect.stringContaining('deadline'),
    });
  });

  it.each([500, 502, 503, 504])('retries %d with growing backoff, then gives up', (status) => {
    const delays = [1, 2, 3].map((attempt) => step({ kind: 'response', status }, attempt));
    expect(delays.map((d) => d.kind)).toEqual(['retry', 'retry', 'retry']);
    const ms = delays.map((d) => (d.kind === 'retry' ? d.delayMs : -1));
    expect(ms[1]).toBeGreaterThan(ms[0] ?? 0);
    expect(ms[2]).toBeGreaterThan(ms[1] ?? 0);
    expect(step({ kind: 'response', status }, policy.maxAttempts)).toMatchObject({ kind: 'give-up' });
  });

  it('retries timeouts and network errors', () => {
    expect(step({ kind: 'timeout' })).toMatchObject({ kind: 'retry' });
    expect(step({ kind: 'network-error', message: 'ECONNRESET' })).toMatchObject({ kind: 'retry' });
  });

  it.each([400, 403, 404, 410])(
    'never retries %d: a bad payload or a revoked webhook does not heal',
    (status) => {
      expect(step({ kind: 'response', status, slackError: 'invalid_blocks' })).toEqual({
        kind: 'give-up',
        why: `HTTP ${status} invalid_blocks is not retryable`,
      });
    },
  );

  it('keeps backoff within [ceiling/2, ceiling] and under the cap', () => {
    for (const attempt of [1, 2, 3, 4, 5, 10]) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      expect(backoffMs(attempt, policy, 0)).toBe(ceiling / 2);
      expect(backoffMs(attempt, policy, 0.999999)).toBeLessThanOrEqual(ceiling);
    }
  });
});
