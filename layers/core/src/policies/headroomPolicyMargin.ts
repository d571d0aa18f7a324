/**
 * How much the load can rise before new instances serve. An instance asked for now serves only
 * after boot + warm-up, and one given back now takes as long to return, so a decision must carry
 * the load of the next `horizon` minutes. The margin is learned from the service's own history:
 * a high quantile of the relative rise from a minute's load to the highest load of the minutes
 * after it. Bursty services get a wide margin, smooth ones a narrow one, with one setting.
 */

/** Minutes of history the margin is learned from, when no more is given. */
export const MIN_MARGIN_HISTORY_MINUTES = 60;

/**
 * A learned margin: the load can rise by `rise` × max(load, base) within the horizon. Below the
 * base the rise is counted in requests rather than relative to a near-idle load.
 */
export interface LoadMargin {
  rise: number;
  /** Requests per minute: `baseFraction` × the mean load of the history. */
  base: number;
}

/**
 * The `quantile` of (max(load[i+1..i+horizon]) − load[i]) / max(load[i], base) over the history,
 * never below 0, with base = `baseFraction` × the mean load: the rise from a near-idle minute (a
 * few requests) does not set the margin for the busy ones. Undefined with fewer than
 * MIN_MARGIN_HISTORY_MINUTES rises to learn from.
 */
export function loadRiseMargin(
  loads: readonly number[],
  horizon: number,
  quantile: number,
  baseFraction: number,
): LoadMargin | undefined {
  if (!(horizon >= 1) || !(quantile >= 0 && quantile <= 1)) {
    throw new RangeError(`loadRiseMargin: horizon ${horizon} must be ≥ 1 and quantile ${quantile} in [0, 1]`);
  }
  const n = loads.length - horizon;
  if (n < MIN_MARGIN_HISTORY_MINUTES) return undefined;
  let sum = 0;
  for (const x of loads) sum += x;
  const base = (baseFraction * sum) / loads.length;
  const rises = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let ahead = 0;
    for (let k = 1; k <= horizon; k++) ahead = Math.max(ahead, loads[i + k] as number);
    const from = Math.max(loads[i] as number, base);
    rises[i] = from > 0 ? (ahead - (loads[i] as number)) / from : 0;
  }
  rises.sort();
  const rise = rises[Math.min(n - 1, Math.floor(quantile * n))] as number;
  return { rise: Math.max(0, rise), base };
}

/** The load to provision for: this minute's load plus the margin's rise from it. */
export function loadWithMargin(load: number, margin: LoadMargin): number {
  return load + margin.rise * Math.max(load, margin.base);
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
