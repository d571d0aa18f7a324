/**
 * Headroom's settings of one trace and size, replayed side by side in one worker, share the
 * forecast function's refit: it reads only the load history (request counts, delivered 1–3 minutes
 * late), which the world draws the same under every setting (account.ts: launches draw from their
 * own random stream). The memo proves it rather than assumes it: an answer is reused only for the
 * same service, time, options, previous forecast and accuracy (the very objects), and a load
 * series equal value for value; anything else is refitted. So each replay still gets exactly what
 * refitForecastOnSeries gives it.
 */
import type { RegularSeries } from '@headroom/core/forecast/series.js';
import {
  refitForecastOnSeries,
  type RefitOptions,
  type ServiceForecast,
} from '@headroom/core/forecast/serviceForecast.js';

interface Refit {
  serviceId: string;
  now: number;
  options: RefitOptions | undefined;
  previousForecast: ServiceForecast['forecast'];
  previousAccuracy: ServiceForecast['accuracy'] | undefined;
  start: number;
  stepMs: number;
  values: Float64Array;
  result: ServiceForecast;
}

/** Refits remembered: the replays are held within an hour of one another (HourlyGate). */
const KEEP = 8;

export class SharedRefits {
  /** Refits answered from the memo, and made. */
  hits = 0;
  misses = 0;
  private readonly kept: Refit[] = [];

  readonly refit = (
    serviceId: string,
    series: RegularSeries,
    now: number,
    previous: ServiceForecast | undefined,
    options?: RefitOptions,
  ): ServiceForecast => {
    const found = this.kept.find(
      (r) =>
        r.now === now &&
        r.serviceId === serviceId &&
        r.options === options &&
        r.previousForecast === previous?.forecast &&
        r.previousAccuracy === previous?.accuracy &&
        r.start === series.start &&
        r.stepMs === series.stepMs &&
        sameValues(r.values, series.values),
    );
    if (found) {
      this.hits++;
      return found.result;
    }
    this.misses++;
    const result = refitForecastOnSeries(serviceId, series, now, previous, options);
    this.kept.push({
      serviceId,
      now,
      options,
      previousForecast: previous?.forecast,
      previousAccuracy: previous?.accuracy,
      start: series.start,
      stepMs: series.stepMs,
      values: Float64Array.from(series.values),
      result,
    });
    if (this.kept.length > KEEP) this.kept.shift();
    return result;
  };
}

/** Equal value for value, NaN (a gap) equal to NaN. */
function sameValues(kept: Float64Array, values: readonly number[]): boolean {
  if (kept.length !== values.length) return false;
  for (let i = 0; i < kept.length; i++) {
    const a = kept[i] as number;
    const b = values[i] as number;
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return false;
  }
  return true;
}

/**
 * Holds replays running side by side at each hour until all have reached it, so that the ones
 * behind find the hour's refit still in the memo. A replay that ends (or fails) stops counting.
 */
export class HourlyGate {
  private waiting: { hour: number; count: number; open: () => void; opened: Promise<void> } | undefined;

  constructor(private running: number) {}

  /** Resolves once every running replay has arrived at `hour`. */
  arrive(hour: number): Promise<void> {
    // One that skipped an hour (no datapoint yet to decide on) must not hold the others there.
    if (this.waiting !== undefined && this.waiting.hour < hour) {
      this.waiting.open();
      this.waiting = undefined;
    }
    if (this.waiting === undefined || this.waiting.hour !== hour) {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      this.waiting = { hour, count: 0, open, opened };
    }
    const gate = this.waiting;
    gate.count++;
    const { opened } = gate;
    this.release();
    return opened;
  }

  /** A replay has finished: the others no longer wait for it. */
  leave(): void {
    this.running--;
    this.release();
  }

  private release(): void {
    const gate = this.waiting;
    if (gate && gate.count >= this.running) {
      this.waiting = undefined;
      gate.open();
    }
  }
}
