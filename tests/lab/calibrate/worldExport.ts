/**
 * CloudWatch get-metric-data exports of a service in the simulated account, as `aws cloudwatch
 * get-metric-data` writes them (newest first, one result per page): what calibrate reads. The
 * world's per-instance capacity is known, so a test can check that calibrate finds it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayEveryPolicy } from '@headroom/lab/bench/backtest';
import { BENCH_SERVICE } from '@headroom/lab/bench/benchSetup';
import { generateWorkload } from '@headroom/lab/workloads/generator';
import type { TimelinePoint } from '@headroom/core/model/replay.js';

const PERIOD_MIN = 5;

function page(id: string, label: string, periods: TimelinePoint[][], value: (ps: TimelinePoint[]) => number) {
  const newestFirst = [...periods].reverse();
  return {
    MetricDataResults: [
      {
        Id: id,
        Label: label,
        Timestamps: newestFirst.map((ps) => new Date(ps[0]!.at).toISOString().replace('.000Z', 'Z')),
        Values: newestFirst.map(value),
        StatusCode: 'Complete',
      },
    ],
    Messages: [],
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Writes requests.json, p99.json, cpu.json, inservice.json and desired.json under `dir`; returns μ. */
export async function writeWorldExports(dir: string, days = 7, muPerInstance = 10): Promise<number> {
  const startAt = Date.UTC(2026, 0, 5);
  const [run] = await replayEveryPolicy(
    { traceName: 'world', load: generateWorkload({ seed: 3, startAt, days }), startAt },
    { service: BENCH_SERVICE, muPerInstance, policies: ['aws-target-tracking'] },
  );
  const periods: TimelinePoint[][] = [];
  for (let i = 0; i + PERIOD_MIN <= run!.timeline.length; i += PERIOD_MIN)
    periods.push(run!.timeline.slice(i, i + PERIOD_MIN));
  mkdirSync(dir, { recursive: true });
  const write = (file: string, doc: object) => writeFileSync(join(dir, file), JSON.stringify(doc));
  write(
    'requests.json',
    page('req', 'RequestCount', periods, (ps) => Math.round(ps.reduce((s, p) => s + p.load, 0))),
  );
  write(
    'p99.json',
    page('p99', 'TargetResponseTime p99', periods, (ps) => mean(ps.map((p) => p.p99LatencyMs)) / 1000),
  );
  write(
    'cpu.json',
    page('cpu', 'CPUUtilization', periods, (ps) => mean(ps.map((p) => p.cpuPct))),
  );
  write(
    'inservice.json',
    page('inService', 'GroupInServiceInstances', periods, (ps) => mean(ps.map((p) => p.inService))),
  );
  write(
    'desired.json',
    page('desired', 'GroupDesiredCapacity', periods, (ps) => Math.max(...ps.map((p) => p.desired))),
  );
  return muPerInstance;
}
