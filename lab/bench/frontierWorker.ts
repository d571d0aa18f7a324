/** A worker thread of the frontier pool: runs the jobs it is sent, one at a time, and answers each. */
import { parentPort } from 'node:worker_threads';
import { type FrontierJob, PreparedTraces, runFrontierJob, threadCpuMs } from './frontierJobs.js';

const prepared = new PreparedTraces();
const clocks = { wall: () => performance.now(), cpu: threadCpuMs };
parentPort?.on('message', (job: FrontierJob) => {
  try {
    parentPort?.postMessage({ ok: true, result: runFrontierJob(job, prepared, clocks) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parentPort?.postMessage({ ok: false, id: job.id, message });
  }
});
