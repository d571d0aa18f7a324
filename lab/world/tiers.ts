/**
 * The tiers around the compute fleet, each reduced to the one behaviour that makes it a
 * bottleneck: a database that runs out of connections, a cache whose hit ratio falls when it is
 * overloaded, a CDN whose hit ratio drops after an invalidation and recovers as it refills.
 * Replicas take a provisioning delay before they add capacity, as RDS and ElastiCache do.
 */

/** Replicas that are being provisioned or available; ready ones add capacity. */
export class Replicas {
  private readonly readyAt: number[] = [];

  constructor(
    private readonly provisionMs: number,
    initial: number,
    startAt: number,
  ) {
    for (let i = 0; i < initial; i++) this.readyAt.push(startAt);
  }

  add(at: number): void {
    this.readyAt.push(at + this.provisionMs);
  }

  /** Removes the newest replica (still provisioning, if any); false when there is none. */
  remove(): boolean {
    return this.readyAt.pop() !== undefined;
  }

  get total(): number {
    return this.readyAt.length;
  }

  readyCount(at: number): number {
    let n = 0;
    for (const t of this.readyAt) if (t <= at) n++;
    return n;
  }
}

export interface DatabaseSetup {
  /** max_connections of one instance (writer or replica). */
  maxConnections: number;
  /** Connections held open regardless of load (pools, admin). */
  baseConnections: number;
  /** Database queries per request that misses the cache. */
  queriesPerRequest: number;
  /** Mean time a query holds a connection, ms. */
  queryMs: number;
  replicaProvisionSeconds: number;
  initialReplicas?: number;
}

export interface DatabaseState {
  /** Connections in use per instance as a percent of max_connections. */
  connectionsPct: number;
  /** Extra latency waiting for the database, ms. */
  extraLatencyMs: number;
  /** Share of requests that fail for want of a connection, 0..1. */
  errorShare: number;
}

/**
 * Connections by Little's law: in-flight queries = query rate × query time. Reads spread over the
 * writer and the ready replicas. Waiting for a connection grows like an M/M/1 queue as the pool
 * fills; past max_connections the excess fails.
 */
export function databaseState(
  setup: DatabaseSetup,
  missesPerSecond: number,
  readyReplicas: number,
): DatabaseState {
  const instances = 1 + readyReplicas;
  const inFlight = (missesPerSecond * setup.queriesPerRequest * setup.queryMs) / 1000;
  const perInstance = setup.baseConnections + inFlight / instances;
  const utilisation = perInstance / setup.maxConnections;
  if (utilisation >= 1) {
    return {
      connectionsPct: 100,
      extraLatencyMs: setup.queryMs * 50,
      errorShare: (perInstance - setup.maxConnections) / perInstance,
    };
  }
  return {
    connectionsPct: 100 * utilisation,
    extraLatencyMs: setup.queryMs * Math.min(50, utilisation / (1 - utilisation)),
    errorShare: 0,
  };
}

export interface CacheSetup {
  /** Requests per second one cache node answers before it starts evicting or throttling. */
  requestsPerSecondPerNode: number;
  /** Hit ratio when not overloaded, percent. */
  hitRatioPct: number;
  replicaProvisionSeconds: number;
  initialReplicas?: number;
}

/** Hit ratio in percent: the nominal ratio while within capacity, falling in proportion beyond it. */
export function cacheHitRatioPct(
  setup: CacheSetup,
  requestsPerSecond: number,
  readyReplicas: number,
): number {
  const capacity = setup.requestsPerSecondPerNode * (1 + readyReplicas);
  if (requestsPerSecond <= capacity) return setup.hitRatioPct;
  return (setup.hitRatioPct * capacity) / requestsPerSecond;
}

export interface CdnSetup {
  /** Hit ratio of a warm CDN, percent. */
  hitRatioPct: number;
  /** Time constant of the refill after an invalidation, seconds. */
  recoverySeconds: number;
}

/** A CDN's hit ratio: an invalidation removes a share of what is cached; the cache refills exponentially. */
export class Cdn {
  private deficitPct = 0;
  private since = 0;

  constructor(private readonly setup: CdnSetup) {}

  hitRatioPct(at: number): number {
    if (this.deficitPct === 0) return this.setup.hitRatioPct;
    const left = this.deficitPct * Math.exp(-(at - this.since) / (1000 * this.setup.recoverySeconds));
    return this.setup.hitRatioPct - left;
  }

  /** `share` of the cached objects (0..1) is invalidated at `at`. */
  invalidate(share: number, at: number): void {
    if (!(share >= 0 && share <= 1))
      throw new RangeError(`invalidated share must be in [0, 1], got ${share}`);
    const after = this.hitRatioPct(at) * (1 - share);
    this.deficitPct = this.setup.hitRatioPct - after;
    this.since = at;
  }
}
