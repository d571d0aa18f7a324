/**
 * Headroom learns a service's capacity from metrics alone: on each known world profile, with CPU
 * noise, p99 measured from the minute's requests and datapoints 1–3 minutes late, the capacity
 * learned (capacity/learning.ts) converges to the world's true capacity at the SLO within 10 %,
 * and until the loads seen come near it, the confidence stays under the bar that gates its use.
 */
import { describe, expect, it } from '@jest/globals';
import {
  capacityFromCurve,
  EMPTY_CURVE,
  learnFrom,
  MIN_LEARNED_CONFIDENCE,
  type Reading,
} from '@headroom/core/capacity/learning.js';
import { SimulatedService } from '@headroom/lab/world/account.js';
import { SERVICE_PROFILES, shapeOf, type ServiceProfile } from '@headroom/lab/world/profiles.js';
import { peakLoadFor } from '@headroom/lab/workloads/traceReader.js';
import { makeService } from './fixtures.js';

const T0 = Date.UTC(2026, 0, 5);
const SLO = 500;
const FLEET = 10;
const DAY_MINUTES = 1440;

/** Two days of a daily cycle on a fixed fleet of 10, peaking at `peakShare` of the true capacity. */
function learnedOn(profile: ServiceProfile, peakShare: number, seed: number) {
  const truePerInstance = peakLoadFor(FLEET, shapeOf(profile), SLO) / 60 / FLEET;
  const sim = new SimulatedService({
    service: makeService(),
    profile,
    startAt: T0,
    seed,
    initialCapacity: FLEET,
  });
  for (let m = 0; m < 2 * DAY_MINUTES; m++) {
    const share = peakShare * (0.55 + 0.45 * Math.sin((2 * Math.PI * m) / DAY_MINUTES));
    sim.advanceMinute(share * truePerInstance * FLEET * 60);
  }
  // Only what the metrics reader delivered, with the fleet size Headroom reads from the group.
  const readings: Reading[] = sim.samples.map((s) => ({
    at: s.at,
    requestsPerMinute: s.requestsPerMinute!,
    p99LatencyMs: s.p99LatencyMs!,
    inService: FLEET,
  }));
  // Learned as the hourly forecast runs do: a batch at a time, each minute once.
  let curve = EMPTY_CURVE;
  for (let h = 0; h < readings.length; h += 60) curve = learnFrom(curve, readings.slice(0, h + 60));
  return { learned: capacityFromCurve(curve, SLO), truePerInstance };
}

describe('learning capacity from metrics alone', () => {
  it.each(SERVICE_PROFILES.map((p, i) => [p.name, p, i + 1] as const))(
    '%s: converges to the true capacity within 10 %, confidently',
    (_name, profile, seed) => {
      const { learned, truePerInstance } = learnedOn(profile, 0.98, seed);
      expect(learned).toBeDefined();
      expect(Math.abs(learned!.perInstance / truePerInstance - 1)).toBeLessThan(0.1);
      expect(learned!.confidence).toBeGreaterThanOrEqual(MIN_LEARNED_CONFIDENCE);
    },
  );

  it('is not confident when the loads seen stay far below the capacity', () => {
    const { learned } = learnedOn(SERVICE_PROFILES[1]!, 0.4, 9);
    expect(learned === undefined || learned.confidence < MIN_LEARNED_CONFIDENCE).toBe(true);
  });

  it('learns each minute once, however often the same minutes are read', () => {
    const reading = (at: number): Reading => ({
      at,
      requestsPerMinute: 600,
      p99LatencyMs: 120,
      inService: 2,
    });
    const once = learnFrom(EMPTY_CURVE, [reading(1), reading(2)]);
    const twice = learnFrom(once, [reading(1), reading(2)]);
    expect(twice).toEqual(once);
    expect(once.bins.reduce((n, b) => n + b.minutes, 0)).toBe(2);
  });
});
