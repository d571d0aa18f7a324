/**
 * The records of frontier.json: one per trace × fleet size × policy × setting, with exactly the
 * fields issue 11 lists, in its order. Flaps are counted here, from the desired capacity of a run.
 */
import type { RunResult } from '@headroom/core/model/replay.js';

export interface FrontierRecord {
  trace: string;
  /** The trace was scaled so that its peak minute needs this many instances. */
  peakInstances: number;
  /** The world's service profile the trace ran against. */
  profile: string;
  policy: string;
  /** The policy's setting, e.g. `target=50`. */
  setting: string;
  /** True on Headroom's default point only. */
  default: boolean;
  sloViolationMinutes: number;
  instanceHours: number;
  costUsd: number;
  scalingActions: number;
  /** % of steps where supply moves against demand (SPEC RG). */
  instability: number;
  /** Scale-ins undone by a scale-out within FLAP_WINDOW_MINUTES. */
  flaps: number;
}

export const FRONTIER_FIELDS = [
  'trace',
  'peakInstances',
  'profile',
  'policy',
  'setting',
  'default',
  'sloViolationMinutes',
  'instanceHours',
  'costUsd',
  'scalingActions',
  'instability',
  'flaps',
] as const satisfies readonly (keyof FrontierRecord)[];

/** A scale-in undone by a scale-out within this many minutes is a flap (what operators count). */
export const FLAP_WINDOW_MINUTES = 10;

/**
 * Flaps in a series of desired capacities, one per minute: each scale-in (a fall from one minute
 * to the next) that a scale-out follows within `windowMinutes` counts once, however many
 * scale-outs follow it.
 */
export function countFlaps(desired: ArrayLike<number>, windowMinutes = FLAP_WINDOW_MINUTES): number {
  let flaps = 0;
  // Minutes of the scale-ins not yet undone, oldest first.
  const pending: number[] = [];
  for (let i = 1; i < desired.length; i++) {
    const step = (desired[i] as number) - (desired[i - 1] as number);
    if (step < 0) pending.push(i);
    else if (step > 0) {
      for (const at of pending) if (i - at <= windowMinutes) flaps++;
      pending.length = 0;
    }
    while (pending.length > 0 && i - (pending[0] as number) >= windowMinutes) pending.shift();
  }
  return flaps;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface PointIdentity {
  peakInstances: number;
  profile: string;
  setting: string;
  default: boolean;
}

export function toFrontierRecord(run: RunResult, point: PointIdentity): FrontierRecord {
  const s = run.summary;
  const desired = run.timeline.map((p) => p.desired);
  return {
    trace: s.trace,
    peakInstances: point.peakInstances,
    profile: point.profile,
    policy: s.policy,
    setting: point.setting,
    default: point.default,
    sloViolationMinutes: s.sloViolationMinutes,
    instanceHours: round(s.instanceHours, 2),
    costUsd: round(s.costUsd, 2),
    scalingActions: s.scalingActions,
    instability: round(s.instability, 3),
    flaps: countFlaps(desired),
  };
}
