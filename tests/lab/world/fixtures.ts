import { DEFAULT_SLO, DEFAULT_TIMING, type ManagedService } from '@headroom/core';

/** A managed service with the defaults (180 s boot + 120 s warm-up, 500 ms p99 SLO). */
export function makeService(overrides: Partial<ManagedService> = {}): ManagedService {
  return {
    id: 'web',
    autoScalingGroupName: 'web-asg',
    mode: 'advise',
    slo: { ...DEFAULT_SLO },
    capacity: { min: 1, max: 50, maxStepPct: 100, maxStepInstances: 10 },
    timing: { ...DEFAULT_TIMING },
    pricePerInstanceHourUsd: 0.1,
    slowMinuteCostUsd: 5,
    tiers: {},
    ...overrides,
  };
}
