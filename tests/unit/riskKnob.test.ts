/** The risk knob: what a slow minute costs against an instance-hour sets the rise the capacity covers. */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PRICE_PER_INSTANCE_HOUR_USD, DEFAULT_SLOW_MINUTE_COST_USD } from '@headroom/core';
import { DEFAULT_RISE_QUANTILE, riseQuantileFor } from '@headroom/core/policies/riskKnob.js';
import {
  buildPolicy,
  HEADROOM_SETTINGS,
  headroomAt,
  headroomSettingLabel,
} from '@headroom/lab/bench/benchPolicies.js';
import { BENCH_SERVICE } from '@headroom/lab/bench/benchSetup.js';
import { generateWorkload } from '@headroom/lab/workloads/generator.js';
import { DEFAULT_PROFILE } from '@headroom/lab/world/profiles.js';
import { replay } from '@headroom/lab/world/replay.js';

const at = (slowMinuteCostUsd: number, pricePerInstanceHourUsd = DEFAULT_PRICE_PER_INSTANCE_HOUR_USD) =>
  riseQuantileFor({ slowMinuteCostUsd, pricePerInstanceHourUsd });

describe('the risk knob', () => {
  it('covers the 90th percentile of the rise at the deployment defaults', () => {
    expect(at(DEFAULT_SLOW_MINUTE_COST_USD)).toBeCloseTo(DEFAULT_RISE_QUANTILE, 10);
  });

  it('covers more as a slow minute gets dearer, less as instances do, within [0.5, 0.995]', () => {
    const quantiles = [0.01, 1, 3, 10, 30, 100, 1e6].map((c) => at(c));
    expect(quantiles).toEqual([...quantiles].sort((a, b) => a - b));
    expect(quantiles[0]).toBe(0.5);
    expect(quantiles.at(-1)).toBe(0.995);
    expect(at(10, 0.0832)).toBeLessThan(at(10));
    // Only the ratio matters: twice the cost at twice the price is the same setting.
    expect(at(20, 2 * DEFAULT_PRICE_PER_INSTANCE_HOUR_USD)).toBeCloseTo(at(10), 12);
  });

  it('the benchmark runs Headroom at five settings, its default among them', () => {
    expect(HEADROOM_SETTINGS.length).toBeGreaterThanOrEqual(4);
    expect(HEADROOM_SETTINGS).toContain(DEFAULT_SLOW_MINUTE_COST_USD);
    expect(headroomSettingLabel(10)).toBe('slow-minute=$10');
    expect(() => headroomAt(0)).toThrow(/slow-minute cost must be a positive number of USD, got 0/);
  });
});

describe('headroomAt', () => {
  it('at the default setting is the deployed Headroom the benchmark runs, minute for minute', async () => {
    const startAt = Date.UTC(2026, 0, 5);
    const load = generateWorkload({ seed: 3, startAt, days: 1 }).map((l) => l * 20);
    const context = { service: BENCH_SERVICE, demand: [], startAt };
    const run = (policy: ReturnType<typeof buildPolicy>) =>
      replay({
        traceName: 't',
        load,
        startAt,
        service: BENCH_SERVICE,
        policy,
        muPerInstance: 10,
        profile: DEFAULT_PROFILE,
      });
    const atDefault = await run(headroomAt(DEFAULT_SLOW_MINUTE_COST_USD)(context));
    const deployed = await run(buildPolicy('headroom', context));
    expect(atDefault.timeline.map((p) => p.desired)).toEqual(deployed.timeline.map((p) => p.desired));
    expect(atDefault.summary.scalingActions).toBeGreaterThan(0);
  });
});
