/**
 * What invalidations cost: the first 1,000 paths each month are free, each one after that costs
 * $0.005. A wildcard path counts as one path, however many files it clears.
 */
export const FREE_PATHS_PER_MONTH = 1000;
export const USD_PER_PATH = 0.005;

export interface InvalidationCost {
  /** Paths counted this month, this invalidation included. */
  pathsThisMonth: number;
  /** Of this invalidation's paths, the ones beyond the free allowance. */
  billablePaths: number;
  costUsd: number;
}

export function invalidationCost(pathsBefore: number, paths: number): InvalidationCost {
  const pathsThisMonth = pathsBefore + paths;
  const freeLeft = Math.max(0, FREE_PATHS_PER_MONTH - pathsBefore);
  const billablePaths = Math.max(0, paths - freeLeft);
  return { pathsThisMonth, billablePaths, costUsd: Math.round(billablePaths * USD_PER_PATH * 1000) / 1000 };
}

/** The billing month of an epoch-ms time, e.g. "2026-11" (UTC). */
export function billingMonth(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}
