/**
 * A replay scenario as the CLI runs it: a per-minute load, the simulated service it runs on,
 * and the policies, each built from the same code the benchmark and the Lambda use.
 */
import {
  DEFAULT_CAPACITY,
  DEFAULT_PRICE_PER_INSTANCE_HOUR_USD,
  DEFAULT_SLOW_MINUTE_COST_USD,
} from '../config/serviceConfig.js';
import type { RunResult, ScalingPolicy, TimelineEvent } from '../model/replay.js';
import { DEFAULT_SLO, DEFAULT_TIMING, type ManagedService } from '../model/service.js';
import { awsCombinedPolicy } from '../policies/baselines/awsCombined.js';
import { awsPredictivePolicy } from '../policies/baselines/awsPredictive.js';
import { awsTargetTrackingPolicy } from '../policies/baselines/awsTargetTracking.js';
import { oraclePolicy } from '../policies/baselines/oracle.js';
import { staticMeanPolicy, staticPeakPolicy } from '../policies/baselines/staticPolicies.js';
import { headroomPolicy } from '../policies/headroomPolicy.js';
import { demandSeries } from '../sim/queueing.js';
import { replay } from '../sim/replay.js';
import { scaleToPeak } from '../workload/traceReader.js';
import type { CliIo } from './commands/command.js';
import { createProgress } from './progress.js';

/** Generated workloads start on a Monday at 00:00 UTC, so the weekly cycle reads naturally. */
export const SIMULATION_START = Date.UTC(2026, 0, 5);
/** Requests per second one instance serves: the workload generator is calibrated for it. */
export const MU_PER_INSTANCE = 10;

/** Policies in the order tables and reports show them: ours first, the oracle last. */
export const POLICY_NAMES = [
  'headroom',
  'aws-combined',
  'aws-target-tracking',
  'aws-predictive',
  'static-peak',
  'static-mean',
  'oracle',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const policyNames = (): readonly PolicyName[] => POLICY_NAMES;

export interface ScenarioOptions {
  traceName: string;
  /** Requests per minute, one per minute from startAt. */
  load: readonly number[];
  startAt: number;
  /** Rescale the load so its peak minute needs this many instances at the SLO. */
  peakInstances?: number;
  policies: readonly PolicyName[];
  progress: boolean;
  /** Events every run shares (gaps in a trace), added to each run's timeline. */
  traceEvents?: readonly TimelineEvent[];
}

/** The service every scenario runs: default SLOs and timing, room to grow to twice the peak. */
export function simulatedService(peakDemand: number): ManagedService {
  const max = Math.max(DEFAULT_CAPACITY.max, 2 * peakDemand);
  return {
    id: 'simulated-service',
    autoScalingGroupName: 'simulated-asg',
    mode: 'apply',
    slo: DEFAULT_SLO,
    capacity: { ...DEFAULT_CAPACITY, max, maxStepInstances: max },
    timing: DEFAULT_TIMING,
    pricePerInstanceHourUsd: DEFAULT_PRICE_PER_INSTANCE_HOUR_USD,
    slowMinuteCostUsd: DEFAULT_SLOW_MINUTE_COST_USD,
    tiers: {},
  };
}

interface PolicySetting {
  service: ManagedService;
  demand: readonly number[];
  startAt: number;
}

export function buildPolicy(name: PolicyName, { service, demand, startAt }: PolicySetting): ScalingPolicy {
  const targetCpuPct = service.slo.cpuTargetPct;
  switch (name) {
    case 'headroom':
      return headroomPolicy(service);
    case 'aws-combined':
      return awsCombinedPolicy({ targetCpuPct });
    case 'aws-target-tracking':
      return awsTargetTrackingPolicy({ targetCpuPct });
    case 'aws-predictive':
      return awsPredictivePolicy({ targetCpuPct });
    case 'static-peak':
      return staticPeakPolicy(demand);
    case 'static-mean':
      return staticMeanPolicy(demand);
    case 'oracle':
      return oraclePolicy({
        demand,
        startAt,
        leadSeconds: service.timing.bootSeconds + service.timing.warmupSeconds,
      });
  }
}

/** Replays every requested policy over the same load and d(t); progress goes to stderr. */
export function replayPolicies(options: ScenarioOptions, io: Pick<CliIo, 'stderr' | 'now'>): RunResult[] {
  const slo = DEFAULT_SLO.p99LatencyMs;
  const load =
    options.peakInstances === undefined
      ? options.load
      : scaleToPeak(
          options.load,
          { peakInstances: options.peakInstances, muPerInstance: MU_PER_INSTANCE, sloP99Ms: slo },
          options.traceName,
        ).load;
  const demand = demandSeries(load, MU_PER_INSTANCE, slo);
  const service = simulatedService(demand.reduce((m, d) => Math.max(m, d), 0));
  const minutes = load.length;
  const progress = createProgress({
    total: minutes * options.policies.length,
    unit: 'simulated minutes',
    enabled: options.progress,
    stream: io.stderr,
  });
  try {
    return options.policies.map((name, i) => {
      const run = replay({
        traceName: options.traceName,
        load,
        demand,
        startAt: options.startAt,
        service,
        policy: buildPolicy(name, { service, demand, startAt: options.startAt }),
        muPerInstance: MU_PER_INSTANCE,
        onProgress: (done) => progress.update(i * minutes + done, name),
        stopwatch: io.now,
      });
      return options.traceEvents?.length
        ? { ...run, events: [...options.traceEvents, ...run.events].sort((a, b) => a.at - b.at) }
        : run;
    });
  } finally {
    progress.stop();
  }
}
