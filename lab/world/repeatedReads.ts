/**
 * The datapoints of a window read again and again as it slides: the forecast function reads the
 * last 14 days of minutes every hour, so each read but the first repeats all but an hour of the
 * one before. The answer is exactly datapointsIn's (a test compares the two on late, trimmed and
 * gappy histories); only the periods that can have changed since the last read are recomputed.
 *
 * That holds because the simulated service's sample buffer only grows at its end, in time order
 * (SimulatedService.deliver: late datapoints are delivered in order), and is trimmed only at its
 * front. A datapoint read before is reused only when nothing it was made of can have changed: same
 * period grid and KPIs, its period wholly before the one holding the last sample read, and no
 * sample inside the new window trimmed since.
 */
import { ALL_KPIS, type KpiName, type KpiSample } from '@headroom/core/model/kpi.js';
import type { MetricsWindow } from '@headroom/core/ports/index.js';
import { datapointsIn, firstAfter } from './adapters.js';

interface LastRead {
  window: MetricsWindow;
  points: readonly KpiSample[];
  /** The oldest sample in the buffer at that read, and the newest one read. */
  first: KpiSample | undefined;
  last: KpiSample | undefined;
}

/** Distinct windows remembered (the evaluate flow's reads reach back a varying number of minutes). */
const MAX_WINDOWS = 32;

export class RepeatedReads {
  private readonly reads = new Map<string, LastRead>();

  read(
    samples: readonly KpiSample[],
    window: MetricsWindow,
    kpis: readonly KpiName[] = ALL_KPIS,
  ): readonly KpiSample[] {
    const key = `${window.periodSeconds}|${window.end - window.start}|${kpis.join(',')}`;
    const before = this.reads.get(key);
    const points = before ? this.reuse(before, samples, window, kpis) : undefined;
    const answer = points ?? datapointsIn(samples, window, kpis);
    // Kept for the next read as given: callers get it as KpiSeries.samples, a readonly array.
    if (!before && this.reads.size >= MAX_WINDOWS) this.reads.clear();
    this.reads.set(key, {
      window,
      points: answer,
      first: samples[0],
      last: lastIn(samples, window.end),
    });
    return answer;
  }

  private reuse(
    before: LastRead,
    samples: readonly KpiSample[],
    window: MetricsWindow,
    kpis: readonly KpiName[],
  ): KpiSample[] | undefined {
    const periodMs = window.periodSeconds * 1000;
    const shift = window.start - before.window.start;
    if (shift < 0 || shift % periodMs !== 0 || window.end < before.window.end) return undefined;
    const { last } = before;
    if (last === undefined) return undefined;
    // Trimmed since, and the buffer now starts inside the window: a reused datapoint may hold a sample gone.
    const first = samples[0];
    if (first !== before.first && (first === undefined || first.at - 60_000 > window.start)) return undefined;
    // The newest sample read must still be where it was (the buffer grew at its end only).
    if (samples[indexAtOrBefore(samples, last.at)] !== last) return undefined;
    // The period holding the newest sample read may still gain samples: recompute from its start.
    const redoFrom = Math.max(
      window.start,
      window.start + Math.floor((last.at - 60_000 - window.start) / periodMs) * periodMs,
    );
    // Points are in time order: keep the run of them whose periods lie in [window.start, redoFrom).
    const from = firstAfter(before.points, window.start + periodMs - 1);
    const to = firstAfter(before.points, redoFrom);
    const points = before.points.slice(from, Math.max(from, to));
    for (const point of datapointsIn(samples, { ...window, start: redoFrom }, kpis)) points.push(point);
    return points;
  }
}

/** Index of the last sample stamped at or before `at` (-1 when none). */
const indexAtOrBefore = (samples: readonly KpiSample[], at: number): number => firstAfter(samples, at) - 1;

/** The newest sample a read of a window ending at `end` can include (its minute begins before `end`). */
function lastIn(samples: readonly KpiSample[], end: number): KpiSample | undefined {
  return samples[indexAtOrBefore(samples, end + 59_999)];
}
