/**
 * A trace as the benchmark uses it: one value per regular interval, sorted, with every repair
 * reported. Gaps are gaps, not zero demand: a missing interval carries the last value and is
 * listed in `gaps`. Then `toMinuteLoad` turns it into requests per minute scaled so that its peak
 * needs a stated number of instances at the SLO (benchmark.md).
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { TimelineEvent } from '@headroom/core/model/replay.js';
import { demandForShape, mmShape, type ServiceShape } from '../world/queueing.js';
import {
  TraceError,
  parseCloudWatchJson,
  parseCsvTrace,
  type CloudWatchOptions,
  type CsvOptions,
  type RawPoint,
} from './traceFormats.js';

export { TraceError } from './traceFormats.js';

export interface TraceGap {
  /** Epoch ms of the first and last missing interval. */
  from: number;
  to: number;
  /** Intervals filled by carrying the value before the gap. */
  missing: number;
}

export interface TraceDuplicate {
  at: number;
  /** Where the rows sharing this interval came from; the last one in file order is kept. */
  rows: (number | string)[];
}

export interface Trace {
  name: string;
  /** Epoch ms of the first interval. */
  start: number;
  intervalMs: number;
  /** One value per interval from `start`, gaps filled. */
  values: number[];
  gaps: TraceGap[];
  duplicates: TraceDuplicate[];
  /** True when rows were out of time order (they are sorted here). */
  wasUnsorted: boolean;
}

/** The most common step between consecutive distinct times: robust to the odd gap or jitter. */
function detectInterval(sorted: readonly RawPoint[], file: string): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const d = (sorted[i] as RawPoint).at - (sorted[i - 1] as RawPoint).at;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, n] of counts) if (n > bestCount || (n === bestCount && d < best)) [best, bestCount] = [d, n];
  if (best === 0) throw new TraceError(file, undefined, 'needs at least two rows at different times');
  return best;
}

/** Longest trace, in intervals, gaps included: about four years of minutes. */
export const MAX_TRACE_INTERVALS = 2_000_000;

/** Sorts, snaps each point to its interval (rounding), keeps the last of duplicates, fills gaps. */
export function toTrace(points: readonly RawPoint[], name: string): Trace {
  if (points.length < 2)
    throw new TraceError(name, undefined, `needs at least two rows, found ${points.length}`);
  let wasUnsorted = false;
  for (let i = 1; i < points.length; i++)
    if ((points[i] as RawPoint).at < (points[i - 1] as RawPoint).at) wasUnsorted = true;
  // A stable sort keeps file order among equal times, so "last in file order" survives sorting.
  const sorted = wasUnsorted ? [...points].sort((a, b) => a.at - b.at) : points;
  const intervalMs = detectInterval(sorted, name);
  const start = (sorted[0] as RawPoint).at;
  const slots = Math.round(((sorted.at(-1) as RawPoint).at - start) / intervalMs) + 1;
  // A stray timestamp years away would otherwise ask for a gap-filled array larger than memory.
  if (slots > MAX_TRACE_INTERVALS) {
    throw new TraceError(
      name,
      undefined,
      `first and last rows are ${slots} intervals of ${intervalMs / 1000} s apart (at most ${MAX_TRACE_INTERVALS}): check the timestamps`,
    );
  }
  const values = new Array<number>(slots);
  const filled = new Array<boolean>(slots).fill(false);
  const rowsBySlot = new Map<number, (number | string)[]>();
  for (const p of sorted) {
    const slot = Math.round((p.at - start) / intervalMs);
    if (filled[slot]) {
      const rows = rowsBySlot.get(slot) ?? [];
      rows.push(p.where);
      rowsBySlot.set(slot, rows);
    } else {
      rowsBySlot.set(slot, [p.where]);
    }
    values[slot] = p.value;
    filled[slot] = true;
  }
  const duplicates: TraceDuplicate[] = [];
  for (const [slot, rows] of [...rowsBySlot].sort((a, b) => a[0] - b[0])) {
    if (rows.length > 1) duplicates.push({ at: start + slot * intervalMs, rows });
  }
  const gaps: TraceGap[] = [];
  for (let i = 1; i < slots; i++) {
    if (filled[i]) continue;
    let j = i;
    while (!filled[j]) j++;
    gaps.push({ from: start + i * intervalMs, to: start + (j - 1) * intervalMs, missing: j - i });
    for (let k = i; k < j; k++) values[k] = values[i - 1] as number;
    i = j;
  }
  return { name, start, intervalMs, values, gaps, duplicates, wasUnsorted };
}

export type TraceFileOptions = CsvOptions & CloudWatchOptions;

/** Reads a CSV or a CloudWatch JSON export (by extension, or by a leading `{`/`[`). */
export function parseTrace(text: string, file: string, options: TraceFileOptions = {}): Trace {
  const json = extname(file).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
  // The datacenter aggregates carry their step only in their names (`..._grouped_30_seconds.csv`).
  const named = /grouped_(\d+)_seconds/.exec(basename(file));
  const csvOptions =
    options.stepSeconds === undefined && named ? { ...options, stepSeconds: Number(named[1]) } : options;
  const points = json ? parseCloudWatchJson(text, file, options) : parseCsvTrace(text, file, csvOptions);
  return toTrace(points, basename(file));
}

export function readTraceFile(path: string, options: TraceFileOptions = {}): Trace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TraceError(
      path,
      undefined,
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseTrace(text, path, options);
}

export interface MinuteLoadOptions {
  /** Instances the trace's peak minute needs at the SLO. */
  peakInstances: number;
  /** The world the load is scaled for: an M/M/c instance's rate, or a profile's shape (queueing.ts). */
  muPerInstance: number | ServiceShape;
  sloP99Ms: number;
  /** 'hold' (default): constant inside each interval; 'linear': straight line to the next value. */
  interpolation?: 'hold' | 'linear';
}

export interface MinuteLoad {
  /** Requests per minute, one per minute from `startAt`. */
  load: number[];
  startAt: number;
  /** Requests per minute per unit of the trace's value. */
  scale: number;
  gaps: TraceGap[];
  /** The gaps as timeline events, for the report. */
  gapEvents: TimelineEvent[];
}

/** The highest requests per minute that `instances` still serve within the SLO. */
export function peakLoadFor(
  instances: number,
  muPerInstance: number | ServiceShape,
  sloP99Ms: number,
): number {
  if (!(Number.isInteger(instances) && instances >= 1))
    throw new RangeError(`peakInstances must be an integer ≥ 1, got ${instances}`);
  const shape = typeof muPerInstance === 'number' ? mmShape(muPerInstance) : muPerInstance;
  let lo = 0;
  let hi = instances * shape.mu * shape.serversPerInstance;
  // demandFor is monotone in the load: bisect to the edge where it starts to need one more instance.
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (demandForShape(mid, shape, sloP99Ms) <= instances) lo = mid;
    else hi = mid;
  }
  return lo * 60;
}

/** Per-minute values: interval means when the trace is finer than a minute, else hold or linear. */
function perMinute(trace: Trace, interpolation: 'hold' | 'linear'): number[] {
  const { values, intervalMs } = trace;
  const minutes = Math.max(1, Math.floor((values.length * intervalMs) / 60_000));
  const out = new Array<number>(minutes);
  for (let m = 0; m < minutes; m++) {
    const t = m * 60_000;
    if (intervalMs < 60_000) {
      const first = Math.floor(t / intervalMs);
      const last = Math.min(values.length, Math.ceil((t + 60_000) / intervalMs));
      let sum = 0;
      for (let i = first; i < last; i++) sum += values[i] as number;
      out[m] = sum / (last - first);
      continue;
    }
    const i = Math.floor(t / intervalMs);
    const v = values[i] as number;
    const next = values[i + 1];
    out[m] =
      interpolation === 'linear' && next !== undefined
        ? v + ((next - v) * (t - i * intervalMs)) / intervalMs
        : v;
  }
  return out;
}

/** Scales a per-minute series so that its peak minute needs exactly `peakInstances` at the SLO. */
export function scaleToPeak(
  shape: readonly number[],
  options: Omit<MinuteLoadOptions, 'interpolation'>,
  name = 'load',
): { load: number[]; scale: number } {
  let max = 0;
  for (const v of shape) if (v > max) max = v;
  if (max === 0) throw new TraceError(name, undefined, 'every value is 0: nothing to scale to a peak');
  const scale = peakLoadFor(options.peakInstances, options.muPerInstance, options.sloP99Ms) / max;
  return { load: shape.map((v) => v * scale), scale };
}

const gapEventsOf = (trace: Trace): TimelineEvent[] =>
  trace.gaps.map((g) => ({
    at: g.from,
    kind: 'gap',
    label: `${g.missing} missing interval${g.missing === 1 ? '' : 's'} filled with the last value`,
  }));

export function toMinuteLoad(trace: Trace, options: MinuteLoadOptions): MinuteLoad {
  const { load, scale } = scaleToPeak(perMinute(trace, options.interpolation ?? 'hold'), options, trace.name);
  return { load, startAt: trace.start, scale, gaps: trace.gaps, gapEvents: gapEventsOf(trace) };
}

/** A request count per interval (CloudWatch Sum per period) as requests per minute, unscaled. */
export function recordedMinuteLoad(trace: Trace, interpolation: 'hold' | 'linear' = 'hold'): MinuteLoad {
  const scale = 60_000 / trace.intervalMs;
  const load = perMinute(trace, interpolation).map((v) => v * scale);
  return { load, startAt: trace.start, scale, gaps: trace.gaps, gapEvents: gapEventsOf(trace) };
}
