import { describe, expect, it } from '@jest/globals';
import {
  reactiveHeadroomPolicy,
  type DecisionRecord,
  type FleetCapacity,
  type KpiSample,
  type PolicyObservation,
} from '@headroom/core';
import { aService } from './fixtures.js';

const start = Date.UTC(2026, 10, 24, 0, 0, 0);
const minute = 60_000;
const service = aService({
  'headroom:cooldown-seconds': '300',
  'headroom:scale-in-stabilization-seconds': '900',
});

function observe(
  at: number,
  desired: number,
  cpuPct: number,
  more: Partial<KpiSample> = {},
): PolicyObservation {
  const fleet: FleetCapacity = {
    groupName: 'web',
    desired,
    inService: desired,
    warmingUp: 0,
    min: 0,
    max: 100,
  };
  const latest: KpiSample = { at, p99LatencyMs: 200, errorRatePct: 0, cpuPct, ...more };
  return { at, fleet, latest, history: [latest] };
}

/** A toy fleet: instances serve at once, CPU is the load spread over them. */
function replay(
  loads: readonly number[],
  initial: number,
  policy = reactiveHeadroomPolicy(service),
): number[] {
  let desired = initial;
  return loads.map((load, i) => {
    desired = policy.decide(observe(start + i * minute, desired, (load / desired) * 100));
    return desired;
  });
}

describe('reactiveHeadroomPolicy', () => {
  it('scales out on a hot minute and then waits out the cooldown', () => {
    const policy = reactiveHeadroomPolicy(service);
    expect(policy.name).toBe('headroom');
    expect(policy.decide(observe(start, 10, 84))).toBe(12);
    expect(policy.decide(observe(start + minute, 12, 95))).toBe(12);
    expect(policy.decide(observe(start + 5 * minute, 12, 95))).toBe(17);
  });

  it('replays a load step up and down: up at once, down only after the stabilisation window', () => {
    const loads = [...Array<number>(10).fill(7), ...Array<number>(30).fill(2.1)];
    const desired = replay(loads, 10);
    expect(desired.slice(0, 10)).toEqual(Array(10).fill(10));
    // Low minutes ask for 3, but the window holds the last recommendation of 10 (minute 9) for 15 minutes.
    const firstScaleIn = desired.findIndex((d) => d < 10);
    expect(firstScaleIn).toBe(9 + 15);
    expect(desired.at(-1)).toBe(3);
  });

  it('follows a rising load within the step and cooldown guardrails', () => {
    const loads = Array.from({ length: 30 }, (_, i) => 5 + i * 0.5);
    const desired = replay(loads, 8);
    const changes = desired.filter((d, i) => i > 0 && d !== desired[i - 1]).length;
    expect(changes).toBeLessThanOrEqual(6);
    expect(desired.at(-1)!).toBeGreaterThanOrEqual(Math.ceil((loads.at(-1)! / 0.7) * 0.9));
  });

  it('approves large scale-ins itself, since no person is in a replay', () => {
    const records: DecisionRecord[] = [];
    const policy = reactiveHeadroomPolicy(service, { onRecord: (r) => records.push(r) });
    expect(policy.decide(observe(start, 10, 14))).toBe(2);
    expect(records[0]).toMatchObject({
      outcome: 'applied',
      guardrails: ['approval', 'approved-in-simulation'],
    });
  });

  it('takes a forecast floor through its hook', () => {
    const policy = reactiveHeadroomPolicy(service, {
      name: 'headroom-predictive',
      forecastFloor: () => ({ capacity: 14, confidence: 0.8, explanation: 'Peak at 09:00.' }),
    });
    expect(policy.name).toBe('headroom-predictive');
    expect(policy.decide(observe(start, 10, 70))).toBe(14);
  });

  it('holds when the latest sample is stale', () => {
    const policy = reactiveHeadroomPolicy(service);
    const old = observe(start, 10, 95);
    expect(policy.decide({ ...old, at: start + 10 * minute })).toBe(10);
  });
});
