/**
 * Headroom's belief about how a service answers load: the product's own capacity model, used to
 * turn "this load at this SLO" into an instance count. It is deliberately the product's copy,
 * not the simulated world's (`lab/world/queueing.ts` is the world's ground truth, which the
 * product may never import): a real service is not M/M/c, so this model is only a starting
 * belief that what Headroom learns from the metrics it reads can correct.
 *
 * Belief: c instances, each serving μ requests per second; p99 = p99 of the Erlang C waiting
 * time + the mean service time 1/μ.
 */

/** Erlang B by the stable recursion B(0)=1, B(k)=a·B(k−1)/(k+a·B(k−1)). */
function erlangB(servers: number, offeredLoad: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return b;
}

/** p99 of the waiting time, seconds, from Erlang C and the drain rate cμ−λ (> 0). */
function waitP99Seconds(erlangC: number, drainRate: number): number {
  return erlangC <= 0.01 ? 0 : Math.log(100 * erlangC) / drainRate;
}

/**
 * The smallest instance count whose believed p99 meets the SLO at this load (requests per
 * second), for instances that each serve `ratePerInstance` requests per second.
 */
export function instancesForSlo(loadPerSecond: number, ratePerInstance: number, sloP99Ms: number): number {
  if (!(loadPerSecond >= 0) || !Number.isFinite(loadPerSecond))
    throw new RangeError(`load must be ≥ 0 requests/s, got ${loadPerSecond}`);
  if (!(ratePerInstance > 0) || !Number.isFinite(ratePerInstance))
    throw new RangeError(`rate per instance must be > 0 requests/s, got ${ratePerInstance}`);
  const serviceMs = 1000 / ratePerInstance;
  if (!(sloP99Ms > serviceMs)) {
    throw new RangeError(
      `SLO p99 ${sloP99Ms} ms cannot be met: the mean service time alone is ${serviceMs} ms`,
    );
  }
  if (loadPerSecond === 0) return 0;
  const a = loadPerSecond / ratePerInstance;
  const waitBudgetS = (sloP99Ms - serviceMs) / 1000;
  let c = Math.floor(a) + 1;
  let b = erlangB(c, a);
  for (;;) {
    const erlangC = (c * b) / (c - a * (1 - b));
    if (waitP99Seconds(erlangC, c * ratePerInstance - loadPerSecond) <= waitBudgetS) return c;
    c += 1;
    b = (a * b) / (c + a * b);
  }
}
