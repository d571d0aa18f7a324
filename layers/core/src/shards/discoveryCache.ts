/**
 * Discovery kept for a while instead of redone every minute. Discovering the estate is a paginated
 * DescribeAutoScalingGroups over every tagged group (200 calls at 10,000 groups and 50 a page):
 * done on every one-minute tick it would be most of Auto Scaling's shared request budget. Tags
 * change rarely, so a discovery is reused for `maxAgeMs` (a new or retagged group is picked up
 * within that); capacity is still described fresh, for the services due, on every run.
 */
import type { ManagedService } from '../model/service.js';
import type { Clock, FleetControl } from '../ports/index.js';

/** Five minutes: a newly tagged group waits at most this long; 1/5 of the discovery calls of every tick. */
export const DEFAULT_DISCOVERY_MAX_AGE_MS = 5 * 60_000;

export function cachedDiscovery<F extends Pick<FleetControl, 'discover'>>(
  fleet: F,
  clock: Clock,
  maxAgeMs: number = DEFAULT_DISCOVERY_MAX_AGE_MS,
): F {
  let kept: { at: number; services: ManagedService[] } | undefined;
  const discover = async (): Promise<ManagedService[]> => {
    const now = clock.now();
    if (kept !== undefined && now - kept.at < maxAgeMs && now >= kept.at) return kept.services;
    // A failed discovery throws and keeps nothing: the next run tries again.
    const services = await fleet.discover();
    kept = { at: now, services };
    return services;
  };
  return new Proxy(fleet, {
    get(target, key, receiver) {
      if (key === 'discover') return discover;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
