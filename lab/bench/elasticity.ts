/**
 * SPEC Research Group elasticity metrics over demand d(t) and supply s(t), one sample per minute
 * (Δt = 1, so time shares are counts of minutes):
 *
 *   θU = (1/T) Σ max(0, d − s)           θO = (1/T) Σ max(0, s − d)        [instances]
 *   θU% = (100/T) Σ max(0, d − s)/d'     θO% = (100/T) Σ max(0, s − d)/d'  with d' = max(d, 1)
 *   τU = (100/T) #{d > s}                τO = (100/T) #{s > d}             [% of time]
 *
 * Sources: N. Herbst et al., "Ready for Rain? A View from SPEC Research on the Future of Cloud
 * Metrics", SPEC RG Cloud, tech. report SPEC-RG-2016-01 (accuracy θ, timeshare τ, instability,
 * elastic speedup); A. Ilyushkin, A. Ali-Eldin, N. Herbst et al., "An Experimental Performance
 * Evaluation of Autoscaling Policies for Complex Workflows", ICPE 2017 / ACM TOMPECS 2018, which
 * gives instability as
 *   k  = 100/(T−1) Σ min(1, max(0, sgn(Δs) − sgn(Δd)))   (supply rises relative to demand)
 *   k' = 100/(T−1) Σ min(1, max(0, sgn(Δd) − sgn(Δs)))   (supply falls relative to demand)
 * (the formula checked against the AtLarge group's own implementation, AutoscalerMetricCalculator
 * in atlarge-research/joygraph-graph-processing; the papers themselves were not reachable here).
 *
 * Normalising by d' = max(d, 1): SPEC divides by d(t), which is undefined for zero demand; one
 * instance is the unit of supply, so a surplus over zero demand is counted against one instance.
 *
 * `instability`, the headline number benchmark.md asks for ("% of steps where supply moves
 * against demand"), counts the steps where supply changes (Δs ≠ 0) in a direction demand does not
 * take in that step (sgn Δs ≠ sgn Δd): supply up while demand is flat or falls, or supply down while
 * demand is flat or rises. It equals k + k' less the steps where demand moved and supply held,
 * which k and k' also count; a step-wise fleet holds through most small demand moves, so that part
 * measures lag, not instability. k and k' are returned as well.
 */

export interface ElasticityMetrics {
  /** Minutes measured (T). */
  minutes: number;
  thetaU: number;
  thetaO: number;
  thetaUPct: number;
  thetaOPct: number;
  tauU: number;
  tauO: number;
  /** % of steps where supply moves in a direction demand does not. */
  instability: number;
  /** SPEC k and k' (Ilyushkin et al.), % of steps. */
  instabilityK: number;
  instabilityKPrime: number;
}

export function elasticity(demand: ArrayLike<number>, supply: ArrayLike<number>): ElasticityMetrics {
  const n = demand.length;
  if (supply.length !== n) throw new RangeError(`demand has ${n} minutes but supply has ${supply.length}`);
  if (n === 0) throw new RangeError('elasticity needs at least one minute of demand and supply');
  let under = 0;
  let over = 0;
  let underPct = 0;
  let overPct = 0;
  let underMinutes = 0;
  let overMinutes = 0;
  let against = 0;
  let k = 0;
  let kPrime = 0;
  for (let t = 0; t < n; t++) {
    const d = demand[t] as number;
    const s = supply[t] as number;
    if (d > s) {
      under += d - s;
      underPct += (d - s) / Math.max(d, 1);
      underMinutes++;
    } else if (s > d) {
      over += s - d;
      overPct += (s - d) / Math.max(d, 1);
      overMinutes++;
    }
    if (t === 0) continue;
    const ds = Math.sign(s - (supply[t - 1] as number));
    const dd = Math.sign(d - (demand[t - 1] as number));
    if (ds !== 0 && ds !== dd) against++;
    if (ds - dd > 0) k++;
    if (dd - ds > 0) kPrime++;
  }
  const steps = n - 1;
  return {
    minutes: n,
    thetaU: under / n,
    thetaO: over / n,
    thetaUPct: (100 * underPct) / n,
    thetaOPct: (100 * overPct) / n,
    tauU: (100 * underMinutes) / n,
    tauO: (100 * overMinutes) / n,
    instability: steps > 0 ? (100 * against) / steps : 0,
    instabilityK: steps > 0 ? (100 * k) / steps : 0,
    instabilityKPrime: steps > 0 ? (100 * kPrime) / steps : 0,
  };
}

export type SpeedupMetrics = Pick<ElasticityMetrics, 'thetaU' | 'thetaO' | 'tauU' | 'tauO'>;

/**
 * The resolution below which a metric counts as perfect: 0.01 instance for θ, 0.01 % for τ.
 * A policy with no under-provisioning at all would otherwise have an infinite ratio.
 */
export const SPEEDUP_FLOOR: SpeedupMetrics = { thetaU: 0.01, thetaO: 0.01, tauU: 0.01, tauO: 0.01 };

/**
 * Elastic speedup of `candidate` over `baseline` (SPEC RG): the geometric mean over θU, θO, τU,
 * τO of baseline / candidate. Above 1 the candidate is more elastic. Each value is floored at
 * SPEEDUP_FLOOR so that a perfect score divides by the measurement resolution, not by zero.
 */
export function elasticSpeedup(baseline: SpeedupMetrics, candidate: SpeedupMetrics): number {
  const keys = ['thetaU', 'thetaO', 'tauU', 'tauO'] as const;
  let logSum = 0;
  for (const key of keys) {
    const b = Math.max(baseline[key], SPEEDUP_FLOOR[key]);
    const c = Math.max(candidate[key], SPEEDUP_FLOOR[key]);
    logSum += Math.log(b / c);
  }
  return Math.exp(logSum / keys.length);
}
