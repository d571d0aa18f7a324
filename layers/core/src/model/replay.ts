/**
 * The vocabulary shared by the simulation, the CLI and the benchmark: a policy observes the
 * fleet and its KPIs once a simulated minute and names the capacity it wants.
 */
import type { FleetCapacity } from './fleet.js';
import type { KpiSample } from './kpi.js';

export interface PolicyObservation {
  /** Epoch ms (virtual clock). */
  at: number;
  fleet: FleetCapacity;
  /** Latest one-minute KPI sample. */
  latest: KpiSample;
  /** One-minute samples, oldest first, newest last (bounded; at least 14 days when available). */
  history: readonly KpiSample[];
}

export interface ScalingPolicy {
  readonly name: string;
  /** Desired capacity for the group; returning fleet.desired means "no change". */
  decide(observation: PolicyObservation): number;
}

/** A policy whose decision waits on ports (Headroom's deployed evaluation, lab/world/deployedHeadroom.ts). */
export interface AsyncScalingPolicy {
  readonly name: string;
  decide(observation: PolicyObservation): Promise<number>;
}

/** What a replay runs: a policy that answers at once or one that waits on its ports. */
export type ReplayPolicy = ScalingPolicy | AsyncScalingPolicy;

/** One simulated minute, as the report and the benchmark see it. */
export interface TimelinePoint {
  at: number;
  /** Offered load, requests per minute. */
  load: number;
  /** d(t): smallest instance count whose p99 meets the SLO at this load. */
  demand: number;
  desired: number;
  /** s(t): instances in service (booted and warmed up). */
  inService: number;
  p99LatencyMs: number;
  errorRatePct: number;
  cpuPct: number;
  sloViolated: boolean;
}

export interface TimelineEvent {
  at: number;
  kind: 'scaling' | 'remediation' | 'alarm' | 'gap';
  label: string;
}

/** One record of results.json: one trace × one policy. */
export interface RunSummary {
  trace: string;
  policy: string;
  minutes: number;
  sloViolationMinutes: number;
  instanceHours: number;
  costUsd: number;
  /** SPEC elasticity metrics: mean missing / surplus instances per minute (and normalised by demand, %). */
  thetaU: number;
  thetaO: number;
  thetaUPct?: number;
  thetaOPct?: number;
  /** Share of time under / over provisioned, %. */
  tauU: number;
  tauO: number;
  /** % of steps where supply moves against demand. */
  instability: number;
  scalingActions: number;
  simulatedMinutesPerSecond: number;
}

export interface RunResult {
  summary: RunSummary;
  timeline: TimelinePoint[];
  events: TimelineEvent[];
}
