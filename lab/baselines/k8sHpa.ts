/**
 * Kubernetes HorizontalPodAutoscaler (autoscaling/v2) on average CPU utilisation, emulated with the
 * defaults the Kubernetes documentation states. Sources: kubernetes.io/docs/concepts/workloads/
 * autoscaling/horizontal-pod-autoscale/ ("Algorithm details", "Stabilization window", "Default
 * Behavior"), the HPAScalingRules API reference (stabilizationWindowSeconds: "For scale up: 0 ...
 * For scale down: 300"; selectPolicy: "If not set, the default value Max is used"), and the
 * controller's replica calculator (kubernetes/kubernetes pkg/controller/podautoscaler), which the
 * page describes. Each rule below names its source.
 * - Sync period 15 s (--horizontal-pod-autoscaler-sync-period, "with a default value of 15
 *   seconds"). The world publishes one CPU reading a minute, so each minute runs four syncs on
 *   that reading. They run at the minute's end, where the reading arrives, so the HPA acts on a
 *   reading up to 45 s sooner than the real loop could: if anything, in its favour.
 * - desiredReplicas = ceil[currentReplicas × currentMetricValue / desiredMetricValue], where the
 *   metric is averaged over the ready pods ("Algorithm details").
 * - Tolerance 0.1: "if the ratio is sufficiently close to 1.0 (within a globally-configurable
 *   tolerance, 0.1 by default)", no scaling.
 * - Not-yet-ready pods (here: instances still booting or warming up) are set aside. "If any
 *   not-yet-ready pods were present, and the workload would have scaled up without factoring in
 *   missing metrics or not-yet-ready pods, the controller conservatively assumes that the
 *   not-yet-ready pods are consuming 0% of the desired metric"; then "if the new ratio reverses
 *   the scaling direction, or is within the tolerance, the controller doesn't take any scaling
 *   action". On a scale-down they are simply left out of the average.
 * - No metric at all: the HPA cannot compute a recommendation and does not scale.
 * - Default behaviour ("Default Behavior" section): scale-up with no stabilisation window and two
 *   policies, 100 % and 4 Pods per 15 s, selectPolicy Max (the larger change wins); scale-down
 *   with a 300 s stabilisation window ("the highest recommendation from within the window is
 *   chosen") and one policy, 100 % per 15 s.
 * - A rate policy limits the change over its period: the replicas at the period's start are the
 *   current ones less those added (plus those removed) by actions inside the last periodSeconds.
 * - A new HPA has no past recommendations, so its first scale-down is not held by the window.
 * - minReplicas / maxReplicas bound the result (here the group's min and max).
 */
import type { PolicyObservation, ScalingPolicy } from '@headroom/core/model/replay.js';

export interface HpaRatePolicy {
  type: 'Percent' | 'Pods';
  value: number;
  periodSeconds: number;
}

export interface K8sHpaOptions {
  /** target.averageUtilization, %. */
  targetCpuPct: number;
  tolerance: number;
  syncPeriodSeconds: number;
  scaleUpStabilizationSeconds: number;
  scaleDownStabilizationSeconds: number;
  scaleUpPolicies: readonly HpaRatePolicy[];
  scaleDownPolicies: readonly HpaRatePolicy[];
  name: string;
}

/** The documented defaults ("Default Behavior"; --horizontal-pod-autoscaler-tolerance, -sync-period). */
export const K8S_HPA_DEFAULTS: Omit<K8sHpaOptions, 'targetCpuPct'> = {
  tolerance: 0.1,
  syncPeriodSeconds: 15,
  scaleUpStabilizationSeconds: 0,
  scaleDownStabilizationSeconds: 300,
  scaleUpPolicies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
  scaleDownPolicies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  name: 'k8s-hpa',
};

/** What the replica calculator recommends from one reading, before stabilisation and rate limits. */
export function hpaRecommendation(
  reading: { cpuPct: number | undefined; ready: number; notReady: number; current: number },
  targetCpuPct: number,
  tolerance: number,
): number {
  const { cpuPct, ready, notReady, current } = reading;
  if (cpuPct === undefined || ready === 0) return current;
  const ratio = cpuPct / targetCpuPct;
  if (notReady === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return current;
    return Math.ceil(ratio * ready - 1e-9);
  }
  // Not-yet-ready pods count as 0 % of the target only on a scale-up; on a scale-down they are left out.
  const counted = ratio > 1 ? ready + notReady : ready;
  const newRatio = (ratio * ready) / counted;
  if (Math.abs(1 - newRatio) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return current;
  }
  const proposed = Math.ceil(newRatio * counted - 1e-9);
  if ((newRatio < 1 && proposed > current) || (newRatio > 1 && proposed < current)) return current;
  return proposed;
}

interface Stamped {
  at: number;
  replicas: number;
}

/** The rate limit of a set of policies under selectPolicy Max: the most permissive one. */
export function scaleUpLimit(
  current: number,
  addedInPeriod: (seconds: number) => number,
  policies: readonly HpaRatePolicy[],
): number {
  let limit = Number.NEGATIVE_INFINITY;
  for (const p of policies) {
    const start = current - addedInPeriod(p.periodSeconds);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100) - 1e-9);
    limit = Math.max(limit, proposed);
  }
  return limit;
}

export function scaleDownLimit(
  current: number,
  removedInPeriod: (seconds: number) => number,
  policies: readonly HpaRatePolicy[],
): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const p of policies) {
    const start = current + removedInPeriod(p.periodSeconds);
    // The controller truncates here (int32 of the product) where it rounds the scale-up limit up.
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    limit = Math.min(limit, proposed);
  }
  return limit + 0;
}

export function k8sHpaPolicy(
  options: Pick<K8sHpaOptions, 'targetCpuPct'> & Partial<K8sHpaOptions>,
): ScalingPolicy {
  const opts: K8sHpaOptions = { ...K8S_HPA_DEFAULTS, ...options };
  if (!(opts.targetCpuPct > 0 && opts.targetCpuPct <= 100)) {
    throw new RangeError(`k8s-hpa: targetCpuPct must be in (0, 100], got ${opts.targetCpuPct}`);
  }
  const recommendations: Stamped[] = [];
  const ups: Stamped[] = [];
  const downs: Stamped[] = [];
  const keepMs =
    1000 *
    Math.max(
      opts.scaleUpStabilizationSeconds,
      opts.scaleDownStabilizationSeconds,
      ...opts.scaleUpPolicies.map((p) => p.periodSeconds),
      ...opts.scaleDownPolicies.map((p) => p.periodSeconds),
    );
  // Events strictly after now − period count in the period, as the controller's cutoff does.
  const within = (events: readonly Stamped[], now: number) => (seconds: number) =>
    events.reduce((sum, e) => (e.at > now - seconds * 1000 ? sum + e.replicas : sum), 0);

  const sync = (
    now: number,
    cpuPct: number | undefined,
    ready: number,
    current: number,
    min: number,
    max: number,
  ) => {
    const raw = hpaRecommendation(
      { cpuPct, ready, notReady: Math.max(0, current - ready), current },
      opts.targetCpuPct,
      opts.tolerance,
    );
    // Stabilisation: the lowest recommendation of the up window, the highest of the down window.
    let up = raw;
    let down = raw;
    for (const r of recommendations) {
      if (r.at > now - opts.scaleUpStabilizationSeconds * 1000) up = Math.min(up, r.replicas);
      if (r.at > now - opts.scaleDownStabilizationSeconds * 1000) down = Math.max(down, r.replicas);
    }
    recommendations.push({ at: now, replicas: raw });
    let stabilized = current;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    let next = current;
    if (stabilized > current) {
      next = Math.min(stabilized, scaleUpLimit(current, within(ups, now), opts.scaleUpPolicies), max);
    } else if (stabilized < current) {
      next = Math.max(stabilized, scaleDownLimit(current, within(downs, now), opts.scaleDownPolicies), min);
    }
    next = Math.min(max, Math.max(min, next));
    if (next > current) ups.push({ at: now, replicas: next - current });
    if (next < current) downs.push({ at: now, replicas: current - next });
    for (const list of [recommendations, ups, downs]) {
      while (list.length > 0 && (list[0] as Stamped).at <= now - keepMs) list.shift();
    }
    return next;
  };

  return {
    name: opts.name,
    decide({ at, fleet, latest }: PolicyObservation): number {
      let replicas = fleet.desired;
      // The minute's syncs, each on the reading just published (see the note on the sync period).
      const syncs = Math.max(1, Math.round(60 / opts.syncPeriodSeconds));
      for (let k = 0; k < syncs; k++) {
        replicas = sync(
          at + k * opts.syncPeriodSeconds * 1000,
          latest.cpuPct,
          fleet.inService,
          replicas,
          fleet.min,
          fleet.max,
        );
      }
      return replicas;
    },
  };
}
