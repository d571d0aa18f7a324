/**
 * What Headroom learns about a service from the metrics it reads: how its p99 latency grows with
 * the load each instance carries, and so how many requests per second one instance serves within
 * the SLO. Nothing here knows how the service works inside; it sees minutes of (requests, in-service
 * instances, p99) and fits the curve a queue draws, p99(x) = base + k / (saturation − x), to the
 * median p99 of each load bin. The curve's crossing of the SLO is the capacity, and a confidence
 * says how far it can be trusted: enough minutes, loads seen close to the crossing, a curve that
 * fits. The evaluate flow uses it only when confident (else it decides reactively), and the forecast
 * function stores it with the forecast, in the state table.
 *
 * The curve is learned per band of fleet size: a few instances pool their requests far less than
 * many, so each instance of a small fleet serves fewer requests within the SLO (on the slow-api
 * world, 19 requests/s per instance at 2 instances, 31 at 20). One curve over all sizes learned
 * the large fleets' capacity, where most minutes are, and overloaded the small ones: on NYC taxi
 * at peak 20, 12,000 of 20,700 SLO minutes were at 3 to 6 instances (docs/benchmark-results.md).
 */
import { instancesForSlo } from './queueModel.js';

/** One load bin: minutes seen, and their p99s' log-mean (a p99 reading is multiplicatively noisy). */
export interface LoadBin {
  /** Requests per second per instance, the bin's lower edge. */
  x: number;
  /** The smallest in-service count of the fleet-size band that served these minutes; absent: any size. */
  fleet?: number;
  minutes: number;
  meanLogP99: number;
}

export interface LearnedCurve {
  /** Bins of per-instance load, 10 % wide on a log scale, in load order. */
  bins: LoadBin[];
  /** The latest minute learned from, epoch ms (each minute is learned once). */
  learnedUntil: number;
}

export interface LearnedCapacity {
  /** Requests per second one instance serves with the p99 at the SLO. */
  perInstance: number;
  /** 0..1: how far the curve can be trusted (see capacityFromCurve). */
  confidence: number;
  explanation: string;
}

export interface Reading {
  at: number;
  requestsPerMinute: number;
  p99LatencyMs: number;
  inService: number;
}

/** Bin width on the log scale: 10 % of load per bin. */
const BIN_RATIO = 1.1;
/** A bin's mean follows the service as it changes: older minutes weigh less once a bin has this many. */
const BIN_MEMORY_MINUTES = 240;
/** A bin joins the fit once it holds this many minutes. */
const MIN_BIN_MINUTES = 3;
/** Below this confidence the learned capacity is not used. */
export const MIN_LEARNED_CONFIDENCE = 0.5;

export const EMPTY_CURVE: LearnedCurve = { bins: [], learnedUntil: Number.NEGATIVE_INFINITY };

/** Fleet-size bands grow by half: 1, 2, 3, 4–5, 6–7, 8–11, 12–17, 18–25, … instances. */
const FLEET_RATIO = 1.5;

const binOf = (x: number): number => Math.floor(Math.log(x) / Math.log(BIN_RATIO));
/** A bin's index on the 10 % load scale, from its lower edge (as stored: aws/forecastItem.ts). */
export const binIndexOf = (bin: Pick<LoadBin, 'x'>): number => binOf(bin.x * 1.0001);
/** A bin's lower edge, from its index: the very number learnFrom gave it. */
export const binEdge = (index: number): number => BIN_RATIO ** index;
const bandOf = (inService: number): number => Math.floor(Math.log(inService) / Math.log(FLEET_RATIO) + 1e-9);
/** The smallest in-service count of a band, as stored in a bin. */
const bandStart = (band: number): number => Math.ceil(FLEET_RATIO ** band - 1e-9);
const keyOf = (fleet: number | undefined, bin: number): string =>
  `${fleet === undefined ? '' : bandOf(fleet)}:${bin}`;

/** The fleet-size band's smallest in-service count, for `inService` instances. */
export function fleetBandStart(inService: number): number {
  return bandStart(bandOf(Math.max(1, Math.round(inService))));
}

/** The curve with these readings added (readings at or before `learnedUntil` are skipped). */
export function learnFrom(curve: LearnedCurve, readings: readonly Reading[]): LearnedCurve {
  const bins = new Map(curve.bins.map((b) => [keyOf(b.fleet, binIndexOf(b)), { ...b }]));
  let until = curve.learnedUntil;
  for (const r of readings) {
    if (r.at <= until || r.inService <= 0 || !(r.requestsPerMinute > 0) || !(r.p99LatencyMs > 0)) continue;
    const x = r.requestsPerMinute / 60 / r.inService;
    const fleet = fleetBandStart(r.inService);
    const key = keyOf(fleet, binOf(x));
    const bin = bins.get(key) ?? { x: binEdge(binOf(x)), fleet, minutes: 0, meanLogP99: 0 };
    const weight = 1 / Math.min(bin.minutes + 1, BIN_MEMORY_MINUTES);
    bin.meanLogP99 += weight * (Math.log(r.p99LatencyMs) - bin.meanLogP99);
    bin.minutes += 1;
    bins.set(key, bin);
    until = Math.max(until, r.at);
  }
  const sorted = [...bins.values()].sort((a, b) => (a.fleet ?? 0) - (b.fleet ?? 0) || a.x - b.x);
  return { bins: sorted, learnedUntil: until };
}

interface Fit {
  base: number;
  k: number;
  saturation: number;
  /** Root mean square of the log residuals. */
  rmsLog: number;
}

/** Least squares of p99 = base + k/(s − x) over the bins, s on a grid past the highest load seen. */
function fitCurve(points: readonly { x: number; p99: number; w: number }[]): Fit | undefined {
  const xMax = Math.max(...points.map((p) => p.x));
  let best: Fit | undefined;
  for (let step = 1; step <= 120; step++) {
    const s = xMax * (1 + 0.02 * step);
    // Linear in (base, k) for a given s: weighted normal equations.
    let sw = 0;
    let su = 0;
    let sy = 0;
    let suu = 0;
    let suy = 0;
    for (const p of points) {
      const u = 1 / (s - p.x);
      sw += p.w;
      su += p.w * u;
      sy += p.w * p.p99;
      suu += p.w * u * u;
      suy += p.w * u * p.p99;
    }
    const det = sw * suu - su * su;
    if (!(Math.abs(det) > 1e-12)) continue;
    const k = (sw * suy - su * sy) / det;
    const base = (sy - k * su) / sw;
    if (!(k > 0) || !(base > 0)) continue;
    let sse = 0;
    for (const p of points) sse += p.w * Math.log((base + k / (s - p.x)) / p.p99) ** 2;
    const rmsLog = Math.sqrt(sse / sw);
    if (best === undefined || rmsLog < best.rmsLog) best = { base, k, saturation: s, rmsLog };
  }
  return best;
}

/**
 * The capacity the curve says: the load at which the fitted p99 reaches the SLO. Its confidence
 * is the product of three shares, each in [0, 1]: minutes learned (full at a day's worth),
 * how close to that load the service has been seen (full at 80 % of it: beyond what was seen the
 * curve is a guess), and the fit (full when the bins sit within 15 % of the curve).
 * For a fleet of `inService` instances: the curve of its size band when that one is confident, else
 * the nearest smaller band's (fewer instances serve less each, so it errs on the safe side), else
 * the nearest larger band's; the curve of every size together only when no band is confident.
 */
export function capacityFromCurve(
  curve: LearnedCurve,
  sloP99Ms: number,
  inService?: number,
): LearnedCapacity | undefined {
  if (inService !== undefined) {
    const own = fleetBandStart(inService);
    const fleets = [...new Set(curve.bins.map((b) => b.fleet ?? 0))].filter((f) => f > 0 && f !== own);
    const order = [
      own,
      ...fleets.filter((f) => f < own).sort((a, b) => b - a),
      ...fleets.filter((f) => f > own).sort((a, b) => a - b),
    ];
    for (const fleet of order) {
      const band = fitted(curve, sloP99Ms, fleet);
      if (band !== undefined && band.confidence >= MIN_LEARNED_CONFIDENCE) {
        return { ...band, explanation: `${band.explanation}, on fleets of ${fleet}+` };
      }
    }
  }
  return fitted(curve, sloP99Ms, undefined);
}

/** Each band's fit, made once per curve: the evaluate flow asks for several fleet sizes a run. */
const fits = new WeakMap<LearnedCurve, Map<string, LearnedCapacity | undefined>>();

function fitted(
  curve: LearnedCurve,
  sloP99Ms: number,
  fleet: number | undefined,
): LearnedCapacity | undefined {
  const known = fits.get(curve) ?? new Map<string, LearnedCapacity | undefined>();
  fits.set(curve, known);
  const key = `${sloP99Ms}|${fleet ?? 'all'}`;
  if (!known.has(key)) {
    const bins = fleet === undefined ? curve.bins : curve.bins.filter((b) => b.fleet === fleet);
    known.set(key, capacityOfBins(bins, sloP99Ms));
  }
  return known.get(key);
}

function capacityOfBins(bins: readonly LoadBin[], sloP99Ms: number): LearnedCapacity | undefined {
  const points = bins
    .filter((b) => b.minutes >= MIN_BIN_MINUTES)
    .map((b) => ({ x: b.x * Math.sqrt(BIN_RATIO), p99: Math.exp(b.meanLogP99), w: Math.sqrt(b.minutes) }));
  if (points.length < 4) return undefined;
  const fit = fitCurve(points);
  if (fit === undefined || fit.base >= sloP99Ms) return undefined;
  const perInstance = fit.saturation - fit.k / (sloP99Ms - fit.base);
  if (!(perInstance > 0)) return undefined;
  const minutes = bins.reduce((n, b) => n + b.minutes, 0);
  const seen = Math.max(...points.map((p) => p.x));
  const shares = {
    minutes: Math.min(1, minutes / 1440),
    reach: Math.min(1, seen / (0.8 * perInstance)),
    fit: Math.min(1, 0.15 / Math.max(fit.rmsLog, 1e-9)),
  };
  const confidence = shares.minutes * shares.reach * shares.fit;
  return {
    perInstance,
    confidence,
    explanation:
      `learned from ${minutes} minutes: p99 reaches ${sloP99Ms} ms at ${perInstance.toFixed(1)} requests/s per instance ` +
      `(highest seen ${seen.toFixed(1)}; confidence ${confidence.toFixed(2)})`,
  };
}

/**
 * The per-instance rate Headroom's belief (queueModel.ts) needs to give `inService` instances
 * exactly the learned capacity at the SLO: the learned curve expressed in the model every sizing
 * function already uses (the floor, the forecast floor, the load read from CPU).
 */
export function beliefRateFor(perInstance: number, inService: number, sloP99Ms: number): number {
  const n = Math.max(1, Math.round(inService));
  const load = n * perInstance;
  let lo = Math.max(perInstance, (1000 / sloP99Ms) * 1.0001);
  let hi = Math.max(lo * 2, perInstance * 50);
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (instancesForSlo(load, mid, sloP99Ms) <= n) hi = mid;
    else lo = mid;
  }
  return hi;
}
