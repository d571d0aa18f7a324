/**
 * The points of the frontier: each policy at each of its settings. The baselines run at the
 * target utilisations AWS and Kubernetes users pick between (40–80 %), with a minimum of 2
 * instances, as most teams run; their other knobs keep AWS's and Kubernetes' documented defaults
 * and are never tuned against Headroom. Every point runs on the same service (min 2 for all).
 */
import { DEFAULT_SLOW_MINUTE_COST_USD } from '@headroom/core/config/serviceConfig.js';
import type { ReplayPolicy } from '@headroom/core/model/replay.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import { awsCombinedPolicy } from '../baselines/awsCombined.js';
import { awsTargetTrackingPolicy } from '../baselines/awsTargetTracking.js';
import { k8sHpaPolicy } from '../baselines/k8sHpa.js';
import { oraclePolicy } from '../baselines/oracle.js';
import type { DeployedHeadroomOptions } from '../world/deployedHeadroom.js';
import { HEADROOM_SETTINGS, headroomAt, headroomSettingLabel } from './benchPolicies.js';

/** Target utilisations (CPU %) of aws-target-tracking, aws-combined and k8s-hpa. */
export const BASELINE_TARGETS_PCT = [40, 50, 60, 70, 80] as const;
/** Minimum capacity of every point (issue 11: "minimum capacity 2"). */
export const FRONTIER_MIN_CAPACITY = 2;

export interface FrontierPoint {
  policy: string;
  /** How records name the setting, e.g. `target=50`. */
  setting: string;
  /** True on Headroom's default point only. */
  default: boolean;
}

export interface PointContext {
  service: ManagedService;
  /** d(t) per minute: only the oracle may look at it. */
  demand: readonly number[];
  startAt: number;
}

/**
 * Headroom's frontier is swept over its one risk knob, the business cost of a slow minute against
 * the instance-hour price (benchPolicies.ts: headroomAt over HEADROOM_SETTINGS); the deployment's
 * default is the default point.
 */
export const HEADROOM_POINTS: readonly { setting: string; default: boolean; slowMinuteCostUsd: number }[] =
  HEADROOM_SETTINGS.map((cost) => ({
    setting: headroomSettingLabel(cost),
    default: cost === DEFAULT_SLOW_MINUTE_COST_USD,
    slowMinuteCostUsd: cost,
  }));

function headroomPoint(
  setting: string,
  context: PointContext,
  headroom: DeployedHeadroomOptions | undefined,
): ReplayPolicy {
  const found = HEADROOM_POINTS.find((s) => s.setting === setting);
  if (!found) throw new RangeError(`headroom has no setting '${setting}'`);
  return headroomAt(found.slowMinuteCostUsd)({ ...context, ...(headroom ? { headroom } : {}) });
}

const targetSetting = (pct: number) => `target=${pct}`;

/** The baselines' setting the report draws a timeline for (AWS's own examples track 50 %). */
export const TIMELINE_TARGET_PCT = 50;

/** One timeline per policy in the report: Headroom's default, the baselines at 50 %, the oracle. */
export const inTimeline = (point: FrontierPoint): boolean =>
  point.policy === 'headroom'
    ? point.default
    : point.policy === 'oracle' || point.setting === targetSetting(TIMELINE_TARGET_PCT);

/** Every point, baselines first, then Headroom's settings, then the oracle. */
export function frontierPoints(): FrontierPoint[] {
  const baselines = ['aws-target-tracking', 'aws-combined', 'k8s-hpa'].flatMap((policy) =>
    BASELINE_TARGETS_PCT.map((pct) => ({ policy, setting: targetSetting(pct), default: false })),
  );
  return [
    ...baselines,
    ...HEADROOM_POINTS.map((s) => ({ policy: 'headroom', setting: s.setting, default: s.default })),
    { policy: 'oracle', setting: 'perfect foresight', default: false },
  ];
}

function targetOf(point: FrontierPoint): number {
  const match = /^target=(\d+)$/.exec(point.setting);
  if (!match) throw new RangeError(`${point.policy}: setting '${point.setting}' is not target=<percent>`);
  return Number(match[1]);
}

/**
 * A fresh policy for one point (policies keep state between minutes); `headroom` only wires the
 * replay of the deployed evaluation (e.g. a shared refit), never changes what it decides.
 */
export function buildPointPolicy(
  point: FrontierPoint,
  context: PointContext,
  headroom?: DeployedHeadroomOptions,
): ReplayPolicy {
  const { service, demand, startAt } = context;
  switch (point.policy) {
    case 'aws-target-tracking':
      return awsTargetTrackingPolicy({ targetCpuPct: targetOf(point) });
    case 'aws-combined':
      return awsCombinedPolicy({ targetCpuPct: targetOf(point) });
    case 'k8s-hpa':
      return k8sHpaPolicy({ targetCpuPct: targetOf(point) });
    case 'headroom':
      return headroomPoint(point.setting, context, headroom);
    case 'oracle':
      return oraclePolicy({
        demand,
        startAt,
        leadSeconds: service.timing.bootSeconds + service.timing.warmupSeconds,
      });
    default:
      throw new RangeError(`no frontier policy named '${point.policy}'`);
  }
}
