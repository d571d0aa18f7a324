/**
 * Turns the runs of one trace into the compact, already-reduced numbers a chart draws: one
 * shared time axis, load and demand once, then per policy its capacity in service, the slots
 * where it missed the SLO and its timeline events.
 */
import type { RunResult, TimelineEvent, TimelinePoint } from '@headroom/core/model/replay.js';
import { makeBuckets, reduceAny, reduceMinMax, slotOf } from './downsample.js';

export interface PolicyChart {
  policy: string;
  inService: (number | null)[];
  /** p99 latency, ms, and CPU, percent, as the policy's fleet saw them (min and max per slot). */
  p99: (number | null)[];
  cpu: (number | null)[];
  /** Slots (indices into x) where the SLO was violated at least once. */
  violationSlots: number[];
  /** Slots holding at least one event of each kind. */
  eventSlots: Record<TimelineEvent['kind'], number[]>;
}

export interface TraceChart {
  trace: string;
  /** Epoch seconds. */
  x: number[];
  load: (number | null)[];
  demand: (number | null)[];
  policies: PolicyChart[];
  /** Minutes in the longest run, before reduction. */
  minutes: number;
}

/** Runs grouped by trace, in the order traces first appear. */
export function groupByTrace(runs: readonly RunResult[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const group = groups.get(run.summary.trace);
    if (group) group.push(run);
    else groups.set(run.summary.trace, [run]);
  }
  return groups;
}

/** Chart data for the runs of one trace, at most about maxPoints slots per series. */
export function traceChart(trace: string, runs: readonly RunResult[], maxPoints: number): TraceChart {
  const longest = runs.reduce<TimelinePoint[]>((a, r) => (r.timeline.length > a.length ? r.timeline : a), []);
  const times = longest.map((p) => p.at);
  const buckets = makeBuckets(times, maxPoints);
  return {
    trace,
    x: buckets.x,
    load: reduceMinMax(
      longest.map((p) => p.load),
      buckets,
    ),
    demand: reduceMinMax(
      longest.map((p) => p.demand),
      buckets,
    ),
    policies: runs.map((run) => policyChart(run, times, buckets)),
    minutes: longest.length,
  };
}

function policyChart(
  run: RunResult,
  times: readonly number[],
  buckets: ReturnType<typeof makeBuckets>,
): PolicyChart {
  const aligned = alignTo(run.timeline, times);
  const inService = new Array<number | null>(times.length);
  const p99 = new Array<number | null>(times.length);
  const cpu = new Array<number | null>(times.length);
  const flags = new Array<boolean>(times.length);
  for (let i = 0; i < times.length; i++) {
    const p = aligned(i);
    inService[i] = p ? p.inService : null;
    // An overloaded fleet's p99 may be unbounded: a gap says "off the chart" better than Infinity.
    p99[i] = p && Number.isFinite(p.p99LatencyMs) ? p.p99LatencyMs : null;
    cpu[i] = p && Number.isFinite(p.cpuPct) ? p.cpuPct : null;
    flags[i] = p ? p.sloViolated : false;
  }
  const violated = reduceAny(flags, buckets);
  const slots = {
    scaling: new Set<number>(),
    remediation: new Set<number>(),
    alarm: new Set<number>(),
    gap: new Set<number>(),
  };
  for (const event of run.events) {
    const slot = slotOf(times, buckets, event.at);
    if (slot !== undefined) slots[event.kind].add(slot);
  }
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
  const eventSlots: PolicyChart['eventSlots'] = {
    scaling: sorted(slots.scaling),
    remediation: sorted(slots.remediation),
    alarm: sorted(slots.alarm),
    gap: sorted(slots.gap),
  };
  return {
    policy: run.summary.policy,
    inService: reduceMinMax(inService, buckets),
    p99: reduceMinMax(p99, buckets),
    cpu: reduceMinMax(cpu, buckets),
    violationSlots: violated.flatMap((v, i) => (v ? [i] : [])),
    eventSlots,
  };
}

/**
 * The point of `timeline` at each of `times`. Runs of one trace share their minutes, so the
 * index is the answer; a timeline that does not line up is matched by time instead.
 */
function alignTo(
  timeline: readonly TimelinePoint[],
  times: readonly number[],
): (i: number) => TimelinePoint | undefined {
  const sameGrid =
    timeline.length === times.length && timeline[0]?.at === times[0] && timeline.at(-1)?.at === times.at(-1);
  if (sameGrid) return (i) => timeline[i];
  const byTime = new Map(timeline.map((p) => [p.at, p]));
  return (i) => byTime.get(times[i] as number);
}

/**
 * The same trace for the overview strip of every policy: only the marks (violations, events), so
 * the series each policy's own panel draws are not embedded twice.
 */
export function marksOnly(chart: TraceChart): TraceChart {
  return {
    ...chart,
    load: [],
    demand: [],
    policies: chart.policies.map((p) => ({ ...p, inService: [], p99: [], cpu: [] })),
  };
}

/** One policy's panel of a trace: its series with the trace's load and demand. */
export function onePolicy(chart: TraceChart, policy: PolicyChart): TraceChart {
  return { ...chart, policies: [policy] };
}
