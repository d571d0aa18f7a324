import { describe, expect, it } from '@jest/globals';
import {
  heldCapacity,
  loadRiseMargin,
  loadWithMargin,
  MIN_MARGIN_HISTORY_MINUTES,
} from '@headroom/core/policies/headroomPolicyMargin';

const flat = (n: number, x: number) => Array.from({ length: n }, () => x);
/** 100, then 150 every `every`-th minute: a rise of 50 % within any horizon that reaches it. */
const spiky = (n: number, every: number) =>
  Array.from({ length: n }, (_, i) => (i % every === 0 ? 150 : 100));
/** Climbs 1 % a minute. */
const climbing = (n: number) => Array.from({ length: n }, (_, i) => 100 * 1.01 ** i);

describe('loadRiseMargin', () => {
  it.each([
    ['a flat load needs no margin', flat(200, 100), 6, 0.95, 0, 0],
    [
      'a falling load needs no margin (never below 0)',
      flat(200, 100).map((x, i) => x - i / 4),
      6,
      0.95,
      0,
      0,
    ],
    ['a steady climb: the rise over the horizon', climbing(200), 6, 0.95, 0, 1.01 ** 6 - 1],
    ['a spike every 10 min is within 6 min of 60 % of minutes', spiky(400, 10), 6, 0.95, 0, 0.5],
    ['...and ignored at the 30th percentile', spiky(400, 10), 6, 0.3, 0, 0],
    ['a spike every 100 min is ignored at the 90th percentile', spiky(1000, 100), 6, 0.9, 0, 0],
  ])('%s', (_, loads, horizon, quantile, base, expected) => {
    expect(loadRiseMargin(loads, horizon, quantile, base)?.rise).toBeCloseTo(expected, 6);
  });

  it('measures rises from a near-idle minute against baseFraction × the mean', () => {
    // 200 near-idle minutes swinging 1 ↔ 10 requests (× 10 rises), then 200 busy minutes at 100.
    const loads = Array.from({ length: 400 }, (_, i) => (i >= 200 ? 100 : i % 2 ? 10 : 1));
    const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
    expect(loadRiseMargin(loads, 1, 0.9, 0)).toEqual({ rise: 9, base: 0 });
    // From a 1 or 10 request minute, a rise of 9 is small beside the mean (about 53).
    expect(loadRiseMargin(loads, 1, 0.9, 1)).toEqual({ rise: 9 / mean, base: mean });
    // The largest rise, 10 → 100 into the busy stretch, counted against the mean.
    expect(loadRiseMargin(loads, 1, 1, 1)?.rise).toBeCloseTo(90 / mean, 6);
  });

  it.each([
    ['above the base, the rise is relative to the load', 200, { rise: 0.1, base: 100 }, 220],
    ['below the base, the rise is the base’s', 20, { rise: 0.1, base: 100 }, 30],
    ['no margin', 20, { rise: 0, base: 100 }, 20],
  ])('loadWithMargin: %s', (_, load, margin, expected) => {
    expect(loadWithMargin(load, margin)).toBeCloseTo(expected, 9);
  });

  it('needs an hour of rises before it can tell', () => {
    const hourAndSix = flat(MIN_MARGIN_HISTORY_MINUTES + 6, 100);
    expect(loadRiseMargin(hourAndSix, 6, 0.95, 0)).toEqual({ rise: 0, base: 0 });
    expect(loadRiseMargin(hourAndSix.slice(1), 6, 0.95, 0)).toBeUndefined();
    expect(loadRiseMargin([], 6, 0.95, 0)).toBeUndefined();
  });

  it('names a bad horizon or quantile', () => {
    expect(() => loadRiseMargin(flat(100, 1), 0, 0.95, 0)).toThrow(/horizon 0/);
    expect(() => loadRiseMargin(flat(100, 1), 6, 1.5, 0)).toThrow(/quantile 1.5/);
  });
});

describe('heldCapacity', () => {
  it.each([
    ['no wants yet', [], 3, 0],
    ['holds the highest of the last 3 wants', [9, 4, 5, 3], 3, 5],
    ['scales in once the lower want has lasted 3 minutes', [9, 4, 4, 4], 3, 4],
    ['a hold of 1 follows the latest want', [9, 4], 1, 4],
    ['fewer wants than the hold', [2, 6], 5, 6],
  ])('%s', (_, wants, minutes, expected) => {
    expect(heldCapacity(wants, minutes)).toBe(expected);
  });
});
