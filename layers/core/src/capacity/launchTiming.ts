/**
 * How long a service's new capacity takes to serve, learned as capacity is (learning.ts): from
 * what Headroom reads, not from what it is told. Each evaluation sees the group (desired, in
 * service); when desired rises above in service a wait begins, and when in service reaches the
 * desired capacity of that moment the wait is one launch observation: boot, warm-up, and any
 * failed launch the group had to replace, as a person watching the console would time it.
 *
 * Evaluations see the group only now and then (every few minutes while a change is in flight), so
 * a wait's start and end are each known to lie between two sightings; the observation is the
 * time between the middles, and one whose bounds are too far apart to tell anything is dropped.
 * The lead time planned with is a high quantile of the latest observations, used once there are
 * enough of them; until then the configured boot + warm-up (the prior) stays.
 *
 * Where the group's scaling activities were read (a group settling, or a launch in flight), each
 * launch comes timed to the second: asked for at its activity's start, serving at its end plus the
 * warm-up. From the first such sighting on, only timed launches are learned (the between-sightings
 * estimate is then dropped, so no launch counts twice), and waits only say a launch is in flight.
 */
import type { CompletedLaunch } from '../model/fleet.js';
import type { ManagedService } from '../model/service.js';

/** One rise of desired capacity not yet served. */
export interface LaunchWait {
  /** The rise happened after this sighting and by the next (equal when Headroom asked for it). */
  startedAfter: number;
  startedBy: number;
  /** The launches it waits for: the instances above `from` up to `target` (the desired it rose to). */
  from: number;
  target: number;
  /** The latest sighting with fewer in service than the target. */
  pendingAt: number;
}

export interface LaunchTiming {
  /** Seconds of the latest observed launches, oldest first, at most RECENT_LAUNCHES. */
  recentSeconds: number[];
  waits: LaunchWait[];
  /**
   * In-service level up to which a shortfall is not timed (one there at the first sighting, or
   * given up): its start is unknown, so its end must not start a wait. Absent when none.
   */
  untimedUpTo?: number;
  /** The latest sighting learned from, epoch ms: one at or before it was seen already. */
  seenAt: number;
  /** The latest serving time of a timed launch learned; absent until launches come timed. */
  timedUntil?: number;
}

export interface FleetSighting {
  at: number;
  desired: number;
  inService: number;
  /** Launches the group's activities timed, when they were read (model/fleet.ts). */
  launches?: readonly CompletedLaunch[];
}

export interface LeadTime {
  /** Seconds from asking for an instance until it serves. */
  seconds: number;
  learned: boolean;
  explanation: string;
}

/** Observations kept: enough for a 90th percentile, few enough that a new AMI shows within a day. */
export const RECENT_LAUNCHES = 12;
/** Below this many observations the configured boot + warm-up is used. */
export const MIN_LAUNCHES = 3;
/** The quantile planned with: most launches serve within it. */
export const LEAD_QUANTILE = 0.9;
/** A wait whose start and end bounds together span more than this tells too little to keep. */
export const MAX_UNCERTAINTY_MS = 10 * 60_000;
/**
 * A wait not served after this long is dropped, not kept as a lead time: a group that cannot
 * launch (a quota, a broken image) is for its alarms, and planning half an hour ahead would not
 * bring it capacity. Failed launches the group replaces serve well within it.
 */
export const GIVE_UP_MS = 30 * 60_000;
/** Rises remembered at once; one per action at most, and actions are a cooldown apart. */
export const MAX_WAITS = 3;

export const NO_LAUNCHES: LaunchTiming = { recentSeconds: [], waits: [], seenAt: Number.NEGATIVE_INFINITY };

/** What this sighting of the group teaches; a sighting at or before the last one is skipped. */
export function observeFleet(timing: LaunchTiming, seen: FleetSighting): LaunchTiming {
  if (!(seen.at > timing.seenAt)) return timing;
  const timed = timedLaunches(timing, seen);
  // The first timed launches replace the estimates made between sightings, which may count the same launches.
  const kept = timing.timedUntil === undefined && timed.until !== undefined ? [] : timing.recentSeconds;
  const recent = [...kept, ...timed.seconds];
  const waits: LaunchWait[] = [];
  let untimed = Math.min(timing.untimedUpTo ?? 0, seen.desired);
  for (const asked of timing.waits) {
    // Desired fell below the target: the launches above it were given back before they served.
    if (seen.desired <= asked.from) continue;
    const wait = { ...asked, target: Math.min(asked.target, seen.desired) };
    if (seen.inService >= wait.target) {
      const endBy = seen.at;
      const uncertainty = endBy - wait.pendingAt + (wait.startedBy - wait.startedAfter);
      if (timed.until === undefined && uncertainty <= MAX_UNCERTAINTY_MS) {
        const ms = (wait.pendingAt + endBy) / 2 - (wait.startedAfter + wait.startedBy) / 2;
        recent.push(Math.round(ms / 1000));
      }
      continue;
    }
    if (seen.at - wait.startedBy > GIVE_UP_MS) untimed = Math.max(untimed, wait.target);
    else waits.push({ ...wait, pendingAt: seen.at });
  }
  // At the first sighting a shortfall's start is unknown (it may be days old): nothing to time.
  if (!Number.isFinite(timing.seenAt)) untimed = seen.desired;
  if (untimed <= seen.inService) untimed = 0;
  const highest = Math.max(seen.inService, untimed, ...waits.map((w) => w.target));
  if (seen.desired > highest) {
    waits.push({
      startedAfter: timing.seenAt,
      startedBy: seen.at,
      from: highest,
      target: seen.desired,
      pendingAt: seen.at,
    });
  }
  return {
    recentSeconds: recent.slice(-RECENT_LAUNCHES),
    waits: waits.slice(-MAX_WAITS),
    ...(untimed > 0 ? { untimedUpTo: untimed } : {}),
    seenAt: seen.at,
    ...(timed.until === undefined ? {} : { timedUntil: timed.until }),
  };
}

/** The launches of this sighting served since the last one learned, in seconds, and the new mark. */
function timedLaunches(timing: LaunchTiming, seen: FleetSighting): { seconds: number[]; until?: number } {
  let until = timing.timedUntil;
  const seconds: number[] = [];
  for (const launch of seen.launches ?? []) {
    if (launch.servingAt > seen.at || launch.servingAt < launch.startedAt) continue;
    if (until !== undefined && launch.servingAt <= until) continue;
    seconds.push(Math.round((launch.servingAt - launch.startedAt) / 1000));
  }
  for (const launch of seen.launches ?? []) {
    if (launch.servingAt <= seen.at) until = Math.max(until ?? launch.servingAt, launch.servingAt);
  }
  return until === undefined ? { seconds } : { seconds, until };
}

/** Headroom itself set desired to `desired` at `at`: the rise's time is known exactly. */
export function launchAsked(
  timing: LaunchTiming,
  at: number,
  desired: number,
  inService: number,
): LaunchTiming {
  const waits = timing.waits
    .filter((w) => desired > w.from)
    .map((w) => ({ ...w, target: Math.min(w.target, desired) }));
  const highest = Math.max(inService, timing.untimedUpTo ?? 0, ...waits.map((w) => w.target));
  if (desired > highest)
    waits.push({ startedAfter: at, startedBy: at, from: highest, target: desired, pendingAt: at });
  return { ...timing, waits: waits.slice(-MAX_WAITS), seenAt: Math.max(timing.seenAt, at) };
}

/** Whether a rise of desired capacity is still waiting for its instances to serve. */
export function launchInFlight(timing: LaunchTiming | undefined): boolean {
  return (timing?.waits.length ?? 0) > 0;
}

/** The configured boot + warm-up: the prior, until launches have been seen. */
export function configuredLeadSeconds(service: ManagedService): number {
  return service.timing.bootSeconds + service.timing.warmupSeconds;
}

/**
 * The lead time to plan with: the LEAD_QUANTILE of the latest observed launches once there are
 * MIN_LAUNCHES of them, else the configured boot + warm-up; the explanation says which.
 */
export function leadTimeOf(timing: LaunchTiming | undefined, service: ManagedService): LeadTime {
  const configured = configuredLeadSeconds(service);
  const seen = timing?.recentSeconds ?? [];
  if (seen.length < MIN_LAUNCHES) {
    return {
      seconds: configured,
      learned: false,
      explanation:
        `boot + warm-up ${configured} s as configured: ${seen.length} of the ${MIN_LAUNCHES} launches ` +
        'needed to learn it seen',
    };
  }
  const sorted = [...seen].sort((a, b) => a - b);
  const seconds = sorted[Math.min(sorted.length - 1, Math.ceil(LEAD_QUANTILE * sorted.length) - 1)] as number;
  return {
    seconds,
    learned: true,
    explanation:
      `boot + warm-up ${seconds} s learned: ${Math.round(100 * LEAD_QUANTILE)}th percentile of the last ` +
      `${seen.length} launches seen, against ${configured} s configured`,
  };
}
