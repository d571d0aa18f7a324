/**
 * `npm run bench`: the frontier of every benchmark trace (each at both fleet sizes, every policy at
 * each of its settings) on worker threads, then frontier.json (exactly the record fields of issue
 * 11), results.md (the verdict under the rule, every point) and the HTML report (per trace and
 * size, instance-hours against SLO-violation minutes, and one timeline panel per policy).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { renderFrontierReport } from '../cli/report/frontierHtml.js';
import { readTraceFile } from '../workloads/traceReader.js';
import { BENCH_INTERPOLATION_NOTE, BENCH_TRACES, type BenchTrace } from './benchSetup.js';
import { FLEET_SIZES } from './benchProfiles.js';
import { frontierMarkdown, type PolicySpeed } from './frontierMarkdown.js';
import { frontierPoints } from './frontierPoints.js';
import type { FrontierRecord } from './frontierRecords.js';
import { runFrontier } from './frontierRun.js';
import { type FrontierVerdict, frontierVerdicts } from './frontierVerdict.js';

export interface BenchOptions {
  /** Folder holding the traces (../shared/data/traces). */
  tracesDir: string;
  /** Folder the results go to (bench-results). */
  outDir: string;
  /** Wall clock, ms: only to time the run. */
  now: () => number;
  /** Process CPU time (every thread), seconds, when the caller can read it. */
  cpuSeconds?: () => number;
  traces?: readonly BenchTrace[];
  sizes?: readonly number[];
  /** Worker threads (default: one per core); 1 runs in this thread. */
  workers?: number;
  onProgress?: (message: string) => void;
}

export interface BenchOutcome {
  records: FrontierRecord[];
  verdicts: FrontierVerdict[];
  speeds: PolicySpeed[];
  wallSeconds: number;
  cpuSeconds: number;
  workers: number;
  simulatedMinutes: number;
  files: { json: string; markdown: string; html: string };
}

/** Slots per timeline panel in the report. */
const CHART_POINTS = 1500;

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const began = options.now();
  const cpuBegan = options.cpuSeconds?.() ?? 0;
  const workers = options.workers ?? availableParallelism();
  // Read every trace first: a file that cannot be read stops the run before any work, naming it.
  const traces = (options.traces ?? BENCH_TRACES).map((t) => ({
    name: t.name,
    trace: readTraceFile(join(options.tracesDir, t.file), t.column ? { column: t.column } : {}),
  }));
  const perTrace = new Map<string, number>();
  const run = await runFrontier(traces, {
    workers,
    sizes: options.sizes ?? FLEET_SIZES,
    chartPoints: CHART_POINTS,
    stopwatch: options.now,
    onResult: (result, done, total) => {
      const left = (perTrace.get(result.record.trace) ?? countJobs(options)) - 1;
      perTrace.set(result.record.trace, left);
      if (left === 0) {
        options.onProgress?.(
          `${result.record.trace}: done (${done} of ${total} runs, ${((options.now() - began) / 1000).toFixed(1)} s)`,
        );
      }
    },
  });
  const wallSeconds = (options.now() - began) / 1000;
  const cpuSeconds = (options.cpuSeconds?.() ?? cpuBegan) - cpuBegan;

  mkdirSync(options.outDir, { recursive: true });
  const files = {
    json: join(options.outDir, 'frontier.json'),
    markdown: join(options.outDir, 'results.md'),
    html: join(options.outDir, 'report.html'),
  };
  const stats = {
    wallSeconds,
    cpuSeconds,
    workers,
    simulatedMinutes: run.simulatedMinutes,
    speeds: run.speeds,
  };
  writeFileSync(files.json, `${JSON.stringify(run.records, null, 2)}\n`);
  writeFileSync(files.markdown, frontierMarkdown(run.records, stats));
  writeFileSync(
    files.html,
    renderFrontierReport({
      title: 'Headroom benchmark: the frontier',
      subtitle: `${run.records.length} runs: ${traces.length} traces × ${(options.sizes ?? FLEET_SIZES).length} fleet sizes × every policy at each setting`,
      notes: [
        `Each trace scaled so that its peak minute needs ${(options.sizes ?? FLEET_SIZES).join(' or ')} instances at the SLO; ${BENCH_INTERPOLATION_NOTE}.`,
        'Policies, settings and their assumptions: docs/benchmark-results.md; the verdict: results.md.',
      ],
      records: run.records,
      charts: run.charts,
    }),
  );
  return {
    records: run.records,
    verdicts: frontierVerdicts(run.records),
    speeds: run.speeds,
    wallSeconds,
    cpuSeconds,
    workers,
    simulatedMinutes: run.simulatedMinutes,
    files,
  };
}

/** Jobs per trace: every point at every size. */
function countJobs(options: BenchOptions): number {
  return (options.sizes ?? FLEET_SIZES).length * frontierPoints().length;
}
