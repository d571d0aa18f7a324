/**
 * Ports: what the domain needs from the world. `aws/` implements them with the AWS SDK,
 * `sim/` against the simulated account. Adapters hold no policy.
 */
import type { LaunchTiming } from '../capacity/launchTiming.js';
import type { DecisionRecord } from '../model/decision.js';
import type { ServiceForecast } from '../forecast/serviceForecast.js';
import type { FleetCapacity } from '../model/fleet.js';
import type { KpiName, KpiSeries } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';

/** Time is passed in; the domain never reads the wall clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface MetricsWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** Period of each datapoint, seconds (60 or a multiple). */
  periodSeconds: number;
}

export interface MetricsReader {
  /** KPI series for every service in as few calls as possible; absent datapoints stay absent. */
  readKpis(
    services: readonly ManagedService[],
    window: MetricsWindow,
    kpis?: readonly KpiName[],
  ): Promise<Map<string, KpiSeries>>;
}

export interface FleetControl {
  /** Groups carrying the `headroom:*` tags, with their config parsed from the tags. */
  discover(): Promise<ManagedService[]>;
  /**
   * Capacity of the named groups. `settling`: groups where instances may still warm up (a recent
   * action), whose warm-up the adapter must tell apart even when every instance shows InService;
   * undefined: any group may be settling.
   */
  describe(
    groupNames: readonly string[],
    settling?: ReadonlySet<string>,
  ): Promise<Map<string, FleetCapacity>>;
  /** Sets desired capacity; with honorCooldown, AWS refuses while the group is in cooldown. */
  setDesiredCapacity(groupName: string, desired: number, honorCooldown: boolean): Promise<void>;
}

/** Per-service state the advisor keeps between runs. `version` makes writes conditional. */
export interface ServiceState {
  serviceId: string;
  version: number;
  lastActionAt?: number;
  /** Epoch-day (UTC) and count of actions taken that day, for the daily budget. */
  actionsDay?: number;
  actionsToday?: number;
  /** Recent desired-capacity recommendations for the scale-in stabilisation window. */
  recentRecommendations?: { at: number; desired: number }[];
  /** The last Recommendation or ApprovalRequested published, so an unchanged one is not repeated every run. */
  lastNotice?: { at: number; type: AdvisorEventType; desired: number };
  /** End of the last metric read, epoch ms: the next read starts there, so no datapoint is lost. */
  lastReadAt?: number;
  /** Read on the hot cadence with every KPI (near a limit, a change in flight, a bad read), and why. */
  hot?: boolean;
  hotBecause?: string;
  /**
   * How long its launches have taken to serve, learned from the group at each evaluation
   * (capacity/launchTiming.ts): carried in the item every evaluation writes anyway, so no write.
   */
  launches?: LaunchTiming;
}

export interface StateStore {
  getServiceState(serviceId: string): Promise<ServiceState | undefined>;
  /** Writes only if the stored version equals `expectedVersion` (0 = not yet stored); returns false on conflict. */
  putServiceState(state: ServiceState, expectedVersion: number): Promise<boolean>;
  recordDecision(record: DecisionRecord): Promise<void>;
  /** The global kill switch: when true, no action is taken anywhere. */
  isKillSwitchOn(): Promise<boolean>;
  /** The service's latest forecast, written hourly by the forecast function (optional: a store may keep none). */
  getForecast?(serviceId: string): Promise<ServiceForecast | undefined>;
  /** Replaces the service's forecast (last writer wins: one forecast run per hour). */
  putForecast?(forecast: ServiceForecast): Promise<void>;
}

export type AdvisorEventType =
  'Recommendation' | 'ActionApplied' | 'ApprovalRequested' | 'ActionFailed' | 'RemediationCompleted';

export interface AdvisorEvent {
  type: AdvisorEventType;
  serviceId: string;
  at: number;
  detail: Record<string, unknown>;
}

/** Publishes the advisor's events (EventBridge in AWS, an in-memory log in simulation). */
export interface EventPublisher {
  publish(events: readonly AdvisorEvent[]): Promise<void>;
}
