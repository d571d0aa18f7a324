/**
 * Long timelines are reduced to a bounded number of buckets before they go into a report, so a
 * month of minutes × seven policies stays small. Each bucket keeps its minimum and its maximum,
 * in the order they happened, so peaks and dips (the minutes that matter) survive the reduction.
 */

/** A shared x axis: two slots per bucket (bucket start, bucket middle), epoch seconds. */
export interface Buckets {
  /** Index of the first sample of each bucket, plus the end (length = count + 1). */
  bounds: number[];
  /** Epoch seconds for every slot of the reduced series. */
  x: number[];
  /** True when no reduction was needed: one slot per sample. */
  identity: boolean;
}

/** Splits `times` (epoch ms, ascending) into at most maxPoints/2 buckets of equal sample count. */
export function makeBuckets(times: readonly number[], maxPoints: number): Buckets {
  if (maxPoints < 2) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  const n = times.length;
  if (n <= maxPoints) {
    return { bounds: [...times.keys(), n], x: times.map((t) => t / 1000), identity: true };
  }
  const count = Math.floor(maxPoints / 2);
  const bounds: number[] = [];
  for (let b = 0; b <= count; b++) bounds.push(Math.round((b * n) / count));
  const x: number[] = [];
  for (let b = 0; b < count; b++) {
    const first = at(times, bounds[b]!);
    const last = at(times, bounds[b + 1]! - 1);
    x.push(first / 1000, (first + last) / 2000);
  }
  return { bounds, x, identity: false };
}

/** Reduces one series onto the buckets; null stays null (a gap is not a zero). */
export function reduceMinMax(values: readonly (number | null)[], buckets: Buckets): (number | null)[] {
  if (buckets.identity) return [...values];
  const out: (number | null)[] = [];
  for (let b = 0; b + 1 < buckets.bounds.length; b++) {
    let min: number | null = null;
    let max: number | null = null;
    let minAt = 0;
    let maxAt = 0;
    for (let i = buckets.bounds[b]!; i < buckets.bounds[b + 1]!; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (min === null || v < min) [min, minAt] = [v, i];
      if (max === null || v > max) [max, maxAt] = [v, i];
    }
    if (minAt <= maxAt) out.push(min, max);
    else out.push(max, min);
  }
  return out;
}

/** Reduces a flag series: a bucket is marked when any of its samples is (a violation is never averaged away). */
export function reduceAny(flags: readonly boolean[], buckets: Buckets): boolean[] {
  if (buckets.identity) return [...flags];
  const out: boolean[] = [];
  for (let b = 0; b + 1 < buckets.bounds.length; b++) {
    let any = false;
    for (let i = buckets.bounds[b]!; i < buckets.bounds[b + 1]! && !any; i++) any = flags[i] === true;
    // Both slots of the bucket carry the mark so it shows whichever slot the cursor lands on.
    out.push(any, any);
  }
  return out;
}

/** Slot index (in the reduced series) holding the epoch-ms time `t`, or undefined if outside. */
export function slotOf(times: readonly number[], buckets: Buckets, t: number): number | undefined {
  const i = lowerBound(times, t);
  if (i >= times.length || (i === 0 && t < at(times, 0))) return undefined;
  if (buckets.identity) return i;
  const b = upperBound(buckets.bounds, i) - 1;
  return 2 * b;
}

function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new RangeError(`index ${i} outside 0..${values.length - 1}`);
  return v;
}

/** First index whose value is >= target. */
function lowerBound(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(values, mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > target. */
function upperBound(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(values, mid) <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
