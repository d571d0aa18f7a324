/**
 * How a trace was read, in numbers, and whether it can be trusted for a backtest. A trace that is
 * mostly carried-forward gaps, whose rows are far apart, or with a value orders of magnitude above
 * the rest (which would scale everything else to nothing) gives a confident answer about nothing:
 * it is refused with the numbers unless the user says they know.
 */
import { TraceError } from './traceFormats.js';
import type { Trace } from './traceReader.js';

/** Above this share of filled intervals a trace is "mostly gaps". */
export const MAX_FILLED_SHARE = 0.5;
/** A value more than this many times the 99th percentile is implausible for a load. */
export const OUTLIER_RATIO = 100;
/** Rows further apart than this are not a load history a per-minute replay can follow. */
export const MAX_STEP_MS = 86_400_000;
/** How many outliers are listed by value (all are counted). */
const LISTED = 5;

export interface TraceOutlier {
  at: number;
  value: number;
}

export interface TraceReading {
  file: string;
  /** Seconds between rows, as detected. */
  stepSeconds: number;
  /** The value column read (CSV), or the MetricDataResults entry (CloudWatch). */
  column?: string;
  rows: number;
  intervals: number;
  /** First and last interval, epoch ms. */
  from: number;
  to: number;
  rowsReordered: boolean;
  duplicateIntervals: number;
  gaps: number;
  filledIntervals: number;
  /** Filled intervals / all intervals: the share of minutes the replay takes from a carried value. */
  filledShare: number;
  p99: number;
  max: number;
  /** Values above OUTLIER_RATIO × p99, the largest first (at most LISTED). */
  outliers: TraceOutlier[];
  outlierCount: number;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] ?? 0;
}

export function describeTrace(trace: Trace, file: string, column?: string): TraceReading {
  const filledIntervals = trace.gaps.reduce((sum, g) => sum + g.missing, 0);
  const intervals = trace.values.length;
  // Percentile of the values that are not zero: a sparse trace (mostly 0) still has a scale.
  const positive = trace.values.filter((v) => v > 0).sort((a, b) => a - b);
  const p99 = percentile(positive, 0.99);
  const found: TraceOutlier[] = [];
  trace.values.forEach((value, i) => {
    if (p99 > 0 && value > OUTLIER_RATIO * p99) found.push({ at: trace.start + i * trace.intervalMs, value });
  });
  found.sort((a, b) => b.value - a.value);
  return {
    file,
    stepSeconds: trace.intervalMs / 1000,
    ...(column !== undefined ? { column } : {}),
    rows: intervals - filledIntervals + trace.duplicates.reduce((s, d) => s + d.rows.length - 1, 0),
    intervals,
    from: trace.start,
    to: trace.start + (intervals - 1) * trace.intervalMs,
    rowsReordered: trace.wasUnsorted,
    duplicateIntervals: trace.duplicates.length,
    gaps: trace.gaps.length,
    filledIntervals,
    filledShare: intervals === 0 ? 0 : filledIntervals / intervals,
    p99,
    max: positive.at(-1) ?? 0,
    outliers: found.slice(0, LISTED),
    outlierCount: found.length,
  };
}

const pct = (share: number) => `${(100 * share).toFixed(1)} %`;
const iso = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ');
const days = (ms: number) => (ms / 86_400_000).toFixed(1);

/** Lines for the terminal and the report: how the trace was read. */
export function readingLines(r: TraceReading): string[] {
  return [
    `Read ${r.file}: ${r.rows.toLocaleString('en-US')} rows${r.column ? ` of column "${r.column}"` : ''}, ` +
      `step ${r.stepSeconds} s, ${iso(r.from)} to ${iso(r.to)} UTC (${r.intervals.toLocaleString('en-US')} intervals).`,
    `Rows reordered: ${r.rowsReordered ? 'yes (sorted by time)' : 'no'}; intervals with several rows: ${r.duplicateIntervals} (last row kept).`,
    `Gaps: ${r.gaps}, ${r.filledIntervals.toLocaleString('en-US')} intervals filled with the last value (${pct(r.filledShare)} of the minutes).`,
    r.outlierCount === 0
      ? `Outliers: none (max ${r.max.toPrecision(4)}, 99th percentile ${r.p99.toPrecision(4)}).`
      : `Outliers: ${r.outlierCount} value(s) above ${OUTLIER_RATIO} × the 99th percentile (${r.p99.toPrecision(4)}): ` +
        r.outliers.map((o) => `${o.value.toPrecision(4)} at ${iso(o.at)}`).join(', ') +
        '.',
  ];
}

export interface TrustOptions {
  allowGaps?: boolean;
  allowOutliers?: boolean;
}

/** Throws a TraceError with the numbers when the trace cannot support a backtest. */
export function checkTrustworthy(r: TraceReading, options: TrustOptions = {}): void {
  if (r.stepSeconds * 1000 > MAX_STEP_MS) {
    throw new TraceError(
      r.file,
      undefined,
      `${r.rows} rows ${days(r.to - r.from)} days apart: the step between rows is ${days(r.stepSeconds * 1000)} days, ` +
        `at most ${days(MAX_STEP_MS)} day is a load history a per-minute replay can follow`,
    );
  }
  if (r.filledShare > MAX_FILLED_SHARE && !options.allowGaps) {
    throw new TraceError(
      r.file,
      undefined,
      `${pct(r.filledShare)} of the intervals (${r.filledIntervals.toLocaleString('en-US')} of ` +
        `${r.intervals.toLocaleString('en-US')}, in ${r.gaps} gaps) would be filled with a carried value, ` +
        `more than ${pct(MAX_FILLED_SHARE)}; pass --allow-gaps to replay it anyway`,
    );
  }
  if (r.outlierCount > 0 && !options.allowOutliers) {
    const o = r.outliers[0] as TraceOutlier;
    throw new TraceError(
      r.file,
      undefined,
      `${r.outlierCount} value(s) above ${OUTLIER_RATIO} × the 99th percentile (${r.p99.toPrecision(4)}), the largest ` +
        `${o.value.toPrecision(4)} at ${iso(o.at)} UTC; scaled to the peak, it would squash the rest of the trace ` +
        'to almost nothing. Fix the row or pass --allow-outliers',
    );
  }
}
