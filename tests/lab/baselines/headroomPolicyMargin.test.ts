import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_MARGIN_OPTIONS,
  heldCapacity,
  loadRiseMargin,
  MIN_MARGIN_HISTORY_MINUTES,
  riseMarginFromMinutes,
  riseMarginOf,
} from '@headroom/core/policies/headroomPolicyMargin';

const flat = (n: number, x: number) => Array.from({ length: n }, () => x);
/** 100, then 150 every `every`-th minute: a rise of 50 within any horizon that reaches it. */
const spiky = (n: number, every: number) =>
  Array.from({ length: n }, (_, i) => (i % every === 0 ? 150 : 100));
/** Climbs 2 requests a minute. */
const climbing = (n: number) => Array.from({ length: n }, (_, i) => 100 + 2 * i);

describe('loadRiseMargin', () => {
  it.each([
    ['a flat load needs no margin', flat(200, 100), 6, 0.95, 0],
    ['a falling load needs no margin (never below 0)', flat(200, 100).map((x, i) => x - i / 4), 6, 0.95, 0],
    ['a steady climb: the rise over the horizon', climbing(200), 6, 0.95, 12],
    ['a spike every 10 min is within 6 min of 60 % of minutes', spiky(400, 10), 6, 0.95, 50],
    ['...and ignored at the 30th percentile', spiky(400, 10), 6, 0.3, 0],
    ['a spike every 100 min is ignored at the 90th percentile', spiky(1000, 100), 6, 0.9, 0],
    ['...and covered at the 99th', spiky(1000, 100), 6, 0.99, 50],
  ])('%s', (_, loads, horizon, quantile, expected) => {
    expect(loadRiseMargin(loads, horizon, quantile)).toBeCloseTo(expected, 6);
  });

  it('counts rises in requests, so a near-idle minute’s ×10 does not set the busy hours’ margin', () => {
    // 200 near-idle minutes swinging 1 ↔ 10 requests, then 200 busy minutes moving 1,000 ↔ 1,050.
    const loads = Array.from({ length: 400 }, (_, i) => (i >= 200 ? (i % 2 ? 1050 : 1000) : i % 2 ? 10 : 1));
    expect(loadRiseMargin(loads, 1, 0.8)).toBe(50);
    expect(loadRiseMargin(loads.slice(0, 200), 1, 0.8)).toBe(9);
  });

  it('needs an hour of rises before it can tell', () => {
    const hourAndSix = flat(MIN_MARGIN_HISTORY_MINUTES + 6, 100);
    expect(loadRiseMargin(hourAndSix, 6, 0.95)).toBe(0);
    expect(loadRiseMargin(hourAndSix.slice(1), 6, 0.95)).toBeUndefined();
    expect(loadRiseMargin([], 6, 0.95)).toBeUndefined();
  });

  it('names a bad horizon or quantile', () => {
    expect(() => loadRiseMargin(flat(100, 1), 0, 0.95)).toThrow(/horizon 0/);
    expect(() => loadRiseMargin(flat(100, 1), 6, 1.5)).toThrow(/quantile 1.5/);
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

describe('loadRiseMargin on 5-minute steps (the forecast’s series)', () => {
  const FIVE = 5 * 60_000;

  it('needs an hour of rises, counted in steps: 12 of 5 minutes', () => {
    expect(loadRiseMargin(flat(14, 100), 2, 0.9, FIVE)).toBe(0);
    expect(loadRiseMargin(flat(13, 100), 2, 0.9, FIVE)).toBeUndefined();
  });

  it('skips a gap (NaN): no rise from it, and the highest measured value ahead counts', () => {
    const loads = [...flat(20, 100), Number.NaN, 160, ...flat(20, 100)];
    // From the 100 before the gap, the next two steps are NaN and 160: a rise of 60.
    expect(loadRiseMargin(loads, 2, 1, FIVE)).toBe(60);
    expect(loadRiseMargin(flat(40, Number.NaN), 2, 0.9, FIVE)).toBeUndefined();
  });

  it('names a bad step', () => {
    expect(() => loadRiseMargin(flat(100, 1), 2, 0.9, 0)).toThrow(/stepMs 0/);
  });
});

describe('riseMarginOf', () => {
  const FIVE = 5 * 60_000;
  const series = (values: number[]) => ({ start: 0, stepMs: FIVE, values });
  /** 100, and 130 every 6th step. */
  const everySixth = (n: number) => Array.from({ length: n }, (_, i) => (i % 6 === 5 ? 130 : 100));

  it.each([
    // Lead 6 min → 2 steps: from 2 steps in 6 the next 130 is within reach (a third of them).
    ['lead rounded up to whole steps: 6 min is 2 steps', everySixth(300), 6 * 60_000, 0.8, 30],
    ['a lead of exactly one step reaches the 130 from 1 step in 6', everySixth(300), 5 * 60_000, 0.8, 0],
    ['...which the 90th percentile covers', everySixth(300), 5 * 60_000, 0.9, 30],
  ])('%s', (_, values, leadMs, quantile, expected) => {
    expect(riseMarginOf(series(values), leadMs, { quantile, historyMs: 3 * 86_400_000 })).toBe(expected);
  });

  it('learns only from the last historyMs of the series', () => {
    // A bursty first day, then 3 flat days: the 3-day window sees no rise.
    const values = [...everySixth(288), ...flat(3 * 288, 100)];
    expect(riseMarginOf(series(values), 6 * 60_000, { quantile: 0.9, historyMs: 3 * 86_400_000 })).toBe(0);
    expect(riseMarginOf(series(values), 6 * 60_000, { quantile: 0.9, historyMs: 4 * 86_400_000 })).toBe(0);
    expect(riseMarginOf(series(values), 6 * 60_000, { quantile: 0.95, historyMs: 4 * 86_400_000 })).toBe(30);
  });

  it('is the hour of history the default margin needs, at 5-minute steps', () => {
    expect(DEFAULT_MARGIN_OPTIONS).toEqual({ quantile: 0.9, historyMs: 3 * 86_400_000 });
    expect(riseMarginOf(series(flat(13, 100)), 6 * 60_000)).toBeUndefined();
    expect(riseMarginOf(series(flat(14, 100)), 6 * 60_000)).toBe(0);
  });
});

describe('riseMarginFromMinutes', () => {
  const T = Date.UTC(2026, 0, 5);
  /** One-minute samples, `at` = end of the minute, as the readers return them. */
  const minutes = (loads: readonly number[]) =>
    loads.map((requestsPerMinute, i) => ({ at: T + (i + 1) * 60_000, requestsPerMinute }));

  it('sees the minute-scale bursts a 5-minute average hides', () => {
    // 100 requests a minute with a 150 spike every 5 minutes, for a day: every 5-minute average is
    // 110, so a margin learned from them is 0; one-minute data carries the 50.
    const loads = spiky(1440, 5);
    const end = T + 1440 * 60_000;
    const fiveMinute = Array.from({ length: 288 }, () => 110);
    expect(riseMarginOf({ start: T, stepMs: 5 * 60_000, values: fiveMinute }, 6 * 60_000)).toBe(0);
    expect(riseMarginFromMinutes(minutes(loads), end, 6 * 60_000)).toBe(50);
  });

  it('is loadRiseMargin over the lead time in minutes', () => {
    const loads = climbing(600);
    const end = T + 600 * 60_000;
    const expected = loadRiseMargin(loads, 6, DEFAULT_MARGIN_OPTIONS.quantile);
    expect(expected).toBeGreaterThan(0);
    expect(riseMarginFromMinutes(minutes(loads), end, 6 * 60_000)).toBeCloseTo(expected ?? NaN, 6);
  });
});
