import { describe, expect, it } from '@jest/globals';
import { reserveSlot, SLACK_CHANNEL_RATE, type TokenBucket } from '@headroom/core';

/** Reserves one slot at each time, threading the bucket; returns the waits. */
function waits(times: number[], limit = SLACK_CHANNEL_RATE): number[] {
  let bucket: TokenBucket | undefined;
  return times.map((t) => {
    const slot = reserveSlot(bucket, t, limit);
    bucket = slot.bucket;
    return slot.waitMs;
  });
}

describe('reserveSlot (token bucket per channel)', () => {
  it.each([
    ['one message: sent at once', [0], [0]],
    ['messages a second apart: none waits', [0, 1000, 2000], [0, 0, 0]],
    ['a burst of three at once: spaced one second apart', [0, 0, 0], [0, 1000, 2000]],
    ['the second message half a second later waits the other half', [0, 500], [0, 500]],
    ['a long quiet period does not bank more than the burst', [0, 60_000, 60_000], [0, 0, 1000]],
  ])('%s', (_name, times, expected) => {
    expect(waits(times)).toEqual(expected);
  });

  it('allows a configured burst before spacing', () => {
    expect(waits([0, 0, 0, 0], { perSecond: 1, burst: 3 })).toEqual([0, 0, 0, 1000]);
  });

  it('refuses a rate that could never refill', () => {
    expect(() => reserveSlot(undefined, 0, { perSecond: 0, burst: 1 })).toThrow(/perSecond > 0/);
  });
});
