/** A worker thread of the frontier pool: runs the jobs it is sent, one at a time, and answers each. */
import { parentPort } from 'node:worker_threads';
import { type FrontierJob, PreparedTraces, runFrontierJob, threadCpuMs } from './frontierJobs.js';

const prepared = new PreparedTraces();
const clocks = { wall: () => performance.now(), cpu: threadCpuMs };
// The replay is async: jobs are chained so that one runs at a time even if two arrive together.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: FrontierJob) => {
  queue = queue.then(async () => {
    try {
      parentPort?.postMessage({ ok: true, results: await runFrontierJob(job, prepared, clocks) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      parentPort?.postMessage({ ok: false, id: job.id, message });
    }
  });
});
