/** The world Headroom does not know: profiles, M/G/c latency, CPU, launches and metrics as CloudWatch delivers them. */
import { describe, expect, it } from '@jest/globals';
import type { KpiSample } from '@headroom/core';
import { SimulatedService } from '@headroom/lab/world/account.js';
import {
  DEFAULT_PROFILE,
  profileForTrace,
  profileNamed,
  SERVICE_PROFILES,
  shapeOf,
} from '@headroom/lab/world/profiles.js';
import { demandForShape, queueAt } from '@headroom/lab/world/queueing.js';
import { BENCH_TRACES } from '@headroom/lab/bench/benchSetup.js';
import { makeService } from './fixtures.js';

const T0 = Date.UTC(2026, 0, 5);
const service = makeService({ capacity: { min: 1, max: 200, maxStepPct: 1000, maxStepInstances: 200 } });
const world = (
  profile = DEFAULT_PROFILE,
  over: { initialCapacity?: number; basicMonitoring?: boolean } = {},
) => new SimulatedService({ service, profile, startAt: T0, seed: 7, initialCapacity: 10, ...over });

describe('service profiles', () => {
  it('gives every benchmark trace one of at least three profiles, and unknown traces the default', () => {
    expect(new Set(SERVICE_PROFILES.map((p) => p.name)).size).toBeGreaterThanOrEqual(3);
    const assigned = new Set(BENCH_TRACES.map((t) => profileForTrace(t.name).name));
    expect(assigned.size).toBe(3);
    expect(profileForTrace('my-own-trace')).toBe(DEFAULT_PROFILE);
    expect(() => profileNamed('gpu')).toThrow(
      /unknown service profile "gpu": one of fast-api, slow-api, cpu-heavy/,
    );
  });

  it('latency is not M/M/c: a more variable service time waits longer, and the base latency is always there', () => {
    const shape = shapeOf(profileNamed('slow-api'));
    const regular = { ...shape, cv: 0.3 };
    const load = 0.9 * 10 * shape.serversPerInstance * shape.mu;
    expect(queueAt(shape, load, 10).p99Ms).toBeGreaterThan(queueAt(regular, load, 10).p99Ms);
    expect(queueAt(shape, 0.01, 10).p99Ms).toBe(shape.baseMs + shape.serviceP99Ms);
    expect(demandForShape(load, shape, 500)).toBeGreaterThan(demandForShape(load, regular, 500));
  });
});

describe('the simulated service with a profile', () => {
  it('reads CPU as background + per-request cost + noise, capped at 100 %', () => {
    const idle = world();
    const busy = world(profileNamed('cpu-heavy'), { initialCapacity: 2 });
    const idleCpu: number[] = [];
    const busyCpu: number[] = [];
    for (let m = 0; m < 60; m++) {
      idleCpu.push(idle.advanceMinute(0).cpuPct!);
      busyCpu.push(busy.advanceMinute(100_000).cpuPct!);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(idleCpu)).toBeCloseTo(DEFAULT_PROFILE.backgroundCpuPct, 0);
    expect(new Set(idleCpu.map((c) => c.toFixed(3))).size).toBeGreaterThan(30);
    expect(Math.max(...busyCpu)).toBeLessThanOrEqual(100);
    expect(mean(busyCpu)).toBeGreaterThan(95);
  });

  it('delivers each minute 1 to 3 minutes late, in order, with p99 measured from the minute’s requests', () => {
    const sim = world();
    const truth: KpiSample[] = [];
    const delivered: number[] = [];
    for (let m = 0; m < 120; m++) {
      truth.push(sim.advanceMinute(m % 2 === 0 ? 120 : 120_000));
      delivered.push(sim.samples.length);
    }
    expect(delivered[0]).toBe(0);
    for (let m = 0; m < 120; m++) {
      // By the end of minute m, minutes up to m − 3 are in, and nothing after m − 1.
      expect(delivered[m]).toBeGreaterThanOrEqual(Math.max(0, m - 2));
      expect(delivered[m]).toBeLessThanOrEqual(m);
    }
    const ats = sim.samples.map((s) => s.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    const error = (few: boolean) =>
      sim.samples
        .filter((s) => s.requestsPerMinute! < 1000 === few)
        .map((s) => Math.abs(Math.log(s.p99LatencyMs! / truth.find((t) => t.at === s.at)!.p99LatencyMs!)));
    const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(meanOf(error(true))).toBeGreaterThan(3 * meanOf(error(false)));
  });

  it('boots each launch in its own time, spread between the shortest and the longest launch', () => {
    const sim = world(DEFAULT_PROFILE, { initialCapacity: 1 });
    sim.advanceMinute(0);
    sim.setDesired(101);
    const inService: number[] = [];
    for (let m = 0; m < 12; m++) {
      sim.advanceMinute(0);
      inService.push(sim.fleet.inService);
    }
    const [bootMin, bootMax] = DEFAULT_PROFILE.bootSeconds;
    const [warmMin, warmMax] = DEFAULT_PROFILE.warmupSeconds;
    // None before the shortest launch, most by the longest, spread over the minutes between.
    expect(inService[Math.floor((bootMin + warmMin) / 60) - 1]).toBe(1);
    expect(inService[Math.ceil((bootMax + warmMax) / 60)]).toBeGreaterThan(90);
    expect(new Set(inService).size).toBeGreaterThan(3);
  });

  it('with basic monitoring, delivers CPU as a 5-minute average only', () => {
    const sim = world(DEFAULT_PROFILE, { basicMonitoring: true });
    for (let m = 0; m < 30; m++) sim.advanceMinute(6000);
    const withCpu = sim.samples.filter((s) => s.cpuPct !== undefined);
    expect(withCpu.length).toBeGreaterThanOrEqual(4);
    expect(withCpu.length).toBeLessThanOrEqual(6);
    for (const s of withCpu) expect(Math.round(s.at / 60_000) % 5).toBe(0);
    expect(sim.samples.every((s) => s.requestsPerMinute !== undefined)).toBe(true);
  });
});
