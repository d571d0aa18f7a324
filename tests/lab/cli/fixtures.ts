/**
 * Hand-made runs for testing the report and the table without the simulator: a daily sine of
 * load, demand that follows it, and per policy a supply that lags it by a fixed number of minutes.
 */
import type { RunResult, TimelineEvent, TimelinePoint } from '@headroom/core';

export const START = Date.UTC(2026, 0, 5);
const MINUTE = 60_000;

export function syntheticRun(
  trace: string,
  policy: string,
  minutes: number,
  lagMinutes: number,
  extra = 0,
): RunResult {
  const demandAt = (m: number) => Math.max(1, Math.ceil(10 + 8 * Math.sin((2 * Math.PI * m) / 1440)));
  const timeline: TimelinePoint[] = [];
  const events: TimelineEvent[] = [];
  let previous = demandAt(0) + extra;
  for (let m = 0; m < minutes; m++) {
    const demand = demandAt(m);
    const inService = demandAt(Math.max(0, m - lagMinutes)) + extra;
    const at = START + m * MINUTE;
    if (inService !== previous) events.push({ at, kind: 'scaling', label: `${previous} → ${inService}` });
    previous = inService;
    timeline.push({
      at,
      load: demand * 950,
      demand,
      desired: inService,
      inService,
      p99LatencyMs: inService < demand ? 900 : 200,
      errorRatePct: 0,
      cpuPct: Math.min(100, (100 * demand) / inService),
      sloViolated: inService < demand,
    });
  }
  const violations = timeline.filter((p) => p.sloViolated).length;
  const instanceHours = timeline.reduce((s, p) => s + p.inService, 0) / 60;
  return {
    summary: {
      trace,
      policy,
      minutes,
      sloViolationMinutes: violations,
      instanceHours,
      costUsd: instanceHours * 0.0416,
      thetaU: 0.5,
      thetaO: 1.25,
      tauU: (100 * violations) / minutes,
      tauO: 40,
      instability: 3.5,
      scalingActions: events.length,
      simulatedMinutesPerSecond: 120_000,
    },
    timeline,
    events,
  };
}
