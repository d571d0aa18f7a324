/**
 * Threshold alarms on the simulated KPIs, in the spirit of CloudWatch: an alarm fires when its
 * metric breaches the threshold on `datapoints` consecutive samples, and fires again only after
 * it has gone back to OK. A missing datapoint leaves the alarm where it is.
 */
import type { KpiName, KpiSample } from '@headroom/core/model/kpi.js';
import type { ServiceSlo } from '@headroom/core/model/service.js';

export type SimTier = 'compute' | 'database' | 'cache' | 'cdn';

export interface AlarmRule {
  name: string;
  tier: SimTier;
  metric: KpiName;
  comparison: 'above' | 'below';
  threshold: number;
  /** Consecutive breaching samples before the alarm fires (default 1). */
  datapoints?: number;
}

export interface SimAlarm {
  name: string;
  /** Epoch ms of the sample that made the alarm fire. */
  at: number;
  tier: SimTier;
  metric: KpiName;
  value: number;
  threshold: number;
}

/** One alarm per SLO the service states, on 3 consecutive one-minute datapoints. */
export function sloAlarmRules(serviceId: string, slo: ServiceSlo): AlarmRule[] {
  const rules: AlarmRule[] = [
    {
      name: `${serviceId}-p99`,
      tier: 'compute',
      metric: 'p99LatencyMs',
      comparison: 'above',
      threshold: slo.p99LatencyMs,
    },
    {
      name: `${serviceId}-errors`,
      tier: 'compute',
      metric: 'errorRatePct',
      comparison: 'above',
      threshold: slo.errorRatePct,
    },
  ];
  if (slo.dbConnectionsMaxPct !== undefined) {
    rules.push({
      name: `${serviceId}-db-connections`,
      tier: 'database',
      metric: 'dbConnectionsPct',
      comparison: 'above',
      threshold: slo.dbConnectionsMaxPct,
    });
  }
  if (slo.cacheHitRatioMinPct !== undefined) {
    rules.push({
      name: `${serviceId}-cache-hit`,
      tier: 'cache',
      metric: 'cacheHitRatioPct',
      comparison: 'below',
      threshold: slo.cacheHitRatioMinPct,
    });
  }
  if (slo.cdnHitRatioMinPct !== undefined) {
    rules.push({
      name: `${serviceId}-cdn-hit`,
      tier: 'cdn',
      metric: 'cdnHitRatioPct',
      comparison: 'below',
      threshold: slo.cdnHitRatioMinPct,
    });
  }
  return rules.map((r) => ({ ...r, datapoints: 3 }));
}

/** Keeps each rule's run of breaching samples; `check` returns the alarms that fire on this sample. */
export class AlarmWatch {
  private readonly breaching: number[];
  private readonly firing: boolean[];

  constructor(private readonly rules: readonly AlarmRule[]) {
    for (const r of rules) {
      if (!Number.isFinite(r.threshold)) throw new RangeError(`alarm ${r.name}: threshold must be a number`);
    }
    this.breaching = rules.map(() => 0);
    this.firing = rules.map(() => false);
  }

  check(sample: KpiSample): SimAlarm[] {
    const fired: SimAlarm[] = [];
    this.rules.forEach((rule, i) => {
      const value = sample[rule.metric];
      if (value === undefined) return;
      const breach = rule.comparison === 'above' ? value > rule.threshold : value < rule.threshold;
      if (!breach) {
        this.breaching[i] = 0;
        this.firing[i] = false;
        return;
      }
      const run = (this.breaching[i] as number) + 1;
      this.breaching[i] = run;
      if (!this.firing[i] && run >= (rule.datapoints ?? 1)) {
        this.firing[i] = true;
        fired.push({
          name: rule.name,
          at: sample.at,
          tier: rule.tier,
          metric: rule.metric,
          value,
          threshold: rule.threshold,
        });
      }
    });
    return fired;
  }
}
