/** Minute-by-minute observations for policy tests, with the fleet the test says. */
import {
  DEFAULT_SLO,
  DEFAULT_TIMING,
  type FleetCapacity,
  type KpiSample,
  type ManagedService,
  type PolicyObservation,
} from '@headroom/core';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** Monday 2026-01-05 00:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5);

/** A service in apply mode with wide step limits, so the policy under test is not trimmed. */
export const webService: ManagedService = {
  id: 'web',
  autoScalingGroupName: 'web',
  mode: 'apply',
  slo: DEFAULT_SLO,
  capacity: { min: 1, max: 100, maxStepPct: 1000, maxStepInstances: 100 },
  timing: DEFAULT_TIMING,
  pricePerInstanceHourUsd: 0.05,
  slowMinuteCostUsd: 10,
  tiers: {},
};

export const aFleet = (over: Partial<FleetCapacity> = {}): FleetCapacity => ({
  groupName: 'web',
  desired: 10,
  inService: 10,
  warmingUp: 0,
  min: 1,
  max: 100,
  ...over,
});

export function observe(
  at: number,
  latest: Omit<KpiSample, 'at'>,
  fleet: Partial<FleetCapacity> = {},
  history: readonly KpiSample[] = [],
): PolicyObservation {
  const sample = { at, ...latest };
  return { at, fleet: aFleet(fleet), latest: sample, history: [...history, sample] };
}

/** A service whose load follows `loadAt`, on a fleet of `inService` instances serving `mu` req/s each. */
export function* minutes(
  from: number,
  to: number,
  loadAt: (t: number) => number,
  fleetAt: (t: number) => Partial<FleetCapacity>,
  mu = 10,
): Generator<PolicyObservation> {
  const history: KpiSample[] = [];
  for (let at = from + MINUTE; at <= to; at += MINUTE) {
    const fleet = aFleet(fleetAt(at));
    const load = loadAt(at);
    const sample: KpiSample = {
      at,
      requestsPerMinute: load,
      cpuPct: Math.min(100, (100 * load) / 60 / (fleet.inService * mu)),
      p99LatencyMs: 120,
      errorRatePct: 0,
    };
    history.push(sample);
    yield { at, fleet, latest: sample, history };
  }
}
