/**
 * A seeded, realistic workload: requests per minute with a daily cycle (quiet night, evening
 * peak), a weekly cycle (quieter weekends), a slow trend, flash crowds (a quick ramp, then an
 * exponential decay) and multiplicative noise. Same seed, same workload, on every machine.
 *
 * The defaults are calibrated for μ = 10 requests/s per instance and a 500 ms p99 SLO: ordinary
 * weekday peaks need about 20 instances, nights about 5, and flash crowds push past 30, so a
 * month replayed with `npm start` makes every policy work.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface WorkloadShape {
  /** Seed of the generator; the same seed gives the same workload. */
  seed: number;
  /** Epoch ms of the first minute (UTC); the daily and weekly cycles are anchored to it. */
  startAt: number;
  days: number;
  /** Mean requests per minute on a weekday, before trend and bursts. */
  meanRequestsPerMinute: number;
  /** Peak-to-mean swing of the daily cycle, 0..1. */
  dailyAmplitude: number;
  /** Hour of the day (UTC) when the daily cycle peaks. */
  peakHourUtc: number;
  /** Saturday and Sunday load relative to a weekday. */
  weekendFactor: number;
  /** Relative growth per day (0.004 = +0.4 %/day, about +13 % a month). */
  trendPerDay: number;
  /** Mean number of flash crowds per week (Poisson). */
  burstsPerWeek: number;
  /** A flash crowd multiplies the load by 1 + a uniform draw from [min, max] at its top. */
  burstExtra: readonly [number, number];
  burstRampMinutes: number;
  /** Time constant of a flash crowd's decay, minutes. */
  burstDecayMinutes: number;
  /** Standard deviation of the multiplicative per-minute noise, 0..1. */
  noise: number;
}

export const DEFAULT_WORKLOAD: Omit<WorkloadShape, 'seed' | 'startAt'> = {
  days: 30,
  meanRequestsPerMinute: 6000,
  dailyAmplitude: 0.6,
  peakHourUtc: 19,
  weekendFactor: 0.7,
  trendPerDay: 0.004,
  burstsPerWeek: 2,
  burstExtra: [0.4, 1.0],
  burstRampMinutes: 10,
  burstDecayMinutes: 45,
  noise: 0.04,
};

const MINUTES_PER_DAY = 1440;
const MINUTE_MS = 60_000;

function check(shape: WorkloadShape): void {
  const nonNegative: (keyof WorkloadShape)[] = [
    'days',
    'meanRequestsPerMinute',
    'weekendFactor',
    'burstsPerWeek',
    'burstRampMinutes',
    'burstDecayMinutes',
    'noise',
  ];
  for (const key of nonNegative) {
    const v = shape[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new RangeError(`workload ${key} must be ≥ 0, got ${String(v)}`);
  }
  if (!(shape.dailyAmplitude >= 0 && shape.dailyAmplitude < 1)) {
    throw new RangeError(`workload dailyAmplitude must be in [0, 1), got ${shape.dailyAmplitude}`);
  }
  const [lo, hi] = shape.burstExtra;
  if (!(lo >= 0 && hi >= lo))
    throw new RangeError(`workload burstExtra must be [min, max] with 0 ≤ min ≤ max`);
  if (shape.startAt % MINUTE_MS !== 0) throw new RangeError(`workload startAt must be on a whole minute`);
}

/** Daily profile with mean 1: a fundamental plus a second harmonic for a flat night and a sharper peak. */
function dailyFactor(minuteOfDay: number, shape: WorkloadShape): number {
  const phase = (2 * Math.PI * (minuteOfDay / 60 - shape.peakHourUtc)) / 24;
  return 1 + shape.dailyAmplitude * (0.85 * Math.cos(phase) + 0.15 * Math.cos(2 * phase));
}

/** Standard normal draw by Box–Muller from two uniforms. */
function gaussian(next: () => number): number {
  const u = 1 - next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/** Requests per minute, one value per minute for `days` days from `startAt`. */
export function generateWorkload(
  partial: Partial<WorkloadShape> & { seed: number; startAt: number },
): number[] {
  const shape: WorkloadShape = { ...DEFAULT_WORKLOAD, ...partial };
  check(shape);
  const rng = xoroshiro128plus(shape.seed);
  const next = (): number => uniformFloat64(rng);
  const minutes = Math.round(shape.days * MINUTES_PER_DAY);
  const startMinuteOfDay = Math.floor((shape.startAt % 86_400_000) / MINUTE_MS);
  const startDay = Math.floor(shape.startAt / 86_400_000);

  const burst = new Float64Array(minutes);
  const startChance = shape.burstsPerWeek / (7 * MINUTES_PER_DAY);
  for (let m = 0; m < minutes; m++) {
    if (next() >= startChance) continue;
    const [lo, hi] = shape.burstExtra;
    const top = lo + (hi - lo) * next();
    const ramp = Math.max(1, shape.burstRampMinutes);
    const tail = Math.max(1, shape.burstDecayMinutes);
    for (let k = 0; m + k < minutes && k < ramp + 8 * tail; k++) {
      burst[m + k] = Math.max(
        burst[m + k] as number,
        k < ramp ? (top * (k + 1)) / ramp : top * Math.exp(-(k - ramp) / tail),
      );
    }
  }

  const load = new Array<number>(minutes);
  for (let m = 0; m < minutes; m++) {
    const minuteOfDay = (startMinuteOfDay + m) % MINUTES_PER_DAY;
    const day = startDay + Math.floor((startMinuteOfDay + m) / MINUTES_PER_DAY);
    // 1970-01-01 was a Thursday: day % 7 is 2 on Saturday and 3 on Sunday.
    const weekend = day % 7 === 2 || day % 7 === 3;
    const trend = 1 + shape.trendPerDay * (m / MINUTES_PER_DAY);
    const noise = Math.max(0, 1 + shape.noise * gaussian(next));
    load[m] =
      shape.meanRequestsPerMinute *
      dailyFactor(minuteOfDay, shape) *
      (weekend ? shape.weekendFactor : 1) *
      trend *
      (1 + (burst[m] as number)) *
      noise;
  }
  return load;
}
