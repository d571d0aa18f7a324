/**
 * Discovery kept across runs and refreshed a few pages a run. Discovering the estate is a paginated
 * DescribeAutoScalingGroups over every tagged group (100 pages at 10,000 groups, about 30 s of
 * calls): redone whole on a one-minute tick it would take half the tick and much of Auto Scaling's
 * shared request budget. So the services found are kept, and a refresh pass starts once they are
 * `maxAgeMs` old and reads at most `pagesPerRun` pages a run, resuming where the last run stopped;
 * the kept list serves meanwhile, with what the pass has read so far laid over it (a newly tagged
 * group or a changed tag counts as soon as its page is read). A group untagged or deleted leaves
 * the list when the pass ends. Capacity is still described fresh, for the services due, every run.
 */
import type { ManagedService } from '../model/service.js';
import type { Clock, FleetControl } from '../ports/index.js';

/** Five minutes: a newly tagged group waits at most this long plus one pass. */
export const DEFAULT_DISCOVERY_MAX_AGE_MS = 5 * 60_000;
/** 25 pages (2,500 groups, ~8 s of calls): a pass over 10,000 groups takes 4 runs, one over 2,500 or fewer one run. */
export const DEFAULT_DISCOVERY_PAGES_PER_RUN = 25;

/** One page of discovery (aws/autoScalingGroups.ts discoverServicesPage). */
export interface DiscoveryPages {
  discoverPage(token: string | undefined): Promise<{ services: ManagedService[]; nextToken?: string }>;
}

export interface DiscoveryCacheOptions {
  maxAgeMs?: number;
  pagesPerRun?: number;
  /** A page that failed while a list was at hand: the run goes on with the list, and this says why it is stale. */
  onPageError?: (error: unknown) => void;
}

interface Pass {
  startedAt: number;
  /** Where the next page starts; undefined: the first page. */
  token?: string | undefined;
  found: Map<string, ManagedService>;
}

export function cachedDiscovery<F extends Pick<FleetControl, 'discover'> & DiscoveryPages>(
  fleet: F,
  clock: Clock,
  options: DiscoveryCacheOptions = {},
): F {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_DISCOVERY_MAX_AGE_MS;
  const pagesPerRun = options.pagesPerRun ?? DEFAULT_DISCOVERY_PAGES_PER_RUN;
  if (!Number.isInteger(pagesPerRun) || pagesPerRun < 1) {
    throw new RangeError(`cachedDiscovery: pagesPerRun must be a whole number ≥ 1, got ${pagesPerRun}`);
  }
  let kept: { at: number; services: ManagedService[] } | undefined;
  let pass: Pass | undefined;

  const readPages = async (current: Pass): Promise<void> => {
    for (let page = 0; page < pagesPerRun; page += 1) {
      let read: Awaited<ReturnType<DiscoveryPages['discoverPage']>>;
      try {
        read = await fleet.discoverPage(current.token);
      } catch (error) {
        // A token AWS no longer takes cannot be resumed: the pass reads again from the first page
        // (what it found stays in use meanwhile).
        if ((error as { name?: string }).name === 'InvalidNextToken') delete current.token;
        // Nothing to serve: the run fails and its schedule retries it.
        if (kept === undefined && current.found.size === 0) throw error;
        options.onPageError?.(error);
        return;
      }
      for (const service of read.services) current.found.set(service.id, service);
      current.token = read.nextToken;
      if (read.nextToken === undefined) {
        kept = { at: current.startedAt, services: [...current.found.values()] };
        pass = undefined;
        return;
      }
    }
  };

  const discover = async (): Promise<ManagedService[]> => {
    const now = clock.now();
    const stale = kept === undefined || now - kept.at >= maxAgeMs || now < kept.at;
    if (pass === undefined && stale) pass = { startedAt: now, found: new Map() };
    const current = pass;
    if (current !== undefined) await readPages(current);
    const laid = pass === undefined ? undefined : pass.found;
    if (kept === undefined) return [...(laid?.values() ?? [])];
    if (laid === undefined || laid.size === 0) return kept.services;
    const merged = new Map(kept.services.map((s) => [s.id, s]));
    for (const [id, service] of laid) merged.set(id, service);
    return [...merged.values()];
  };

  return new Proxy(fleet, {
    get(target, key, receiver) {
      if (key === 'discover') return discover;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
