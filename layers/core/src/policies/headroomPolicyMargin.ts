/**
 * How much the load can rise before new instances serve. An instance asked for now serves only
 * after boot + warm-up, and one given back now takes as long to return, so a decision must carry
 * the load of the next `horizon` minutes. The margin is learned from the service's own history:
 * a high quantile of the rise from a minute's load to the highest load of the minutes after it.
 * Bursty services get a wide margin, smooth ones a narrow one, with one setting.
 */

/** Minutes of history the margin is learned from, when no more is given. */
export const MIN_MARGIN_HISTORY_MINUTES = 60;

/**
 * The `quantile` of max(load[i+1..i+horizon]) − load[i] over the history, in requests per minute,
 * never below 0; undefined with fewer than MIN_MARGIN_HISTORY_MINUTES rises to learn from.
 * Counted in requests rather than relative to the load: a relative rise from a near-idle minute
 * (1 → 10 requests) would set the margin of the busy hours, and measured on the benchmark the
 * requests form covered as many minutes for less capacity (docs/benchmark-results.md).
 */
export function loadRiseMargin(
  loads: readonly number[],
  horizon: number,
  quantile: number,
): number | undefined {
  if (!(horizon >= 1) || !(quantile >= 0 && quantile <= 1)) {
    throw new RangeError(`loadRiseMargin: horizon ${horizon} must be ≥ 1 and quantile ${quantile} in [0, 1]`);
  }
  const n = loads.length - horizon;
  if (n < MIN_MARGIN_HISTORY_MINUTES) return undefined;
  const rises = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let ahead = 0;
    for (let k = 1; k <= horizon; k++) ahead = Math.max(ahead, loads[i + k] as number);
    rises[i] = ahead - (loads[i] as number);
  }
  rises.sort();
  return Math.max(0, rises[Math.min(n - 1, Math.floor(quantile * n))] as number);
}

/**
 * Scale-in only once the lower capacity has been wanted for `minutes` minutes in a row: the
 * highest of the latest wants. A pure step over the remembered wants, newest last.
 */
export function heldCapacity(recentWants: readonly number[], minutes: number): number {
  let held = 0;
  for (let i = Math.max(0, recentWants.length - minutes); i < recentWants.length; i++) {
    held = Math.max(held, recentWants[i] as number);
  }
  return held;
}
