/** Small robust statistics the models share: medians and quantiles that skip missing values. */

/** Quantile (0..1) of the finite values, linear between order statistics; NaN when none. */
export function quantile(values: readonly number[], q: number): number {
  return quantileOfSorted(Float64Array.from(values.filter((v) => Number.isFinite(v))).sort(), q);
}

/** Quantile of values already sorted ascending, all finite. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? Number.NaN;
  return low + (high - low) * (position - below);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export function mean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * Theil–Sen slope of (x, y) pairs, optionally only over pairs whose x differ by a multiple of
 * `pairSpacing` (so a weekly cycle in daily means cancels out instead of biasing the trend).
 */
export function theilSenSlope(points: readonly { x: number; y: number }[], pairSpacing?: number): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i];
      const b = points[j];
      if (!a || !b || a.x === b.x) continue;
      if (
        pairSpacing !== undefined &&
        Math.abs(Math.round((b.x - a.x) / pairSpacing) * pairSpacing - (b.x - a.x)) > 1e-9
      ) {
        continue;
      }
      slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  return slopes.length === 0 ? 0 : median(slopes);
}

/**
 * The k-th smallest (0-based) of the first `count` values, found in place by quickselect: what
 * sorting and reading index k gives, in linear time (the margin picks one quantile of thousands
 * of rises every hour). Values must be finite; their order is changed.
 */
export function kthSmallest(values: Float64Array, count: number, k: number): number {
  if (!(k >= 0 && k < count && count <= values.length)) {
    throw new RangeError(`kthSmallest: k ${k} must be in [0, ${count}) and count ≤ ${values.length}`);
  }
  let lo = 0;
  let hi = count - 1;
  while (hi > lo) {
    // Median of three as the pivot keeps sorted or repeated runs linear.
    const mid = (lo + hi) >>> 1;
    const a = values[lo] as number;
    const b = values[mid] as number;
    const c = values[hi] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k] as number;
  }
  return values[k] as number;
}
