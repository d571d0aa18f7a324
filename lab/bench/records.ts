/** The records `simulate` and `backtest` write with --json, one per policy: the run's summary, rounded. */
import type { RunSummary } from '@headroom/core/model/replay.js';

export interface BenchRecord {
  trace: string;
  policy: string;
  sloViolationMinutes: number;
  instanceHours: number;
  costUsd: number;
  thetaU: number;
  thetaO: number;
  tauU: number;
  tauO: number;
  instability: number;
  scalingActions: number;
  simulatedMinutesPerSecond: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function toBenchRecord(s: RunSummary): BenchRecord {
  return {
    trace: s.trace,
    policy: s.policy,
    sloViolationMinutes: s.sloViolationMinutes,
    instanceHours: round(s.instanceHours, 2),
    costUsd: round(s.costUsd, 2),
    thetaU: round(s.thetaU, 4),
    thetaO: round(s.thetaO, 4),
    tauU: round(s.tauU, 3),
    tauO: round(s.tauO, 3),
    instability: round(s.instability, 3),
    scalingActions: s.scalingActions,
    simulatedMinutesPerSecond: Math.round(s.simulatedMinutesPerSecond),
  };
}
