import { describe, expect, it } from '@jest/globals';
import type { KpiName } from '@headroom/core/model/kpi.js';
import { SimulatedService } from '@headroom/lab/world/account';
import { datapointsIn } from '@headroom/lab/world/adapters';
import { DEFAULT_PROFILE } from '@headroom/lab/world/profiles';
import { RepeatedReads } from '@headroom/lab/world/repeatedReads';
import { makeService } from './fixtures';

const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;
const HOUR = 60 * MIN;

/** A service with late (1–3 min), noisy metrics and a short buffer, so that trimming happens. */
function lateService(keepMinutes: number): SimulatedService {
  return new SimulatedService({
    service: makeService(),
    profile: DEFAULT_PROFILE,
    startAt: T0,
    initialCapacity: 3,
    keepMinutes,
    seed: 7,
  });
}

describe('RepeatedReads', () => {
  it.each([
    ['hourly 14-day minutes', 60, 14 * 24 * HOUR, HOUR],
    ['a 3-hour window of 5-minute periods, every 10 minutes', 300, 3 * HOUR, 10 * MIN],
    ['a 15-minute window every minute', 60, 15 * MIN, MIN],
  ])(
    'answers every read of %s exactly as datapointsIn, through late delivery and trimming',
    (_, period, span, every) => {
      const sim = lateService(600);
      const reads = new RepeatedReads();
      const kpis: KpiName[] = ['requestsPerMinute', 'cpuPct'];
      let compared = 0;
      for (let minute = 1; minute <= 2000; minute++) {
        // Gaps: no load (and so no p99) for a stretch, to leave periods without some KPIs.
        sim.advanceMinute(minute % 300 < 20 ? 0 : 600 + 300 * Math.sin(minute / 40));
        if ((minute * MIN) % every !== 0) continue;
        const end = sim.now;
        const window = { start: end - span, end, periodSeconds: period };
        for (const set of [kpis, ['p99LatencyMs'] as KpiName[], undefined]) {
          const want = datapointsIn(sim.samples, window, set);
          expect(reads.read(sim.samples, window, set)).toEqual(want);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(50);
    },
  );

  it('recomputes when a window moves off the period grid or back in time', () => {
    const sim = lateService(600);
    const reads = new RepeatedReads();
    for (let minute = 0; minute < 300; minute++) sim.advanceMinute(400 + minute);
    const end = sim.now;
    for (const w of [
      { start: end - 2 * HOUR, end, periodSeconds: 300 },
      { start: end - 2 * HOUR - 2 * MIN, end: end - 2 * MIN, periodSeconds: 300 },
      { start: end - 2 * HOUR - 30 * MIN, end: end - 30 * MIN, periodSeconds: 300 },
    ]) {
      expect(reads.read(sim.samples, w)).toEqual(datapointsIn(sim.samples, w));
    }
  });
});
