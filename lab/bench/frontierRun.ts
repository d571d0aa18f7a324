/**
 * The frontier of some traces: every trace × fleet size × policy × setting as one job, on worker
 * threads, and what comes back gathered into records, per-policy speeds and report charts. What
 * `npm run bench` and `headroom backtest --frontier` both run.
 */
import type { Trace } from '../workloads/traceReader.js';
import { FLEET_SIZES } from './benchProfiles.js';
import type { FrontierJob, FrontierJobResult, JobChart } from './frontierJobs.js';
import type { PolicySpeed } from './frontierMarkdown.js';
import { type FrontierPoint, frontierPoints } from './frontierPoints.js';
import { runFrontierJobs } from './frontierPool.js';
import type { FrontierRecord } from './frontierRecords.js';

export interface FrontierTrace {
  name: string;
  trace: Trace;
}

export interface FrontierRunOptions {
  sizes?: readonly number[];
  /** A profile name for every trace; by default each trace's own. */
  profile?: string;
  workers: number;
  /** Slots per timeline in the report (0: no timelines). */
  chartPoints?: number;
  stopwatch?: () => number;
  onResult?: (result: FrontierJobResult, done: number, total: number) => void;
}

/** The report's view of one trace at one size: the shared axis and one timeline per point. */
export interface FrontierChart {
  trace: string;
  peakInstances: number;
  x: number[];
  load: (number | null)[];
  demand: (number | null)[];
  runs: { record: FrontierRecord; chart: JobChart['run'] }[];
}

export interface FrontierRun {
  records: FrontierRecord[];
  charts: FrontierChart[];
  speeds: PolicySpeed[];
  simulatedMinutes: number;
}

/** Relative cost of a minute, so the slowest jobs start first and both workers finish together. */
const WEIGHT: Record<string, number> = { headroom: 20, 'aws-combined': 5 };
const weightOf = (group: readonly FrontierPoint[]): number =>
  group.reduce((sum, p) => sum + (WEIGHT[p.policy] ?? 1), 0);

export function frontierJobs(
  traces: readonly FrontierTrace[],
  options: Omit<FrontierRunOptions, 'workers'>,
): FrontierJob[] {
  const points = frontierPoints();
  const jobs: Omit<FrontierJob, 'id'>[] = [];
  for (const { name, trace } of traces) {
    for (const peakInstances of options.sizes ?? FLEET_SIZES) {
      // Headroom's settings go as one job, replayed side by side (they share the hourly refit).
      const groups = new Map<string, FrontierPoint[]>();
      for (const point of points) {
        const key = point.policy === 'headroom' ? 'headroom' : `${point.policy}|${point.setting}`;
        groups.set(key, [...(groups.get(key) ?? []), point]);
      }
      const sorted = [...groups.values()].sort((a, b) => weightOf(b) - weightOf(a));
      for (const group of sorted) {
        jobs.push({
          traceName: name,
          trace,
          peakInstances,
          ...(options.profile ? { profile: options.profile } : {}),
          points: group,
          chartPoints: options.chartPoints ?? 0,
        });
      }
    }
  }
  // The longest jobs first, whatever their trace: the workers then finish close together.
  const cost = (job: Omit<FrontierJob, 'id'>) =>
    job.trace.values.length * job.trace.intervalMs * weightOf(job.points);
  return jobs.sort((a, b) => cost(b) - cost(a)).map((job, id) => ({ ...job, id }));
}

export async function runFrontier(
  traces: readonly FrontierTrace[],
  options: FrontierRunOptions,
): Promise<FrontierRun> {
  const jobs = frontierJobs(traces, options);
  const results = await runFrontierJobs(jobs, {
    workers: options.workers,
    ...(options.stopwatch ? { stopwatch: options.stopwatch } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  // Records in a reading order: trace as given, size, then the points' own order.
  const order = frontierPoints();
  const rank = (r: FrontierRecord) =>
    order.findIndex((p) => p.policy === r.policy && p.setting === r.setting);
  const traceRank = new Map(traces.map((t, i) => [t.name, i]));
  const sorted = [...results].sort(
    (a, b) =>
      (traceRank.get(a.record.trace) ?? 0) - (traceRank.get(b.record.trace) ?? 0) ||
      a.record.peakInstances - b.record.peakInstances ||
      rank(a.record) - rank(b.record),
  );
  return {
    records: sorted.map((r) => r.record),
    charts: chartsOf(sorted),
    speeds: speedsOf(sorted),
    simulatedMinutes: sorted.reduce((sum, r) => sum + r.minutes, 0),
  };
}

function chartsOf(results: readonly FrontierJobResult[]): FrontierChart[] {
  const charts = new Map<string, FrontierChart>();
  for (const { record, chart } of results) {
    if (!chart) continue;
    const key = `${record.trace}|${record.peakInstances}`;
    let found = charts.get(key);
    if (!found) {
      found = {
        trace: record.trace,
        peakInstances: record.peakInstances,
        x: chart.x,
        load: chart.load,
        demand: chart.demand,
        runs: [],
      };
      charts.set(key, found);
    }
    found.runs.push({ record, chart: chart.run });
  }
  return [...charts.values()];
}

function speedsOf(results: readonly FrontierJobResult[]): PolicySpeed[] {
  const speeds = new Map<string, PolicySpeed>();
  for (const { record, minutes, wallMs, cpuMs } of results) {
    const s = speeds.get(record.policy) ?? { policy: record.policy, minutes: 0, seconds: 0, cpuSeconds: 0 };
    s.minutes += minutes;
    s.seconds += wallMs / 1000;
    s.cpuSeconds += cpuMs / 1000;
    speeds.set(record.policy, s);
  }
  return [...speeds.values()];
}
