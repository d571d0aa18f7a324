/**
 * `npm run bench`: every policy on every benchmark trace in one run, then results.json (exactly
 * the record fields of benchmark.md), results.md (tables, elastic speedup, targets) and the HTML
 * report with one chart per trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtmlReport } from '../cli/report/html.js';
import type { RunResult } from '@headroom/core/model/replay.js';
import { profileForTrace } from '../world/profiles.js';
import { backtestTrace } from './backtest.js';
import {
  BENCH_INTERPOLATION_NOTE,
  BENCH_PEAK_INSTANCES,
  BENCH_TRACES,
  type BenchTrace,
} from './benchSetup.js';
import type { BenchRecord } from './records.js';
import { resultsMarkdown } from './resultsMarkdown.js';
import { traceVerdicts, type TraceVerdict } from './targets.js';

export interface BenchOptions {
  /** Folder holding the traces (../shared/data/traces). */
  tracesDir: string;
  /** Folder the results go to (bench-results). */
  outDir: string;
  /** Wall clock, ms: only to time the run. */
  now: () => number;
  /** Process CPU time, seconds, when the caller can read it (the run shares the machine). */
  cpuSeconds?: () => number;
  traces?: readonly BenchTrace[];
  onProgress?: (message: string) => void;
}

export interface BenchOutcome {
  records: BenchRecord[];
  runs: RunResult[];
  verdicts: TraceVerdict[];
  wallSeconds: number;
  cpuSeconds: number;
  files: { json: string; markdown: string; html: string };
}

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const began = options.now();
  const cpuBegan = options.cpuSeconds?.() ?? 0;
  const records: BenchRecord[] = [];
  const runs: RunResult[] = [];
  let simulatedMinutes = 0;
  for (const trace of options.traces ?? BENCH_TRACES) {
    const traceStarted = options.now();
    const result = await backtestTrace(join(options.tracesDir, trace.file), {
      traceName: trace.name,
      profile: profileForTrace(trace.name),
      trace: trace.column ? { column: trace.column } : {},
      stopwatch: options.now,
    });
    records.push(...result.records);
    runs.push(...result.runs);
    simulatedMinutes += result.minutes * result.runs.length;
    options.onProgress?.(
      `${trace.name}: ${result.minutes.toLocaleString('en-US')} minutes × ${result.runs.length} policies in ` +
        `${((options.now() - traceStarted) / 1000).toFixed(1)} s` +
        (result.gaps.length > 0 ? ` (${result.gaps.length} gaps filled with the last value)` : ''),
    );
  }
  const wallSeconds = (options.now() - began) / 1000;
  const cpuSeconds = (options.cpuSeconds?.() ?? cpuBegan) - cpuBegan;

  mkdirSync(options.outDir, { recursive: true });
  const files = {
    json: join(options.outDir, 'results.json'),
    markdown: join(options.outDir, 'results.md'),
    html: join(options.outDir, 'report.html'),
  };
  writeFileSync(files.json, `${JSON.stringify(records, null, 2)}\n`);
  writeFileSync(files.markdown, resultsMarkdown(records, { wallSeconds, cpuSeconds, simulatedMinutes }));
  writeFileSync(
    files.html,
    renderHtmlReport({
      title: 'Headroom benchmark',
      subtitle: `${records.length} runs: every policy on ${new Set(records.map((r) => r.trace)).size} traces`,
      notes: [
        `Load per trace scaled so that its peak minute needs ${BENCH_PEAK_INSTANCES} instances at the SLO; ${BENCH_INTERPOLATION_NOTE}.`,
        'Policies and their assumptions: docs/benchmark-results.md.',
      ],
      runs,
    }),
  );
  return { records, runs, verdicts: traceVerdicts(records), wallSeconds, cpuSeconds, files };
}
