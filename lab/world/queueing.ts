/**
 * M/M/c queueing (Erlang C), and M/G/c by the Allen–Cunneen approximation: how a fleet of c
 * identical workers, each serving μ requests per second, answers Poisson arrivals at λ per second.
 *
 * Latency choice (stated once, used everywhere): p99 response = p99 of the waiting time + the
 * mean service time 1/μ. The waiting-time tail of M/M/c is exact, P(W > t) = C·e^{−(cμ−λ)t}, so
 * its p99 is 0 when C ≤ 1 % and ln(100·C)/(cμ−λ) otherwise. The service time is added as its
 * mean rather than the exponential's p99 (4.6/μ) because web request service times vary far less
 * than an exponential does; the queue is where the tail comes from. benchmark.md says the same:
 * "p99 latency from M/M/c (Erlang C) plus the service time".
 *
 * This is the world's ground truth. The product holds its own, separate belief
 * (layers/core/src/capacity/queueModel.ts) and may never import this file.
 */

/**
 * How one instance serves, in the world's own terms (profiles.ts states one per service profile):
 * `serversPerInstance` workers, each serving 1/`mu` seconds on average with coefficient of
 * variation `cv`; a response takes `baseMs` of downstream calls on top, and the service time's
 * own p99 is `serviceP99Ms`. M/M/c is the shape with cv 1, one worker, no base latency and the
 * mean service time in place of its p99 (the model this file started with).
 */
export interface ServiceShape {
  /** Requests per second one worker serves. */
  mu: number;
  serversPerInstance: number;
  /** Coefficient of variation of the service time (1 = exponential). */
  cv: number;
  baseMs: number;
  serviceP99Ms: number;
}

/** The M/M/c shape of an instance serving `muPerInstance` requests per second. */
export function mmShape(muPerInstance: number): ServiceShape {
  return { mu: muPerInstance, serversPerInstance: 1, cv: 1, baseMs: 0, serviceP99Ms: 1000 / muPerInstance };
}

/**
 * Allen–Cunneen: an M/G/c queue waits (1 + cv²)/2 times as long as the M/M/c of the same means;
 * the waiting-time tail is taken as M/M/c's exponential stretched by that factor.
 */
const waitFactor = (cv: number): number => (1 + cv * cv) / 2;

export interface QueueParams {
  /** Arrival rate, requests per second. */
  lambda: number;
  /** Service rate of one instance, requests per second. */
  mu: number;
  /** Instances serving. */
  servers: number;
}

export interface QueueResult {
  /** Erlang C: probability that an arriving request waits (1 when overloaded). */
  probabilityOfWaiting: number;
  /** Share of the fleet's capacity in use, 0..1 (capped at 1 when overloaded). */
  utilisation: number;
  /** p99 of waiting plus the mean service time, ms (capped at the timeout). */
  p99Ms: number;
  /** Requests beyond capacity plus requests whose response exceeds the timeout, percent. */
  errorRatePct: number;
}

/** Requests slower than this fail as timeouts (an ALB's default idle timeout is 60 s; 10 s is a common client timeout). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Timeout shares below this are reported as 0: one request in ten million is not an error budget event. */
const NEGLIGIBLE_ERROR_SHARE = 1e-7;

/** Erlang B by the stable recursion B(0)=1, B(k)=a·B(k−1)/(k+a·B(k−1)); no factorials, no overflow. */
export function erlangB(servers: number, offeredLoad: number): number {
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
  return b;
}

/** Erlang C from Erlang B: C = c·B / (c − a·(1 − B)); 1 when a ≥ c (every request waits). */
export function erlangC(servers: number, offeredLoad: number): number {
  if (servers <= 0 || offeredLoad >= servers) return 1;
  if (offeredLoad <= 0) return 0;
  const b = erlangB(servers, offeredLoad);
  return (servers * b) / (servers - offeredLoad * (1 - b));
}

/** p99 of the waiting time, seconds, given Erlang C and the drain rate cμ−λ (> 0). */
function waitP99Seconds(c: number, drainRate: number): number {
  return c <= 0.01 ? 0 : Math.log(100 * c) / drainRate;
}

function checkParams({ lambda, mu, servers }: QueueParams): void {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`lambda must be ≥ 0, got ${lambda}`);
  if (!(mu > 0) || !Number.isFinite(mu)) throw new RangeError(`mu must be > 0, got ${mu}`);
  if (!Number.isInteger(servers) || servers < 0)
    throw new RangeError(`servers must be an integer ≥ 0, got ${servers}`);
}

/** Latency, utilisation and errors of an M/M/c fleet; overload means excess requests fail. */
export function mmc(params: QueueParams, timeoutMs: number = DEFAULT_TIMEOUT_MS): QueueResult {
  return mgc(params, mmShape(params.mu), timeoutMs);
}

/** The true latency, utilisation and errors of `instances` of this shape at `lambda` requests/s. */
export function queueAt(
  shape: ServiceShape,
  lambda: number,
  instances: number,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): QueueResult {
  return mgc({ lambda, mu: shape.mu, servers: instances * shape.serversPerInstance }, shape, timeoutMs);
}

/** M/G/c by Allen–Cunneen, plus the shape's base latency and service-time p99. */
function mgc(params: QueueParams, shape: ServiceShape, timeoutMs: number): QueueResult {
  checkParams(params);
  const { lambda, mu, servers } = params;
  const baseAndService = shape.baseMs + shape.serviceP99Ms;
  if (lambda === 0) {
    return {
      probabilityOfWaiting: 0,
      utilisation: 0,
      p99Ms: servers > 0 ? baseAndService : 0,
      errorRatePct: 0,
    };
  }
  const capacity = servers * mu;
  if (lambda >= capacity) {
    // The queue grows without bound: what exceeds capacity is shed, what is served waits to the timeout.
    return {
      probabilityOfWaiting: 1,
      utilisation: servers > 0 ? 1 : 0,
      p99Ms: timeoutMs,
      errorRatePct: (100 * (lambda - capacity)) / lambda,
    };
  }
  const c = erlangC(servers, lambda / mu);
  // The tail of an M/G/c wait decays more slowly, by the Allen–Cunneen factor.
  const drain = (capacity - lambda) / waitFactor(shape.cv);
  const p99Ms = Math.min(timeoutMs, 1000 * waitP99Seconds(c, drain) + baseAndService);
  // A request times out when its wait exceeds the timeout less its base and service time.
  const timeoutShare = c * Math.exp((-drain * Math.max(0, timeoutMs - baseAndService)) / 1000);
  return {
    probabilityOfWaiting: c,
    utilisation: lambda / capacity,
    p99Ms,
    errorRatePct: timeoutShare < NEGLIGIBLE_ERROR_SHARE ? 0 : 100 * timeoutShare,
  };
}

/**
 * d(t): the smallest instance count whose p99 meets the SLO (and that is not overloaded) at this
 * load. Walks Erlang B upward from the first stable c, so the cost is O(answer), no re-computation.
 */
export function demandFor(loadPerSecond: number, muPerInstance: number, sloP99Ms: number): number {
  return demandForShape(loadPerSecond, mmShape(muPerInstance), sloP99Ms);
}

/** d(t) for any shape: the fewest instances (of serversPerInstance workers) whose true p99 meets the SLO. */
export function demandForShape(loadPerSecond: number, shape: ServiceShape, sloP99Ms: number): number {
  const mu = shape.mu;
  checkParams({ lambda: loadPerSecond, mu, servers: 0 });
  const floorMs = shape.baseMs + shape.serviceP99Ms;
  if (!(sloP99Ms > floorMs)) {
    throw new RangeError(
      `SLO p99 ${sloP99Ms} ms cannot be met: base latency and service time alone take ${floorMs} ms`,
    );
  }
  if (loadPerSecond === 0) return 0;
  const a = loadPerSecond / mu;
  const waitBudgetS = (sloP99Ms - floorMs) / 1000;
  const k = waitFactor(shape.cv);
  const w = shape.serversPerInstance;
  let c = Math.floor(a) + 1;
  let b = erlangB(c, a);
  for (;;) {
    if (c % w === 0) {
      const erlang = (c * b) / (c - a * (1 - b));
      if (waitP99Seconds(erlang, (c * mu - loadPerSecond) / k) <= waitBudgetS) return c / w;
    }
    c += 1;
    b = (a * b) / (c + a * b);
  }
}

/**
 * d(t) for a whole series of per-minute loads. Traces hold one value per interval (30 min for
 * NYC taxi), so consecutive equal loads reuse the previous answer.
 */
export function demandSeries(
  loadPerMinute: readonly number[],
  muPerInstance: number | ServiceShape,
  sloP99Ms: number,
): number[] {
  const shape = typeof muPerInstance === 'number' ? mmShape(muPerInstance) : muPerInstance;
  const out = new Array<number>(loadPerMinute.length);
  let lastLoad = Number.NaN;
  let lastDemand = 0;
  for (let i = 0; i < loadPerMinute.length; i++) {
    const load = loadPerMinute[i] as number;
    if (load !== lastLoad) {
      lastDemand = demandForShape(load / 60, shape, sloP99Ms);
      lastLoad = load;
    }
    out[i] = lastDemand;
  }
  return out;
}
