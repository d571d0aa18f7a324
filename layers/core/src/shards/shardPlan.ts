/**
 * Splitting a fleet's work into shards that run in parallel, each in its own Lambda invocation.
 * A shard holds at most `maxServices` services, so the memory of one invocation is bounded by the
 * shard size, never by the size of the estate. Pure: the same services give the same shards.
 */
import type { ManagedService } from '../model/service.js';

export type ShardFlow = 'evaluate' | 'forecast';

export interface Shard {
  flow: ShardFlow;
  /** 0-based position of this shard in its run. */
  index: number;
  /** Shards in the run, so a worker can tell "3 of 40" in its logs. */
  of: number;
  /** The run it belongs to: the schedule tick, epoch ms. */
  runAt: number;
  services: ManagedService[];
}

/**
 * Largest shard per flow. Evaluate: at 250 services a shard's state reads, one GetMetricData call
 * and its decisions end in a few seconds (bench:scale), far inside the one-minute tick. Forecast:
 * 25 services read 14 days at 5 minutes in one page of 100,800 datapoints (and their minute reads
 * in another), and fit a 512 MB function with half of it to spare (bench:scale measures both).
 */
export const MAX_SERVICES_PER_SHARD: Readonly<Record<ShardFlow, number>> = { evaluate: 250, forecast: 25 };

/**
 * Shards of at most `maxServices`, balanced (sizes differ by at most one) and ordered by service id
 * so a service lands in the same shard run after run while the fleet does not change.
 */
export function planShards(
  flow: ShardFlow,
  services: readonly ManagedService[],
  runAt: number,
  maxServices: number = MAX_SERVICES_PER_SHARD[flow],
): Shard[] {
  if (!Number.isInteger(maxServices) || maxServices < 1) {
    throw new RangeError(`planShards: maxServices must be a whole number ≥ 1, got ${maxServices}`);
  }
  if (services.length === 0) return [];
  const sorted = [...services].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const count = Math.ceil(sorted.length / maxServices);
  const base = Math.floor(sorted.length / count);
  const larger = sorted.length % count;
  const shards: Shard[] = [];
  let start = 0;
  for (let index = 0; index < count; index += 1) {
    const size = base + (index < larger ? 1 : 0);
    shards.push({ flow, index, of: count, runAt, services: sorted.slice(start, start + size) });
    start += size;
  }
  return shards;
}

/** How many shards planShards makes for `services` services (the bill counts invocations with it). */
export function shardCount(services: number, maxServices: number): number {
  return services === 0 ? 0 : Math.ceil(services / maxServices);
}
