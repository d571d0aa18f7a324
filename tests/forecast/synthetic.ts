/** A known seasonal series for forecast tests: daily and weekly cycles, seeded noise, optional gaps. */
import type { RegularSeries } from '@headroom/core/forecast/series';

export const STEP = 5 * 60_000;
export const DAY = 86_400_000;
/** A Monday 00:00 UTC, so weekday slots are easy to reason about. */
export const START = Date.UTC(2026, 0, 5);

export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The noiseless load at t: a daily peak at 14:00, weekends at 60 %. */
export function trueLoad(t: number): number {
  const hour = ((t % DAY) / DAY) * 24;
  const weekday = new Date(t).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 0.6 : 1;
  return 1000 * weekend * (1 + 0.6 * Math.sin(((hour - 8) / 24) * 2 * Math.PI));
}

export function syntheticSeries(
  days: number,
  options: { noise?: number; seed?: number; start?: number } = {},
) {
  const random = seeded(options.seed ?? 1);
  const start = options.start ?? START;
  const values = Array.from({ length: (days * DAY) / STEP }, (_, i) => {
    const noise = 1 + (options.noise ?? 0.05) * (random() * 2 - 1);
    return trueLoad(start + i * STEP) * noise;
  });
  return { start, stepMs: STEP, values } satisfies RegularSeries;
}
