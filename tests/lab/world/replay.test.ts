import { describe, expect, it } from '@jest/globals';
import type { PolicyObservation, ScalingPolicy } from '@headroom/core';
import { demandFor } from '@headroom/lab/world/queueing';
import { replay } from '@headroom/lab/world/replay';
import { makeService } from './fixtures';

const T0 = Date.UTC(2026, 0, 5);
const MU = 10;

const fixed = (n: number): ScalingPolicy => ({ name: `static-${n}`, decide: () => n });

/** Asks for exactly what the last minute's load needs: reactive, so it lags by boot + warm-up. */
const reactive: ScalingPolicy = {
  name: 'reactive',
  decide: (o: PolicyObservation) => demandFor((o.latest.requestsPerMinute ?? 0) / 60, MU, 500),
};

describe('replay', () => {
  it('a fixed fleet on a flat load: cost, no actions, no violations', async () => {
    const load = new Array<number>(120).fill(3000);
    const { summary, timeline, events } = await replay({
      traceName: 'flat',
      load,
      startAt: T0,
      service: makeService(),
      policy: fixed(8),
      muPerInstance: MU,
      initialCapacity: 8,
    });
    expect(summary).toMatchObject({
      trace: 'flat',
      policy: 'static-8',
      minutes: 120,
      sloViolationMinutes: 0,
      scalingActions: 0,
      tauU: 0,
      simulatedMinutesPerSecond: 0,
    });
    expect(summary.instanceHours).toBeCloseTo(16, 9);
    expect(summary.costUsd).toBeCloseTo(1.6, 9);
    // 3000/min = 50/s needs demandFor(50, 10, 500) instances; 8 is a surplus of 8 − d every minute.
    const d = demandFor(50, MU, 500);
    expect(summary.thetaO).toBeCloseTo(8 - d, 9);
    expect(summary.tauO).toBe(100);
    expect(events).toEqual([]);
    expect(timeline[0]).toEqual({
      at: T0,
      load: 3000,
      demand: d,
      desired: 8,
      inService: 8,
      p99LatencyMs: timeline[0]?.p99LatencyMs,
      errorRatePct: 0,
      cpuPct: (100 * 50) / 80,
      sloViolated: false,
    });
    expect(timeline[119]?.at).toBe(T0 + 119 * 60_000);
  });

  it('a load step is missed for the boot + warm-up delay by a reactive policy', async () => {
    const load = [...new Array<number>(10).fill(1200), ...new Array<number>(30).fill(6000)];
    const { summary, timeline, events } = await replay({
      traceName: 'step',
      load,
      startAt: T0,
      service: makeService(),
      policy: reactive,
      muPerInstance: MU,
    });
    const low = demandFor(20, MU, 500);
    const high = demandFor(100, MU, 500);
    expect(timeline[0]?.inService).toBe(low);
    // Seen at the end of minute 10, launched then, in service 5 minutes later: minutes 10–15 suffer.
    expect(timeline.filter((p) => p.sloViolated).map((p) => (p.at - T0) / 60_000)).toEqual([
      10, 11, 12, 13, 14, 15,
    ]);
    expect(summary.sloViolationMinutes).toBe(6);
    expect(timeline[16]?.inService).toBe(high);
    expect(timeline[11]).toMatchObject({ desired: high, inService: low });
    expect(events).toEqual([{ at: T0 + 11 * 60_000, kind: 'scaling', label: `scale-out ${low} → ${high}` }]);
    expect(summary.scalingActions).toBe(1);
    expect(summary.tauU).toBeCloseTo((100 * 6) / 40, 9);
    expect(summary.thetaU).toBeCloseTo((6 * (high - low)) / 40, 9);
  });

  it('clamps the policy to [min, max] and refuses a non-number', async () => {
    const service = makeService({ capacity: { min: 2, max: 5, maxStepPct: 100, maxStepInstances: 10 } });
    const run = await replay({
      traceName: 't',
      load: [600, 600, 600],
      startAt: T0,
      service,
      policy: fixed(40),
      muPerInstance: MU,
    });
    expect(run.timeline.map((p) => p.desired)).toEqual([2, 5, 5]);
    const broken: ScalingPolicy = { name: 'broken', decide: () => Number.NaN };
    await expect(
      replay({ traceName: 't', load: [600], startAt: T0, service, policy: broken, muPerInstance: MU }),
    ).rejects.toThrow(/policy broken returned NaN/);
  });

  it('shows the policy the fleet and the KPI history, newest last', async () => {
    const seen: { at: number; historyLength: number; lastAt: number | undefined; desired: number }[] = [];
    const watcher: ScalingPolicy = {
      name: 'watcher',
      decide: (o) => {
        seen.push({
          at: o.at,
          historyLength: o.history.length,
          lastAt: o.history.at(-1)?.at,
          desired: o.fleet.desired,
        });
        return o.fleet.desired;
      },
    };
    await replay({
      traceName: 't',
      load: [600, 600, 600],
      startAt: T0,
      service: makeService(),
      policy: watcher,
      muPerInstance: MU,
      initialCapacity: 3,
    });
    expect(seen).toEqual(
      [1, 2, 3].map((m) => ({ at: T0 + m * 60_000, historyLength: m, lastAt: T0 + m * 60_000, desired: 3 })),
    );
  });

  it('reports progress and measures speed with the stopwatch it is given', async () => {
    const progress: [number, number][] = [];
    let tick = 0;
    const { summary } = await replay({
      traceName: 't',
      load: new Array<number>(3000).fill(600),
      startAt: T0,
      service: makeService(),
      policy: fixed(2),
      muPerInstance: MU,
      onProgress: (done, total) => progress.push([done, total]),
      stopwatch: () => (tick++ === 0 ? 0 : 1000),
    });
    expect(progress).toEqual([
      [1440, 3000],
      [2880, 3000],
      [3000, 3000],
    ]);
    expect(summary.simulatedMinutesPerSecond).toBe(3000);
  });

  it('refuses an empty load and a demand series of the wrong length', async () => {
    const base = { traceName: 'e', startAt: T0, service: makeService(), policy: fixed(1), muPerInstance: MU };
    await expect(replay({ ...base, load: [] })).rejects.toThrow(/no minutes/);
    await expect(replay({ ...base, load: [1, 2], demand: [1] })).rejects.toThrow(/demand has 1 minutes/);
  });
});
