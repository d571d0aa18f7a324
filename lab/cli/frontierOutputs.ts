/**
 * `headroom backtest --frontier`: one trace's frontier (both fleet sizes, every policy at each of
 * its settings) with the benchmark's jobs and workers; the verdict table on stdout, the frontier
 * records (as in bench-results/frontier.json) and the frontier report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { speedLines, VERDICT_HEADER, verdictRow } from '../bench/frontierMarkdown.js';
import { runFrontier } from '../bench/frontierRun.js';
import { frontierVerdicts } from '../bench/frontierVerdict.js';
import type { Trace } from '../workloads/traceReader.js';
import type { CliIo } from './commands/command.js';
import { renderFrontierReport } from './report/frontierHtml.js';

export interface FrontierBacktest {
  traceName: string;
  trace: Trace;
  sizes: readonly number[];
  profile?: string;
  report: string;
  json?: string;
  notes: readonly string[];
  progress: boolean;
}

export async function backtestFrontier(io: CliIo, options: FrontierBacktest): Promise<void> {
  const started = io.now();
  const run = await runFrontier([{ name: options.traceName, trace: options.trace }], {
    workers: availableParallelism(),
    sizes: options.sizes,
    ...(options.profile ? { profile: options.profile } : {}),
    chartPoints: 1500,
    stopwatch: io.now,
    ...(options.progress
      ? {
          onResult: (result, done, total) =>
            io.stderr.write(
              `${done}/${total} ${result.record.peakInstances} ${result.record.policy} ${result.record.setting}\n`,
            ),
        }
      : {}),
  });
  const seconds = Math.max(io.now() - started, 1) / 1000;
  io.stdout.write(
    `\n${[...VERDICT_HEADER, ...frontierVerdicts(run.records).map(verdictRow)].join('\n')}\n\n`,
  );
  io.stdout.write(`${speedLines(run.speeds).join('\n')}\n`);
  io.stdout.write(
    `Replayed ${run.records.length} runs, ${run.simulatedMinutes.toLocaleString('en-US')} simulated minutes in ${seconds.toFixed(1)} s.\n`,
  );
  const report = resolve(io.cwd, options.report);
  mkdirSync(dirname(report), { recursive: true });
  writeFileSync(
    report,
    renderFrontierReport({
      title: `Headroom backtest: ${options.traceName}, the frontier`,
      subtitle: `every policy at each setting, peak scaled to ${options.sizes.join(' and ')} instances at the SLO`,
      notes: options.notes,
      records: run.records,
      charts: run.charts,
    }),
  );
  io.stdout.write(`Report: ${report}\n`);
  if (options.json !== undefined) {
    const json = resolve(io.cwd, options.json);
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, `${JSON.stringify(run.records, null, 2)}\n`);
    io.stdout.write(`JSON: ${json}\n`);
  }
}
