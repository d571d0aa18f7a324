/**
 * The CloudWatch exports people actually have: `aws cloudwatch get-metric-data` (one response or
 * an array of pages) and `aws cloudwatch get-metric-statistics` (Datapoints, one per period, in no
 * particular order). With several results, one must be chosen by Id or Label: the first is never
 * taken silently. An incomplete export (PartialData, a NextToken left) is said, not hidden.
 */
import { TraceError, parseTimestamp, type RawPoint } from './traceFormats.js';

const STATISTICS = ['Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount'] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function time(t: unknown, file: string, where: string): number {
  const at = typeof t === 'number' ? t : typeof t === 'string' ? parseTimestamp(t) : Number.NaN;
  if (!Number.isFinite(at)) throw new TraceError(file, where, `timestamp ${JSON.stringify(t)} is not a date`);
  return at;
}

function value(v: unknown, file: string, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new TraceError(file, where, `value ${JSON.stringify(v)} is not a number`);
  if (v < 0) throw new TraceError(file, where, `value ${v} is negative; a load cannot be`);
  return v;
}

/** True for a get-metric-statistics output (`Datapoints`). */
export function isMetricStatistics(doc: unknown): boolean {
  return isRecord(doc) && Array.isArray(doc['Datapoints']);
}

/** The statistics present in Datapoints (Sum, Average, …, and each ExtendedStatistics key such as p99). */
function statisticsOf(points: readonly unknown[]): string[] {
  const found = new Set<string>();
  for (const p of points) {
    if (!isRecord(p)) continue;
    for (const s of STATISTICS) if (s in p) found.add(s);
    const extended = p['ExtendedStatistics'];
    if (isRecord(extended)) for (const k of Object.keys(extended)) found.add(k);
  }
  return [...found];
}

/** Points of a get-metric-statistics output; `statistic` chooses among several (Sum, Average, p99…). */
export function parseMetricStatistics(doc: unknown, file: string, statistic?: string): RawPoint[] {
  const datapoints = isRecord(doc) && Array.isArray(doc['Datapoints']) ? doc['Datapoints'] : [];
  const present = statisticsOf(datapoints);
  const chosen = statistic ?? (present.length === 1 ? present[0] : undefined);
  if (chosen === undefined || !present.includes(chosen)) {
    throw new TraceError(
      file,
      'Datapoints',
      present.length === 0
        ? 'no statistic found (expected Sum, Average, Maximum, Minimum, SampleCount or ExtendedStatistics)'
        : `${statistic === undefined ? 'several statistics' : `no statistic "${statistic}"`}: ${present.join(', ')}; choose one with --column`,
    );
  }
  return datapoints.map((p, i) => {
    const where = `Datapoints[${i}]`;
    if (!isRecord(p)) throw new TraceError(file, where, 'not an object');
    const raw = (STATISTICS as readonly string[]).includes(chosen)
      ? p[chosen]
      : isRecord(p['ExtendedStatistics'])
        ? p['ExtendedStatistics'][chosen]
        : undefined;
    return {
      at: time(p['Timestamp'], file, `${where}.Timestamp`),
      value: value(raw, file, `${where}.${chosen}`),
      where,
    };
  });
}

/**
 * Which MetricDataResults entries to read: those with the Id or Label asked for, or all when they
 * share one Id (the AWS CLI merges its pages that way). Several Ids without a choice is an error.
 */
export function chooseResults(
  results: readonly unknown[],
  file: string,
  path: string,
  id?: string,
): number[] {
  const ids = results.map((r) => (isRecord(r) ? r['Id'] : undefined));
  if (id === undefined) {
    if (new Set(ids).size <= 1) return results.map((_, i) => i);
    const names = [
      ...new Set(
        results.map((r) => (isRecord(r) ? `${String(r['Id'])} ("${String(r['Label'] ?? '')}")` : '?')),
      ),
    ];
    throw new TraceError(
      file,
      path,
      `${names.length} results: ${names.join(', ')}; choose one by Id or Label with --column`,
    );
  }
  return results.flatMap((r, i) => (isRecord(r) && (r['Id'] === id || r['Label'] === id) ? [i] : []));
}

/** What a user must know about an export before trusting it: partial results and pages left behind. */
export function exportWarnings(text: string, id?: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (isMetricStatistics(doc)) return [];
  const pages = Array.isArray(doc) ? doc : [doc];
  const warnings: string[] = [];
  pages.forEach((page, p) => {
    if (!isRecord(page) || !Array.isArray(page['MetricDataResults'])) return;
    for (const r of page['MetricDataResults']) {
      if (!isRecord(r) || (id !== undefined && r['Id'] !== id && r['Label'] !== id)) continue;
      if (r['StatusCode'] === 'PartialData') {
        warnings.push(
          `PartialData: result ${String(r['Id'])} on page ${p + 1} is incomplete (CloudWatch returned part of the period); ` +
            'export again with --next-token or a shorter period',
        );
      }
    }
  });
  const last = pages.at(-1);
  if (isRecord(last) && typeof last['NextToken'] === 'string' && last['NextToken'] !== '') {
    warnings.push(
      `NextToken: the last page of ${pages.length} has a NextToken, so the export stops before the end; ` +
        'fetch the remaining pages (aws cloudwatch get-metric-data --next-token …) and pass all pages as a JSON array',
    );
  }
  return warnings;
}
