/**
 * Fits a service model from what CloudWatch recorded: how many requests per second one instance
 * serves (from CPU against the per-instance rate, and from p99 latency against it), how p99 grows
 * with utilisation, and how long a new instance takes to serve (boot + warm-up). Every fit says
 * how well it fits (R², points used), so a user knows how far to trust the backtest built on it.
 */

export interface Sample {
  at: number;
  /** Requests per second per instance in service. */
  perInstanceRps: number;
  cpuPct?: number;
  p99Ms?: number;
}

export interface LineFit {
  intercept: number;
  slope: number;
  r2: number;
  points: number;
}

/** Ordinary least squares y = intercept + slope × x; r2 is 1 − SSres/SStot. */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = xs.length;
  if (n < 3) throw new RangeError(`a fit needs at least 3 points, got ${n}`);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('every point has the same load: a fit needs the load to vary');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += ((ys[i] as number) - (intercept + slope * (xs[i] as number))) ** 2;
    ssTot += ((ys[i] as number) - my) ** 2;
  }
  return { intercept, slope, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot, points: n };
}

export interface CpuFit extends LineFit {
  /** Requests per second per instance at 100 % CPU. */
  capacityRps: number;
}

export function fitCpu(samples: readonly Sample[]): CpuFit | undefined {
  const used = samples.filter((s) => s.cpuPct !== undefined);
  if (used.length < 3) return undefined;
  const fit = fitLine(
    used.map((s) => s.perInstanceRps),
    used.map((s) => s.cpuPct as number),
  );
  if (fit.slope <= 0) return undefined;
  return { ...fit, capacityRps: (100 - fit.intercept) / fit.slope };
}

export interface LatencyFit {
  /** p99 with no queueing, ms. */
  unloadedP99Ms: number;
  /** Requests per second per instance where latency would grow without bound (p99 = L0 / (1 − r/μ)). */
  serviceRateRps: number;
  /** R² of the predicted p99 against the measured p99. */
  r2: number;
  points: number;
}

/** p99 = L0 / (1 − r/μ): linear in 1/p99 = 1/L0 − r/(μ L0). R² is computed on p99 itself. */
export function fitLatency(samples: readonly Sample[]): LatencyFit | undefined {
  const used = samples.filter((s) => s.p99Ms !== undefined && (s.p99Ms as number) > 0);
  if (used.length < 3) return undefined;
  const line = fitLine(
    used.map((s) => s.perInstanceRps),
    used.map((s) => 1 / (s.p99Ms as number)),
  );
  if (line.intercept <= 0 || line.slope >= 0) return undefined;
  const unloadedP99Ms = 1 / line.intercept;
  const serviceRateRps = -line.intercept / line.slope;
  const measured = used.map((s) => s.p99Ms as number);
  const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
  let ssRes = 0;
  let ssTot = 0;
  used.forEach((s, i) => {
    const rho = Math.min(0.999, s.perInstanceRps / serviceRateRps);
    ssRes += ((measured[i] as number) - unloadedP99Ms / (1 - rho)) ** 2;
    ssTot += ((measured[i] as number) - mean) ** 2;
  });
  return { unloadedP99Ms, serviceRateRps, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot, points: used.length };
}

/** Requests per second per instance at which the fitted p99 reaches the SLO. */
export function rpsAtSlo(fit: LatencyFit, sloP99Ms: number): number {
  return Math.max(0, fit.serviceRateRps * (1 - fit.unloadedP99Ms / sloP99Ms));
}

export interface BootFit {
  /** Median seconds from a raise of the desired count to the instances being in service. */
  seconds: number;
  scaleOuts: number;
}

/**
 * Boot + warm-up from desired capacity and instances in service (same timestamps): for each raise
 * of the desired count, the time until in-service first reaches it. Undefined when nothing scaled out.
 */
export function fitBoot(
  desired: ReadonlyMap<number, number>,
  inService: ReadonlyMap<number, number>,
): BootFit | undefined {
  const times = [...desired.keys()].sort((a, b) => a - b);
  const lags: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const before = desired.get(times[i - 1] as number) as number;
    const target = desired.get(times[i] as number) as number;
    if (target <= before) continue;
    const reached = times.slice(i).find((t) => (inService.get(t) ?? 0) >= target);
    if (reached !== undefined) lags.push((reached - (times[i] as number)) / 1000);
  }
  if (lags.length === 0) return undefined;
  lags.sort((a, b) => a - b);
  return { seconds: lags[Math.floor(lags.length / 2)] as number, scaleOuts: lags.length };
}
