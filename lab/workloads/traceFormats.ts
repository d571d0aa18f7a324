/**
 * The trace formats Headroom reads, each turned into raw points (time, value, where it came
 * from). Nothing is dropped: a row that cannot be read stops the read with a TraceError naming
 * the file, the line (or JSON path) and the problem.
 *
 * - `timestamp,value` CSV (NAB): naive 'YYYY-MM-DD HH:MM:SS' timestamps, read as UTC.
 * - CSV with other columns (datacenter aggregates, Prophet's `ds,y`): the value column is chosen
 *   by name; the time column is `timestamp` or `ds` if present (dates, or seconds from the start
 *   as in the Azure file), otherwise row i is at i × step.
 * - CloudWatch GetMetricData JSON: `MetricDataResults[].Timestamps/Values` (newest first, as AWS
 *   returns them), one response or an array of paginated responses.
 */
import { parse } from 'csv-parse/sync';
import { chooseResults, isMetricStatistics, parseMetricStatistics } from './cloudWatchExport.js';

export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(
    readonly file: string,
    /** `17` for a CSV line, or a JSON path such as `MetricDataResults[0].Values[3]`. */
    readonly where: number | string | undefined,
    readonly problem: string,
  ) {
    super(
      where === undefined
        ? `${file}: ${problem}`
        : typeof where === 'number'
          ? `${file}:${where}: ${problem}`
          : `${file}: ${where}: ${problem}`,
    );
  }
}

export interface RawPoint {
  /** Epoch ms. */
  at: number;
  value: number;
  /** CSV line or JSON path, for reports on duplicates. */
  where: number | string;
}

export interface CsvOptions {
  /** Value column by name (default: `value`, then `y`, then the first column whose name has "cpu"). */
  column?: string;
  /** Seconds between rows when the file has no time column (default 300, the datacenter aggregates' step). */
  stepSeconds?: number;
  /** Epoch ms of row 0 (or of second 0 of a seconds-offset time column); default 0. */
  startAt?: number;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;

/** A naive date-time is UTC; one with a zone (Z, +02:00) keeps its zone. NaN when unreadable. */
export function parseTimestamp(text: string): number {
  const m = NAIVE.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, ms] = m;
    const at = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h ?? 0),
      Number(mi ?? 0),
      Number(s ?? 0),
      Number((ms ?? '0').padEnd(3, '0')),
    );
    // Date.UTC rolls 2014-02-30 over to March; a date or time that does not exist is an error.
    const back = new Date(at);
    const exists =
      back.getUTCMonth() === Number(mo) - 1 &&
      back.getUTCDate() === Number(d) &&
      back.getUTCHours() === Number(h ?? 0) &&
      back.getUTCMinutes() === Number(mi ?? 0) &&
      back.getUTCSeconds() === Number(s ?? 0);
    return exists ? at : Number.NaN;
  }
  return /T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
}

function parseValue(text: string, file: string, line: number): number {
  if (text === '') throw new TraceError(file, line, 'value is empty');
  const v = Number(text);
  if (!Number.isFinite(v)) throw new TraceError(file, line, `value "${text}" is not a number`);
  if (v < 0) throw new TraceError(file, line, `value ${text} is negative; a load cannot be`);
  return v;
}

/** The value column a CSV header yields: `wanted`, else value, y, or the first *cpu* column. */
export function csvValueColumn(header: readonly string[], wanted: string | undefined): string | undefined {
  const names = header.map((h) => h.trim().replace(/^"|"$/g, ''));
  return (
    wanted ??
    names.find((n) => n === 'value') ??
    names.find((n) => n === 'y') ??
    names.find((n) => /cpu/i.test(n))
  );
}

function pickValueColumn(header: readonly string[], file: string, wanted: string | undefined): number {
  const names = header.map((h) => h.trim());
  const pick = csvValueColumn(names, wanted);
  const i = pick === undefined ? -1 : names.indexOf(pick);
  if (i < 0) {
    const what = wanted === undefined ? 'no value column found' : `column "${wanted}" not found`;
    throw new TraceError(
      file,
      1,
      `${what}; columns are ${names.join(', ')} (choose one with the column option)`,
    );
  }
  return i;
}

function csvRows(text: string, file: string): { record: string[]; line: number }[] {
  try {
    // csv-parse's typings do not model `info: true`, which wraps each record with its line number.
    const rows = parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    return rows.map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new TraceError(file, err.lines, err.message.replace(/ on line \d+$/, ''));
  }
}

export function parseCsvTrace(text: string, file: string, options: CsvOptions = {}): RawPoint[] {
  const rows = csvRows(text, file);
  const header = rows[0];
  if (!header) throw new TraceError(file, undefined, 'file is empty');
  const names = header.record.map((h) => h.trim().toLowerCase());
  const valueCol = pickValueColumn(header.record, file, options.column);
  const timeCol = names.findIndex((n) => n === 'timestamp' || n === 'ds');
  const step = (options.stepSeconds ?? 300) * 1000;
  const start = options.startAt ?? 0;
  const points: RawPoint[] = [];
  for (let r = 1; r < rows.length; r++) {
    const { record, line } = rows[r] as { record: string[]; line: number };
    const value = parseValue(record[valueCol] ?? '', file, line);
    let at = start + (r - 1) * step;
    if (timeCol >= 0) {
      const t = record[timeCol] ?? '';
      // A plain number is seconds from the start of the trace (the Azure aggregate's timestamp column).
      at = /^\d+(\.\d+)?$/.test(t) ? start + Number(t) * 1000 : parseTimestamp(t);
      if (Number.isNaN(at))
        throw new TraceError(file, line, `timestamp "${t}" is not a date (expected YYYY-MM-DD HH:MM:SS)`);
    }
    points.push({ at, value, where: line });
  }
  return points;
}

export interface CloudWatchOptions {
  /** Which MetricDataResults entry (by Id or Label), or which get-metric-statistics statistic; needed when there are several. */
  id?: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function cloudWatchTime(t: unknown, file: string, where: string): number {
  const at = typeof t === 'number' ? t : typeof t === 'string' ? parseTimestamp(t) : Number.NaN;
  if (!Number.isFinite(at)) throw new TraceError(file, where, `timestamp ${JSON.stringify(t)} is not a date`);
  return at;
}

export function parseCloudWatchJson(text: string, file: string, options: CloudWatchOptions = {}): RawPoint[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TraceError(file, undefined, `not valid JSON (${(e as Error).message})`);
  }
  if (isMetricStatistics(doc)) return parseMetricStatistics(doc, file, options.id);
  const pages = Array.isArray(doc) ? doc : [doc];
  const points: RawPoint[] = [];
  let matched = false;
  pages.forEach((page, p) => {
    const prefix = Array.isArray(doc) ? `[${p}].` : '';
    const results = isRecord(page) ? page['MetricDataResults'] : undefined;
    if (!Array.isArray(results))
      throw new TraceError(file, `${prefix}MetricDataResults`, 'missing: not a GetMetricData response');
    for (const index of chooseResults(results, file, `${prefix}MetricDataResults`, options.id)) {
      const result: unknown = results[index];
      if (!isRecord(result)) continue;
      matched = true;
      const path = `${prefix}MetricDataResults[${index}]`;
      const { Timestamps: times, Values: values } = result;
      if (!Array.isArray(times) || !Array.isArray(values))
        throw new TraceError(file, path, 'needs Timestamps and Values arrays');
      if (times.length !== values.length) {
        throw new TraceError(file, path, `${times.length} Timestamps but ${values.length} Values`);
      }
      times.forEach((t, i) => {
        const where = `${path}.Values[${i}]`;
        const v: unknown = values[i];
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new TraceError(file, where, `value ${JSON.stringify(v)} is not a number`);
        if (v < 0) throw new TraceError(file, where, `value ${v} is negative; a load cannot be`);
        points.push({ at: cloudWatchTime(t, file, `${path}.Timestamps[${i}]`), value: v, where });
      });
    }
  });
  if (!matched) {
    throw new TraceError(
      file,
      'MetricDataResults',
      options.id === undefined ? 'no results' : `no result with Id or Label "${options.id}"`,
    );
  }
  return points;
}
