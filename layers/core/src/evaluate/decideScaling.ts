/**
 * One decision for one service: target tracking on CPU, a KPI-driven scale-out when latency or
 * errors miss the SLO whatever the CPU says, and a forecast floor when one is given. The highest
 * of the three wins; each is already bounded by the step and min/max limits.
 */
import { monthlyCostDeltaUsd } from '../cost/costModel.js';
import { evaluateKpis, type KpiEvaluation } from '../kpi/evaluateKpis.js';
import type { Evidence, Risk, ScalingDecision } from '../model/decision.js';
import type { FleetCapacity } from '../model/fleet.js';
import type { KpiSample } from '../model/kpi.js';
import type { CapacityLimits, ManagedService } from '../model/service.js';
import type { ServiceState } from '../ports/index.js';
import { clampToLimits, withinLimits } from '../policies/guardrailsLimits.js';
import { targetTracking } from '../policies/targetTracking.js';

export interface ForecastFloor {
  /** Capacity the forecast says will be needed by the time new instances could serve. */
  capacity: number;
  /** 0..1, the forecast's measured accuracy. */
  confidence: number;
  explanation: string;
}

export interface DecideScalingInput {
  service: ManagedService;
  fleet: FleetCapacity;
  latest: KpiSample | undefined;
  recent: readonly KpiSample[];
  state: ServiceState | undefined;
  now: number;
  forecastFloor?: ForecastFloor;
  /** A latest sample older than this is not acted on (default 180 s: three one-minute periods). */
  staleAfterSeconds?: number;
}

export const DEFAULT_STALE_AFTER_SECONDS = 180;
/** A KPI breach asks for at most this multiple of the in-service capacity in one decision. */
export const MAX_KPI_SCALE_RATIO = 2;

/** The config limits narrowed to the group's own MinSize/MaxSize, which AWS would enforce anyway. */
export function effectiveLimits(service: ManagedService, fleet: FleetCapacity): CapacityLimits {
  const max = Math.min(service.capacity.max, fleet.max);
  return { ...service.capacity, min: Math.min(Math.max(service.capacity.min, fleet.min), max), max };
}

export function decideScaling(input: DecideScalingInput): ScalingDecision {
  const { service, fleet, now } = input;
  const current = fleet.desired;
  const limits = effectiveLimits(service, fleet);
  const staleMs = (input.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS) * 1000;
  const stale = input.latest !== undefined && now - input.latest.at > staleMs;
  const latest = stale ? undefined : input.latest;
  const kpis = evaluateKpis(service, latest);
  const breachedMinutes = breachedMinutesOf(service, latest, input.recent);

  const tracking = targetTracking({
    currentDesired: current,
    inService: fleet.inService,
    warmingUp: fleet.warmingUp,
    metric: latest?.cpuPct,
    target: service.slo.cpuTargetPct,
    limits,
    recentRecommendations: input.state?.recentRecommendations ?? [],
    now,
    scaleInStabilizationSeconds: service.timing.scaleInStabilizationSeconds,
    metricName: 'CPU',
  });
  const kpi = kpiScaleOut(kpis, fleet, limits);
  const floor = floorOf(input.forecastFloor, current, limits);

  const candidates = [
    { desired: tracking.desired, rule: tracking.rule, reason: tracking.reason },
    ...(kpi ? [kpi] : []),
    ...(floor ? [floor] : []),
  ];
  // Never scale in while the SLO is breached: the highest candidate, and at least the current size then.
  const chosen = candidates.reduce((best, c) => (c.desired > best.desired ? c : best));
  const desired =
    kpis.status === 'breached' ? Math.max(chosen.desired, Math.min(current, limits.max)) : chosen.desired;
  const rule = desired === chosen.desired ? chosen.rule : 'kpi/hold-breached';
  const notes = [
    stale
      ? `Latest KPI sample is ${Math.round((now - input.latest!.at) / 1000)} s old: not acting on stale data.`
      : '',
    kpis.missing.length > 0 && !stale ? `Not measured: ${kpis.missing.join(', ')}.` : '',
    rule === 'kpi/hold-breached' ? 'The SLO is breached, so no scale-in.' : '',
    ...candidates.filter((c) => c !== chosen).map((c) => `Also considered: ${c.reason}`),
  ].filter((note) => note !== '');

  const recommendation = Math.max(tracking.recommendation, kpi?.desired ?? 0, floor?.desired ?? 0);
  return {
    serviceId: service.id,
    at: now,
    currentCapacity: current,
    desiredCapacity: desired,
    action: desired > current ? 'scale-out' : desired < current ? 'scale-in' : 'hold',
    rule: stale && desired === current ? 'data/stale' : rule,
    reason: [chosen.reason, ...notes].join(' '),
    evidence: evidenceOf(
      breachedMinutes,
      latest,
      service.slo.cpuTargetPct,
      tracking.evidence,
      kpis,
      input.forecastFloor,
      limits,
      recommendation,
      stale,
    ),
    monthlyCostDeltaUsd: monthlyCostDeltaUsd(current, desired, service.pricePerInstanceHourUsd),
    risk: riskOf(current, desired, kpis),
    confidence: confidenceOf(
      kpis,
      fleet,
      stale,
      desired === floor?.desired ? input.forecastFloor : undefined,
      rule === 'kpi/scale-out' && breachedMinutes < 2,
    ),
  };
}

/** Of the last three samples (the latest included), how many missed the SLO: one minute over may be noise. */
function breachedMinutesOf(
  service: ManagedService,
  latest: KpiSample | undefined,
  recent: readonly KpiSample[],
): number {
  if (latest === undefined) return 0;
  const lastThree = [...recent.filter((s) => s.at < latest.at).slice(-2), latest];
  return lastThree.filter((s) => evaluateKpis(service, s).status === 'breached').length;
}

interface Candidate {
  desired: number;
  rule: string;
  reason: string;
}

/** Latency or errors over the SLO: add capacity in proportion to the breach, whatever the CPU says. */
function kpiScaleOut(
  kpis: KpiEvaluation,
  fleet: FleetCapacity,
  limits: CapacityLimits,
): Candidate | undefined {
  const computeBreaches = kpis.breaches.filter((b) => b.tier === 'compute' && b.kind === 'slo');
  if (computeBreaches.length === 0 || fleet.inService === 0) return undefined;
  const worst = computeBreaches.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const otherTier = kpis.breaches.find((b) => b.tier !== 'compute');
  const said = `${worst.kpi} ${worst.value} is ${worst.ratio === Infinity ? 'over' : `${round(worst.ratio, 2)}×`} the objective ${worst.objective}`;
  if (otherTier) {
    // More instances would only add load on a saturated database, cache or CDN origin.
    return {
      desired: clampToLimits(fleet.desired, limits),
      rule: 'kpi/hold-other-tier',
      reason: `${said}, but the ${otherTier.tier} tier is breached too (${otherTier.kpi} ${otherTier.value}): not adding instances.`,
    };
  }
  const wanted = Math.ceil(fleet.inService * Math.min(worst.ratio, MAX_KPI_SCALE_RATIO) - 1e-9);
  if (wanted <= fleet.desired) {
    return {
      desired: clampToLimits(fleet.desired, limits),
      rule: 'kpi/hold-covered',
      reason: `${said}: ${wanted} needed, ${fleet.desired} already asked for.`,
    };
  }
  const desired = withinLimits(fleet.desired, wanted, limits);
  const trimmed = desired === wanted ? '' : ` (${wanted} wanted, limited to ${desired})`;
  return {
    desired,
    rule: 'kpi/scale-out',
    reason: `${said} on ${fleet.inService} in-service instance(s): scale out to ${desired}${trimmed}.`,
  };
}

function floorOf(
  floor: ForecastFloor | undefined,
  current: number,
  limits: CapacityLimits,
): Candidate | undefined {
  if (floor === undefined || !Number.isFinite(floor.capacity)) return undefined;
  const needed = Math.ceil(floor.capacity - 1e-9);
  // Below the current size the floor only bounds a scale-in chosen by target tracking; it never causes one.
  const desired = withinLimits(current, needed, limits);
  return { desired, rule: 'forecast/floor', reason: `Forecast floor ${needed}: ${floor.explanation}` };
}

function riskOf(current: number, desired: number, kpis: KpiEvaluation): Risk {
  if (desired >= current) return 'low';
  // Removing capacity without knowing the SLO holds is a guess about users' experience.
  if (kpis.status !== 'met') return 'high';
  return (current - desired) / current > 0.25 ? 'medium' : 'low';
}

function confidenceOf(
  kpis: KpiEvaluation,
  fleet: FleetCapacity,
  stale: boolean,
  floor: ForecastFloor | undefined,
  unconfirmedBreach: boolean,
): number {
  if (stale) return 0.2;
  let confidence = 0.9;
  if (unconfirmedBreach) confidence -= 0.2;
  confidence -= 0.15 * Math.min(kpis.missing.length, 3);
  if (fleet.warmingUp > 0) confidence -= 0.1;
  if (floor) confidence = Math.min(confidence, floor.confidence);
  return round(Math.max(0.1, Math.min(1, confidence)), 2);
}

function evidenceOf(
  breachedMinutes: number,
  latest: KpiSample | undefined,
  cpuTargetPct: number,
  tracking: Evidence,
  kpis: KpiEvaluation,
  floor: ForecastFloor | undefined,
  limits: CapacityLimits,
  recommendation: number,
  stale: boolean,
): Evidence {
  const measured: Evidence = {};
  for (const [name, value] of Object.entries(latest ?? {}))
    if (name !== 'at' && typeof value === 'number') measured[name] = value;
  return {
    ...measured,
    ...(latest ? { sampleAt: latest.at } : {}),
    cpuTargetPct,
    ...pick(tracking, [
      'ratio',
      'recommended',
      'stabilized',
      'currentDesired',
      'inService',
      'warmingUp',
      'stepLimit',
    ]),
    min: limits.min,
    max: limits.max,
    sloBreaches: kpis.breaches.filter((b) => b.kind === 'slo').length,
    sloBreachedMinutesOfLast3: breachedMinutes,
    missingKpis: kpis.missing.length,
    ...(floor ? { forecastFloor: floor.capacity, forecastConfidence: floor.confidence } : {}),
    ...(stale ? { stale: 1 } : {}),
    recommendation,
  };
}

function pick(evidence: Evidence, names: readonly string[]): Evidence {
  return Object.fromEntries(names.filter((n) => evidence[n] !== undefined).map((n) => [n, evidence[n]!]));
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
