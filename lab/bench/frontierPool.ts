/**
 * Runs frontier jobs on worker threads, one job per worker at a time, the next job going to the
 * first worker that is free; or in this thread when one worker is asked for (tests, small runs).
 * Results come back in the jobs' order whatever order they finish in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import {
  type FrontierJob,
  type FrontierJobResult,
  PreparedTraces,
  runFrontierJob,
  threadCpuMs,
} from './frontierJobs.js';

export interface PoolOptions {
  /** Worker threads; 1 or less runs every job in this thread. */
  workers: number;
  /** Wall clock, ms, for the inline runs' speed. */
  stopwatch?: () => number;
  onResult?: (result: FrontierJobResult, done: number, total: number) => void;
}

type Answer = { ok: true; results: FrontierJobResult[] } | { ok: false; id: number; message: string };

export async function runFrontierJobs(
  jobs: readonly FrontierJob[],
  options: PoolOptions,
): Promise<FrontierJobResult[]> {
  const results = new Map<number, FrontierJobResult[]>();
  const total = jobs.reduce((n, job) => n + job.points.length, 0);
  let done = 0;
  const finish = (answers: FrontierJobResult[]) => {
    for (const result of answers) {
      results.set(result.id, [...(results.get(result.id) ?? []), result]);
      options.onResult?.(result, ++done, total);
    }
  };
  if (options.workers <= 1 || jobs.length <= 1) {
    const prepared = new PreparedTraces();
    const clocks = options.stopwatch
      ? { wall: options.stopwatch, ...(threadCpuMs ? { cpu: threadCpuMs } : {}) }
      : undefined;
    for (const job of jobs) finish(await runFrontierJob(job, prepared, clocks));
  } else {
    await inWorkers(jobs, Math.min(options.workers, jobs.length), finish);
  }
  return jobs.flatMap((job) => results.get(job.id) ?? []);
}

function inWorkers(
  jobs: readonly FrontierJob[],
  count: number,
  finish: (results: FrontierJobResult[]) => void,
): Promise<void> {
  const queue = [...jobs];
  const workers: Worker[] = [];
  const bundle = workerBundle();
  const done = new Promise<void>((resolve, reject) => {
    let running = 0;
    let failed = false;
    const stopAll = () => Promise.all(workers.map((w) => w.terminate()));
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      void stopAll().then(() => reject(error));
    };
    const next = (worker: Worker) => {
      const job = queue.shift();
      if (job === undefined) {
        running--;
        void worker.terminate();
        if (running === 0 && !failed) resolve();
        return;
      }
      worker.postMessage(job);
    };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(bundle.file);
      workers.push(worker);
      running++;
      worker.on('message', (answer: Answer) => {
        if (!answer.ok) {
          const job = jobs.find((j) => j.id === answer.id);
          fail(
            new Error(
              `${job ? `${job.traceName} ${job.points.map((p) => `${p.policy} ${p.setting}`).join(', ')}: ` : ''}${answer.message}`,
            ),
          );
          return;
        }
        finish(answer.results);
        next(worker);
      });
      worker.on('error', fail);
      next(worker);
    }
  });
  return done.finally(bundle.remove);
}

/**
 * The worker as one plain-JS file, bundled by esbuild as the Lambda functions are (scripts/
 * samEsbuild.ts; no keepNames): the code each worker runs is the same source, without the TS
 * loader's per-closure renaming, which cost the replay about a third of its time.
 */
function workerBundle(): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
  const file = join(dir, 'frontierWorker.mjs');
  buildSync({
    entryPoints: [fileURLToPath(new URL('./frontierWorker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: file,
    logLevel: 'silent',
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
