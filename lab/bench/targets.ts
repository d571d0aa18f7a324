/** The targets, checked on measured records (never asserted by a timed test). */
import { elasticSpeedup } from './elasticity.js';
import type { BenchRecord } from './records.js';

export const TARGETS = {
  /** headroom's SLO-violation minutes at most this share of aws-combined's. */
  sloShareOfCombined: 0.5,
  /** headroom's instance-hours at most this multiple of the oracle's. */
  costRatioToOracle: 1.15,
  /** The whole benchmark, wall-clock seconds. */
  benchSeconds: 60,
} as const;

export interface TraceVerdict {
  trace: string;
  headroom: BenchRecord;
  combined: BenchRecord;
  oracle: BenchRecord;
  /** Elastic speedup of headroom over aws-combined (> 1: headroom is more elastic). */
  speedup: number;
  sloHalved: boolean;
  noMoreInstanceHours: boolean;
  withinOracleCost: boolean;
}

export function traceVerdicts(records: readonly BenchRecord[]): TraceVerdict[] {
  const traces = [...new Set(records.map((r) => r.trace))];
  return traces.flatMap((trace) => {
    const find = (policy: string) => records.find((r) => r.trace === trace && r.policy === policy);
    const headroom = find('headroom');
    const combined = find('aws-combined');
    const oracle = find('oracle');
    if (!headroom || !combined || !oracle) return [];
    return [
      {
        trace,
        headroom,
        combined,
        oracle,
        speedup: elasticSpeedup(combined, headroom),
        sloHalved: headroom.sloViolationMinutes <= TARGETS.sloShareOfCombined * combined.sloViolationMinutes,
        noMoreInstanceHours: headroom.instanceHours <= combined.instanceHours,
        withinOracleCost: headroom.instanceHours <= TARGETS.costRatioToOracle * oracle.instanceHours,
      },
    ];
  });
}
