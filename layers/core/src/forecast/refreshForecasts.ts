/**
 * The forecast use case, run hourly by the forecast function (or one shard of it): for every
 * managed service, read 14 days of load at 5 minutes and, every few hours per service, its last
 * days at one minute (forecast/historyReads.ts), refit the forecast, score the previous one, learn
 * the rise margin, the rate per instance and the capacity curve (capacity/learning.ts) from the
 * minutes, and store the 48-hour forecast with its accuracy and what was learned. The evaluate
 * function reads it back as a floor (forecastFloorFromStore).
 */
import {
  beliefRateFor,
  capacityFromCurve,
  EMPTY_CURVE,
  fleetBandStart,
  learnFrom,
  MIN_LEARNED_CONFIDENCE,
  type Reading,
} from '../capacity/learning.js';
import { type LeadTime, leadTimeOf } from '../capacity/launchTiming.js';
import { managedServices, type ResourceOwners } from '../config/managedServices.js';
import { riseQuantileFor } from '../policies/riskKnob.js';
import type { FleetCapacity } from '../model/fleet.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { Clock, FleetControl, MetricsReader, StateStore } from '../ports/index.js';
import type { ForecastFloor } from '../evaluate/decideScaling.js';
import {
  DEFAULT_EVALUATION_PERIOD_SECONDS,
  DEFAULT_FORECAST_MAX_MAPE_PCT,
  headroomFloor,
} from '../policies/headroomFloor.js';
import { loadFromCpu, serviceRateOf } from '../policies/headroomPolicyCapacity.js';
import {
  DEFAULT_MARGIN_OPTIONS,
  leadTimeMs,
  riseMarginFromMinutes,
} from '../policies/headroomPolicyMargin.js';
import { toRegularSeries } from './series.js';
import { minuteReadDue, readHistory } from './historyReads.js';
import {
  DEFAULT_REFIT_OPTIONS,
  refitForecastOnSeries,
  type RefitOptions,
  type ServiceForecast,
} from './serviceForecast.js';

export interface ForecastDeps {
  clock: Clock;
  metrics: MetricsReader;
  /** Read only: the forecast function's bundle, and so its IAM, keeps no scaling call. */
  fleet: Pick<FleetControl, 'discover' | 'describe'>;
  /**
   * getForecast and putForecast are needed (their absence is an error at run time); with
   * getServiceState the minute read plans with the launch time evaluate learned, else the configured one.
   */
  state: Partial<StateStore>;
  /** Confirms the tiers a group's tags name, as evaluate does (config/managedServices.ts). */
  owners?: ResourceOwners;
  /**
   * The refit itself, refitForecastOnSeries unless given: the Lambda never gives one; a replay that
   * runs several settings of one trace side by side gives a memo of it, since the refit reads only
   * the load history, which no setting changes.
   */
  refit?: typeof refitForecastOnSeries;
}

export interface ForecastRunOptions {
  /** Services from the config parameter; they take precedence over tags for the same id. */
  servicesFromConfig?: readonly ManagedService[];
  /** The services to forecast, already discovered (a shard's): nothing is discovered this run. */
  services?: readonly ManagedService[];
  refit?: RefitOptions;
}

export interface ServiceForecastOutcome {
  serviceId: string;
  status: 'forecast' | 'reactive' | 'failed';
  /** Why reactive (the fallback reason) or why failed. */
  message?: string;
  mase?: number;
  mape?: number;
  historyHours?: number;
}

export interface ForecastRunReport {
  at: number;
  services: ServiceForecastOutcome[];
  /** Failures that are not one service's: discovery, the metric read, the fleet read. */
  errors: { stage: string; message: string }[];
}

/** Samples of the last hour, used with the current in-service count to read the per-instance rate. */
const RATE_SAMPLES = 12;

export async function refreshForecasts(
  deps: ForecastDeps,
  options: ForecastRunOptions = {},
): Promise<ForecastRunReport> {
  const { getForecast, putForecast } = deps.state;
  if (!getForecast || !putForecast) {
    throw new Error('the state store cannot keep forecasts: it has no getForecast/putForecast');
  }
  const refit = options.refit ?? DEFAULT_REFIT_OPTIONS;
  const at = deps.clock.now();
  const report: ForecastRunReport = { at, services: [], errors: [] };
  const fail = (stage: string, error: unknown) => report.errors.push({ stage, message: messageOf(error) });

  // A shard (shards/fanOut.ts) is given its services; a whole-fleet run discovers them.
  const services = (
    options.services ??
    (await managedServices(deps.fleet, options.servicesFromConfig, fail, deps.owners)).services
  ).filter((s) => s.mode !== 'off');
  if (services.length === 0) return report;
  // The previous forecast is scored by the refit, and says whether a minute read is due.
  const previous = new Map<string, ServiceForecast | undefined>();
  const readable: ManagedService[] = [];
  for (const service of services) {
    try {
      previous.set(service.id, await getForecast.call(deps.state, service.id));
      readable.push(service);
    } catch (error) {
      report.services.push({ serviceId: service.id, status: 'failed', message: messageOf(error) });
    }
  }
  const minuteReads = new Set(
    readable.filter((s) => minuteReadDue(s.id, at, previous.get(s.id))).map((s) => s.id),
  );
  let history;
  try {
    history = await readHistory(deps.metrics, readable, at, refit.lookBackMs, minuteReads);
  } catch (error) {
    fail('read metrics', error);
    return report;
  }
  // The group (in service, warming, last activity) serves what a minute read learns: the rate and
  // the capacity curve. Described without a settling hint: the learning needs its last activity.
  const groups =
    minuteReads.size === 0
      ? new Map<string, FleetCapacity>()
      : await deps.fleet
          .describe(readable.filter((s) => minuteReads.has(s.id)).map((s) => s.autoScalingGroupName))
          .catch((error: unknown) => {
            fail('describe groups', error);
            return new Map<string, FleetCapacity>();
          });

  for (const service of readable) {
    try {
      const read = history.get(service.id);
      const before = previous.get(service.id);
      const loads = toRegularSeries(read?.fiveMinute ?? [], {
        end: at,
        spanMs: refit.lookBackMs,
        stepMs: refit.stepMs,
      });
      const next = (deps.refit ?? refitForecastOnSeries)(service.id, loads, at, before, refit);
      const minutes = read?.minutes;
      const group = groups.get(service.autoScalingGroupName);
      const rate = (minutes && rateOf(minutes, group?.inService)) ?? before?.ratePerInstance;
      const launch = minutes && (await launchLeadOf(deps.state, service));
      // Each minute is learned once (learnedUntil): a minute read learns the minutes since the last.
      const learned = minutes
        ? learnFrom(before?.learned ?? EMPTY_CURVE, steadyReadings(service, minutes, group, launch))
        : before?.learned;
      // The same function on the same series as the benchmarked policy (headroomPolicy).
      const lead = leadTimeMs(
        service,
        DEFAULT_EVALUATION_PERIOD_SECONDS,
        launch ? launch.seconds : undefined,
      );
      // The risk knob: what a slow minute costs against an instance-hour sets the quantile covered.
      const margin =
        (minutes &&
          riseMarginFromMinutes(minutes, at, lead, {
            ...DEFAULT_MARGIN_OPTIONS,
            quantile: riseQuantileFor(service),
          })) ??
        before?.riseMargin;
      await putForecast.call(deps.state, {
        ...next,
        ...(rate !== undefined ? { ratePerInstance: rate } : {}),
        ...(margin !== undefined ? { riseMargin: margin } : {}),
        ...(learned ? { learned } : {}),
      });
      report.services.push({
        serviceId: service.id,
        status: next.verdict.use === 'forecast' ? 'forecast' : 'reactive',
        ...(next.verdict.use === 'reactive'
          ? { message: `${next.verdict.fallback}: ${next.verdict.reason}` }
          : {}),
        ...(next.verdict.mase !== undefined ? { mase: next.verdict.mase } : {}),
        ...(next.verdict.mape !== undefined ? { mape: next.verdict.mape } : {}),
        ...(next.forecast ? { historyHours: next.forecast.historyHours } : {}),
      });
    } catch (error) {
      report.services.push({ serviceId: service.id, status: 'failed', message: messageOf(error) });
    }
  }
  return report;
}

/**
 * The floor the evaluate function passes to decideScaling (its `forecasts` hook): headroomFloor,
 * exactly as the benchmarked policy computes it, from the stored forecast, rate and rise margin
 * and the latest measured load (the last of `recent`, oldest first; when that read had CPU but no
 * request count, the load CPU shows on `inService` instances), over the `lead` evaluate planned
 * with (learned or configured boot + warm-up).
 */
export async function forecastFloorFromStore(
  state: Pick<StateStore, 'getForecast'>,
  service: ManagedService,
  now: number,
  recent: readonly KpiSample[] = [],
  inService?: number,
  lead?: LeadTime,
): Promise<ForecastFloor | undefined> {
  const stored = await state.getForecast?.(service.id);
  const rate = learnedRate(stored, service, inService);
  const latestLoad = latestLoadOf(recent.at(-1), inService, rate);
  const floorWith = (ratePerInstance: number | undefined) =>
    headroomFloor({
      service,
      now,
      latestLoad,
      ratePerInstance,
      riseMargin: stored?.riseMargin,
      forecast: stored,
      recent,
      forecastMaxMapePct: DEFAULT_FORECAST_MAX_MAPE_PCT,
      evaluationPeriodSeconds: DEFAULT_EVALUATION_PERIOD_SECONDS,
      ...(lead ? { lead } : {}),
    });
  // The capacity learned is per fleet-size band: a floor in another band than the fleet's is sized
  // again with that band's capacity, twice at most; between two bands, the larger floor.
  let floor = floorWith(rate);
  let anchor = inService;
  for (let pass = 0; pass < 2 && floor !== undefined && anchor !== undefined; pass++) {
    const size = Math.max(1, Math.ceil(floor.capacity));
    if (fleetBandStart(size) === fleetBandStart(anchor)) break;
    const again = floorWith(learnedRate(stored, service, size));
    anchor = size;
    floor = pass === 0 || again === undefined || again.capacity >= floor.capacity ? again : floor;
  }
  return floor;
}

/**
 * The rate the floor sizes with: the learned capacity (its latency curve's crossing of the SLO),
 * only while confident; until then the rate read from CPU and request counts, which assumes a
 * full CPU is the instance's capacity (without either, decideScaling decides without a floor).
 */
function learnedRate(
  stored: ServiceForecast | undefined,
  service: ManagedService,
  inService: number | undefined,
): number | undefined {
  const learned = stored?.learned && capacityFromCurve(stored.learned, service.slo.p99LatencyMs, inService);
  if (learned === undefined || learned.confidence < MIN_LEARNED_CONFIDENCE) return stored?.ratePerInstance;
  return beliefRateFor(learned.perInstance, inService ?? 1, service.slo.p99LatencyMs);
}

/** The measured request count, or between full reads the load CPU says the fleet is serving. */
function latestLoadOf(
  latest: KpiSample | undefined,
  inService: number | undefined,
  rate: number | undefined,
): number | undefined {
  if (latest?.requestsPerMinute !== undefined) return latest.requestsPerMinute;
  if (latest?.cpuPct === undefined || inService === undefined || rate === undefined) return undefined;
  return loadFromCpu(latest.cpuPct, inService, rate);
}

/**
 * The launch time evaluate learned (stored in the service's state), when the store can read it;
 * undefined when it cannot, and the configured one is planned with.
 */
async function launchLeadOf(
  state: Partial<StateStore>,
  service: ManagedService,
): Promise<LeadTime | undefined> {
  if (!state.getServiceState) return undefined;
  return leadTimeOf((await state.getServiceState(service.id))?.launches, service);
}

/**
 * The minutes whose serving fleet is known: the instances in service now, if none was warming and
 * the group's last scaling activity had settled (boot + warm-up) before the minute began.
 */
function steadyReadings(
  service: ManagedService,
  minutes: readonly KpiSample[],
  group: FleetCapacity | undefined,
  launch: LeadTime | undefined,
): Reading[] {
  if (group === undefined || group.warmingUp > 0 || group.inService <= 0) return [];
  const settledAt =
    (group.lastActivityAt ?? Number.NEGATIVE_INFINITY) +
    (launch ?? leadTimeOf(undefined, service)).seconds * 1000;
  const out: Reading[] = [];
  for (const s of minutes) {
    const p99 = s.p99LatencyMs;
    if (s.at - 60_000 < settledAt || s.requestsPerMinute === undefined || p99 === undefined) continue;
    out.push({
      at: s.at,
      requestsPerMinute: s.requestsPerMinute,
      p99LatencyMs: p99,
      inService: group.inService,
    });
  }
  return out;
}

function rateOf(samples: readonly KpiSample[], inService: number | undefined): number | undefined {
  if (inService === undefined) return undefined;
  return serviceRateOf(samples.slice(-RATE_SAMPLES).map((s) => ({ ...s, inService })));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
