/** The summary as the terminal shows it (aligned columns with units) and as `--json` writes it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunSummary } from '@headroom/core/model/replay.js';
import { SUMMARY_COLUMNS, type SummaryColumn } from './columns.js';

/** One aligned table per trace, headed by the trace name; lines end without trailing spaces. */
export function formatSummaryTable(summaries: readonly RunSummary[]): string {
  const byTrace = new Map<string, RunSummary[]>();
  for (const s of summaries) byTrace.set(s.trace, [...(byTrace.get(s.trace) ?? []), s]);
  return [...byTrace].map(([trace, rows]) => `${trace}\n${alignedTable(rows)}`).join('\n\n');
}

function alignedTable(rows: readonly RunSummary[]): string {
  const cells = rows.map((row) => SUMMARY_COLUMNS.map((c) => c.format(row)));
  const widths = SUMMARY_COLUMNS.map((c, i) =>
    Math.max(c.header.length, c.unit.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => pad(v, widths[i] ?? 0, SUMMARY_COLUMNS[i] as SummaryColumn))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [
    line(SUMMARY_COLUMNS.map((c) => c.header)),
    line(SUMMARY_COLUMNS.map((c) => c.unit)),
    rule,
    ...cells.map(line),
  ].join('\n');
}

function pad(value: string, width: number, column: SummaryColumn): string {
  return column.align === 'right' ? value.padStart(width) : value.padEnd(width);
}

/** Writes records (RunSummary, or the benchmark's records) to `file` as a pretty JSON array, creating its folder. */
export function writeRecordsJson(file: string, records: readonly object[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
}
