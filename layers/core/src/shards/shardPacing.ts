/**
 * When each shard of an evaluate tick starts. Every shard begins the same way: it describes its
 * groups (DescribeAutoScalingGroups, from the account's one shared Auto Scaling request budget) and
 * reads its metrics (GetMetricData, whose datapoints per second are capped account-wide). Shards
 * sent at once would make those calls in the same second, so their starts are spread over the part
 * of the minute the round can spare: each is held back by SQS (DelaySeconds) a little more than the
 * one before. Pure: the same count and elapsed time give the same delays.
 */

/** Every shard has started by this many seconds after the tick, so a shard's ~15 s of work ends well inside the minute. */
export const SHARD_STARTS_WITHIN_SECONDS = 24;
/** Starts closer than this would overlap two shards' describes (a few pages each, ~1 s): spreading wider only delays the round. */
export const MAX_SHARD_START_GAP_SECONDS = 3;

/**
 * Whole seconds (SQS's DelaySeconds unit) each of `count` shards waits, the first 0, evenly spaced
 * over what is left of the first SHARD_STARTS_WITHIN_SECONDS once the planner has spent `elapsedSeconds`.
 */
export function shardStartDelays(count: number, elapsedSeconds: number): number[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`shardStartDelays: count must be a whole number ≥ 0, got ${count}`);
  }
  if (count <= 1) return Array.from({ length: count }, () => 0);
  const room = Math.max(0, SHARD_STARTS_WITHIN_SECONDS - Math.max(0, elapsedSeconds));
  const gap = Math.min(MAX_SHARD_START_GAP_SECONDS, room / (count - 1));
  return Array.from({ length: count }, (_, i) => Math.floor(i * gap));
}
