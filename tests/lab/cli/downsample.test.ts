import { describe, expect, it } from '@jest/globals';
import { makeBuckets, reduceAny, reduceMinMax, slotOf } from '@headroom/lab/cli/report/downsample';

const minutes = (n: number) => Array.from({ length: n }, (_, i) => i * 60_000);

describe('makeBuckets', () => {
  it('keeps every sample when the series already fits', () => {
    const b = makeBuckets(minutes(5), 10);
    expect(b.identity).toBe(true);
    expect(b.x).toEqual([0, 60, 120, 180, 240]);
    expect(reduceMinMax([1, null, 3, 4, 5], b)).toEqual([1, null, 3, 4, 5]);
  });

  it('reduces a month of minutes to at most maxPoints slots, covering every sample once', () => {
    const b = makeBuckets(minutes(43_200), 2000);
    expect(b.x).toHaveLength(2000);
    expect(b.bounds[0]).toBe(0);
    expect(b.bounds.at(-1)).toBe(43_200);
    for (let i = 1; i < b.x.length; i++) expect(b.x[i]!).toBeGreaterThan(b.x[i - 1]!);
  });

  it('refuses a bound that cannot hold one bucket', () => {
    expect(() => makeBuckets(minutes(10), 1)).toThrow('maxPoints must be at least 2, got 1');
  });
});

describe('reduceMinMax', () => {
  it('keeps a one-minute spike and a one-minute dip, in the order they happened', () => {
    const values = Array.from({ length: 100 }, () => 10);
    values[13] = 99; // spike in bucket 1 (10..19)
    values[42] = 0; // dip in bucket 4
    values[47] = 20; // later rise in the same bucket
    const b = makeBuckets(minutes(100), 20);
    const out = reduceMinMax(values, b);
    expect(out).toHaveLength(20);
    expect(out.slice(2, 4)).toEqual([10, 99]);
    expect(out.slice(8, 10)).toEqual([0, 20]);
    expect(Math.max(...out.map((v) => v ?? -1))).toBe(99);
  });

  it('leaves a bucket with no data as a gap, never as zero', () => {
    const values: (number | null)[] = Array.from({ length: 40 }, (_, i) => (i < 10 ? null : 5));
    const out = reduceMinMax(values, makeBuckets(minutes(40), 8));
    expect(out.slice(0, 2)).toEqual([null, null]);
    expect(out.slice(2)).toEqual([5, 5, 5, 5, 5, 5]);
  });
});

describe('reduceAny and slotOf', () => {
  it('marks a bucket holding a single violated minute on both of its slots', () => {
    const flags = Array.from({ length: 100 }, (_, i) => i === 57);
    const out = reduceAny(flags, makeBuckets(minutes(100), 20));
    expect(out.flatMap((v, i) => (v ? [i] : []))).toEqual([10, 11]);
  });

  it('finds the slot of an event time and nothing outside the timeline', () => {
    const times = minutes(100);
    const b = makeBuckets(times, 20);
    expect(slotOf(times, b, 57 * 60_000)).toBe(10);
    expect(slotOf(times, b, 0)).toBe(0);
    expect(slotOf(times, b, -1)).toBeUndefined();
    expect(slotOf(times, b, 100 * 60_000)).toBeUndefined();
    expect(slotOf(times, makeBuckets(times, 200), 57 * 60_000)).toBe(57);
  });
});
