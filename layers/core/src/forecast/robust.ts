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
