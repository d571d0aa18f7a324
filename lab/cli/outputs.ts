/** What every replaying command leaves behind: the table on stdout, the HTML report, the JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RunResult } from '@headroom/core/model/replay.js';
import type { CliIo } from './commands/command.js';
import { renderHtmlReport, type ReportInput } from './report/html.js';
import { STDOUT } from './outputPaths.js';
import { benchRecords } from './scenario.js';
import { formatSummaryTable, writeRecordsJson } from './table.js';

export interface Outputs {
  runs: readonly RunResult[];
  title: string;
  subtitle: string;
  notes: readonly string[];
  /** Report path, relative to io.cwd unless absolute. */
  report: string;
  /** Where to write the records of these runs (one per policy, toBenchRecord); `-`: stdout. */
  json?: string;
  /** Wall time of the replays, for the overall speed line. */
  wallMs: number;
  /** Fields added to every JSON record (how the trace was read, the service model). */
  recordExtras?: object;
  /** The replayed service's SLO, drawn and stated on the report. */
  slo?: ReportInput['slo'];
}

export function writeOutputs(io: CliIo, outputs: Outputs): void {
  const toStdout = outputs.json === STDOUT;
  // With `--json -` standard output carries only the JSON; what people read goes to stderr.
  const say = toStdout ? io.stderr : io.stdout;
  const summaries = outputs.runs.map((r) => r.summary);
  say.write(`\n${formatSummaryTable(summaries)}\n\n`);
  const minutes = summaries.reduce((sum, s) => sum + s.minutes, 0);
  const seconds = Math.max(outputs.wallMs, 1) / 1000;
  say.write(
    `Replayed ${minutes.toLocaleString('en-US')} simulated minutes in ${seconds.toFixed(1)} s ` +
      `(${Math.round(minutes / seconds).toLocaleString('en-US')} simulated minutes per second).\n`,
  );

  const report = resolve(io.cwd, outputs.report);
  mkdirSync(dirname(report), { recursive: true });
  writeFileSync(
    report,
    renderHtmlReport({
      title: outputs.title,
      subtitle: outputs.subtitle,
      notes: outputs.notes,
      runs: outputs.runs,
      ...(outputs.slo ? { slo: outputs.slo } : {}),
    }),
  );
  say.write(`Report: ${report}\n`);

  if (outputs.json !== undefined) {
    const records = benchRecords(outputs.runs).map((r) => ({ ...r, ...outputs.recordExtras }));
    if (toStdout) {
      io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      return;
    }
    const json = resolve(io.cwd, outputs.json);
    writeRecordsJson(json, records);
    say.write(`JSON: ${json}\n`);
  }
}
