/**
 * The ports answered by the simulated account, with AWS's behaviour where the domain depends on
 * it: conditional writes, cooldown refusals, validation errors. Adapters hold no policy.
 */
import type { DecisionRecord } from '@headroom/core/model/decision.js';
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast.js';
import type { FleetCapacity } from '@headroom/core/model/fleet.js';
import { ALL_KPIS, type KpiName, type KpiSample, type KpiSeries } from '@headroom/core/model/kpi.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import type {
  AdvisorEvent,
  Clock,
  EventPublisher,
  FleetControl,
  MetricsReader,
  MetricsWindow,
  ServiceState,
  StateStore,
} from '@headroom/core/ports/index.js';
import { ScalingRefusedError } from '@headroom/core/aws/errors.js';
import type { SimulatedAccount } from './account.js';

export class VirtualClock implements Clock {
  constructor(private at: number) {}

  now(): number {
    return this.at;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`the virtual clock only moves forward, got ${ms} ms`);
    this.at += ms;
  }
}

/** Refusals are the AWS adapter's own typed error, so callers handle the simulation and AWS alike. */
export { ScalingRefusedError } from '@headroom/core/aws/errors.js';

function checkPeriod(window: MetricsWindow): void {
  if (!(window.periodSeconds >= 60 && window.periodSeconds % 60 === 0)) {
    throw new RangeError(`period must be 60 s or a multiple of 60, got ${window.periodSeconds}`);
  }
}

/** Index of the first sample (or datapoint) stamped after `at` (they are in time order). */
export function firstAfter(samples: readonly KpiSample[], at: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid] as KpiSample).at <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The window's datapoints from one-minute samples in time order, one per period: what
 * GetMetricData returns for them. A sample stamped `at` covers [at − 1 min, at); the period
 * starting at p covers [p, p + period). Found by binary search, so a month's replay stays linear.
 * Each datapoint is the mean of each KPI over the period, except p99, which takes the worst minute
 * (the p99 of a longer period is not the mean of minute p99s, and the worst minute is the safe
 * reading).
 */
export function datapointsIn(
  samples: readonly KpiSample[],
  window: MetricsWindow,
  kpis: readonly KpiName[] = ALL_KPIS,
): KpiSample[] {
  checkPeriod(window);
  const periodMs = window.periodSeconds * 1000;
  const out: KpiSample[] = [];
  // One pass, sums kept per KPI rather than each period's samples gathered: the forecast function
  // reads 14 days of minutes every simulated hour, and this is the replay's hot path.
  const sums = new Float64Array(kpis.length);
  const worst = new Float64Array(kpis.length);
  const counts = new Uint32Array(kpis.length);
  let bucketStart = Number.NaN;
  let filled = false;
  const close = () => {
    if (!filled) return;
    const point: KpiSample = { at: Math.min(bucketStart + periodMs, window.end) };
    for (let k = 0; k < kpis.length; k++) {
      const n = counts[k] as number;
      if (n === 0) continue;
      const kpi = kpis[k] as KpiName;
      point[kpi] = kpi === 'p99LatencyMs' ? (worst[k] as number) : (sums[k] as number) / n;
    }
    out.push(point);
    sums.fill(0);
    worst.fill(Number.NEGATIVE_INFINITY);
    counts.fill(0);
    filled = false;
  };
  worst.fill(Number.NEGATIVE_INFINITY);
  for (let i = firstAfter(samples, window.start + 59_999); i < samples.length; i++) {
    const s = samples[i] as KpiSample;
    const begins = s.at - 60_000;
    if (begins >= window.end) break;
    if (begins < window.start) continue;
    const p = window.start + Math.floor((begins - window.start) / periodMs) * periodMs;
    if (p !== bucketStart) {
      close();
      bucketStart = p;
    }
    // A period with samples is a datapoint even when none has a value for the KPIs asked.
    filled = true;
    for (let k = 0; k < kpis.length; k++) {
      const v = s[kpis[k] as KpiName];
      if (v === undefined) continue;
      sums[k] = (sums[k] as number) + v;
      if (v > (worst[k] as number)) worst[k] = v;
      counts[k] = (counts[k] as number) + 1;
    }
  }
  close();
  return out;
}

export class SimMetricsReader implements MetricsReader {
  /** Calls made, so tests can check batching behaviour the way they would count GetMetricData calls. */
  calls = 0;

  constructor(private readonly account: SimulatedAccount) {}

  async readKpis(
    services: readonly ManagedService[],
    window: MetricsWindow,
    kpis: readonly KpiName[] = ALL_KPIS,
  ): Promise<Map<string, KpiSeries>> {
    checkPeriod(window);
    const result = new Map<string, KpiSeries>();
    for (const service of services) {
      const sim = this.account.services.get(service.id);
      const samples = sim ? datapointsIn(sim.samples, window, kpis) : [];
      result.set(service.id, { serviceId: service.id, samples });
    }
    this.calls++;
    return result;
  }
}

export class SimFleetControl implements FleetControl {
  constructor(private readonly account: SimulatedAccount) {}

  async discover(): Promise<ManagedService[]> {
    return [...this.account.services.values()].map((s) => s.service);
  }

  async describe(groupNames: readonly string[]): Promise<Map<string, FleetCapacity>> {
    const out = new Map<string, FleetCapacity>();
    // Like DescribeAutoScalingGroups, unknown names are simply absent from the answer.
    for (const name of groupNames) {
      const sim = this.account.byGroupName(name);
      if (sim) out.set(name, sim.capacity());
    }
    return out;
  }

  async setDesiredCapacity(groupName: string, desired: number, honorCooldown: boolean): Promise<void> {
    const sim = this.account.byGroupName(groupName);
    const refuse = (reason: 'activity-in-progress' | 'invalid-request', awsMessage: string): never => {
      throw new ScalingRefusedError(groupName, desired, reason, awsMessage);
    };
    // The messages are the ones Auto Scaling returns for the same requests.
    if (!sim) return refuse('invalid-request', `AutoScalingGroup name not found - ${groupName}`);
    const { min, max } = sim.service.capacity;
    if (desired > max)
      refuse('invalid-request', `New SetDesiredCapacity value ${desired} is above max value ${max}`);
    if (desired < min)
      refuse('invalid-request', `New SetDesiredCapacity value ${desired} is below min value ${min}`);
    const last = sim.fleet.lastActivityAt;
    const cooldownEndsAt = last === undefined ? -Infinity : last + sim.service.timing.cooldownSeconds * 1000;
    if (honorCooldown && this.account.clock.now() < cooldownEndsAt) {
      refuse(
        'activity-in-progress',
        `Scaling activity in progress for ${groupName} until ${new Date(cooldownEndsAt).toISOString()}`,
      );
    }
    sim.setDesired(desired);
  }
}

export class InMemoryStateStore implements StateStore {
  private readonly states = new Map<string, ServiceState>();
  private readonly forecasts = new Map<string, ServiceForecast>();
  readonly decisions: DecisionRecord[] = [];
  private killSwitch = false;

  /** A month's replay need not keep its 43,200 decision records: `keepDecisions: false` counts them. */
  constructor(private readonly options: { keepDecisions?: boolean } = {}) {}

  /** Decisions recorded, kept or not. */
  recorded = 0;

  async getServiceState(serviceId: string): Promise<ServiceState | undefined> {
    const s = this.states.get(serviceId);
    return s && structuredClone(s);
  }

  async putServiceState(state: ServiceState, expectedVersion: number): Promise<boolean> {
    const stored = this.states.get(state.serviceId)?.version ?? 0;
    if (stored !== expectedVersion) return false;
    this.states.set(state.serviceId, structuredClone(state));
    return true;
  }

  async recordDecision(record: DecisionRecord): Promise<void> {
    this.recorded++;
    if (this.options.keepDecisions !== false) this.decisions.push(structuredClone(record));
  }

  async isKillSwitchOn(): Promise<boolean> {
    return this.killSwitch;
  }

  /** The forecast as the forecast function stored it (never mutated after, so not copied). */
  async getForecast(serviceId: string): Promise<ServiceForecast | undefined> {
    return this.forecasts.get(serviceId);
  }

  async putForecast(forecast: ServiceForecast): Promise<void> {
    this.forecasts.set(forecast.serviceId, forecast);
  }

  setKillSwitch(on: boolean): void {
    this.killSwitch = on;
  }
}

export class InMemoryEventPublisher implements EventPublisher {
  readonly events: AdvisorEvent[] = [];

  async publish(events: readonly AdvisorEvent[]): Promise<void> {
    for (const e of events) this.events.push(structuredClone(e));
  }
}
