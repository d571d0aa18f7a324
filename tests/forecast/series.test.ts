import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { KpiSample } from '@headroom/core';
import { RollingSeries, toRegularSeries } from '@headroom/core/forecast/series';
import { START } from './synthetic.js';

const STEP = 5 * 60_000;
const SPAN = 2 * 3_600_000;

describe('RollingSeries, the policy’s incremental view of its history', () => {
  it('equals toRegularSeries over the same samples at any end time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 0, max: 400 }),
        (values, endMinute) => {
          const samples: KpiSample[] = values.map((v, i) => ({
            at: START + (i + 1) * 60_000,
            ...(v === undefined ? {} : { requestsPerMinute: v }),
          }));
          const rolling = new RollingSeries(STEP, SPAN);
          const end = START + endMinute * 60_000;
          for (const s of samples) if (s.at <= end) rolling.add(s);
          const seen = samples.filter((s) => s.at <= end);
          expect(rolling.series(end)).toEqual(toRegularSeries(seen, { end, spanMs: SPAN, stepMs: STEP }));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drops what falls out of the span but keeps the span whole', () => {
    const rolling = new RollingSeries(STEP, SPAN);
    for (let m = 1; m <= 24 * 60; m++) rolling.add({ at: START + m * 60_000, requestsPerMinute: m });
    const series = rolling.series(START + 24 * 3_600_000);
    expect(series.values).toHaveLength(SPAN / STEP);
    expect(series.values.at(-1)).toBe((1436 + 1437 + 1438 + 1439 + 1440) / 5);
  });
});
