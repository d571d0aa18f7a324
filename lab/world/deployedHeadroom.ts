/**
 * Headroom in a replay, exactly as deployed: each simulated minute the evaluate function's use case
 * (evaluateServices: read plan, KPI evaluation, forecast floor, decision, guardrails with cooldown,
 * daily budget and approvals) runs with the deployment's DEFAULTS, and each hour the forecast
 * function's (refreshForecasts), both over adapters that answer from what the simulated world has
 * delivered so far. Nothing here decides: it only wires the world in, as functions/evaluate and
 * functions/forecast wire AWS in.
 *
 * No person answers in a replay, so an approval request is taken as a person would answer it: not
 * approved until `approvalDelayMinutes` after it was first asked (default 15), then the capacity
 * last asked for is set, unless the advisor has applied a change of its own in the meantime.
 */
import { DEFAULTS } from '@headroom/core/config/defaults.js';
import { evaluateServices } from '@headroom/core/evaluate/evaluateServices.js';
import type { EvaluationOptions, EvaluationReport } from '@headroom/core/evaluate/evaluation.js';
import { forecastFloors } from '@headroom/core/evaluate/forecastFloors.js';
import { adaptiveReadSchedule, rateMinutes } from '@headroom/core/evaluate/metricReads.js';
import { type ForecastDeps, refreshForecasts } from '@headroom/core/forecast/refreshForecasts.js';
import type { FleetCapacity } from '@headroom/core/model/fleet.js';
import type { KpiSample } from '@headroom/core/model/kpi.js';
import type { AsyncScalingPolicy, PolicyObservation } from '@headroom/core/model/replay.js';
import type { ManagedService } from '@headroom/core/model/service.js';
import type { FleetControl, MetricsReader } from '@headroom/core/ports/index.js';
import { InMemoryEventPublisher, InMemoryStateStore } from './adapters.js';
import { RepeatedReads } from './repeatedReads.js';

export interface DeployedHeadroomOptions {
  name?: string;
  /** Minutes before a person answers an approval request (default DEFAULTS.replayApprovalDelayMinutes). */
  approvalDelayMinutes?: number;
  /**
   * When the forecast function last ran, if the state was seeded with its result (tests); by
   * default it runs at the first minute and then on its schedule.
   */
  forecastRanAt?: number;
  /** Overrides of the evaluate function's options, for measuring a default (never for the benchmark's default point). */
  evaluation?: Partial<EvaluationOptions>;
  /** The forecast function's refit, when replays of one trace share it (ForecastDeps.refit). */
  refit?: ForecastDeps['refit'];
}

export interface DeployedHeadroom extends AsyncScalingPolicy {
  /** The latest evaluation report, for tests and the timeline. */
  lastReport(): EvaluationReport | undefined;
  readonly state: InMemoryStateStore;
}

/** The evaluate function's options at the deployment's defaults (what readEvaluateConfig gives). */
export function deployedEvaluationOptions(service: ManagedService): EvaluationOptions {
  return {
    windowMinutes: DEFAULTS.windowMinutes,
    dailyActionBudget: DEFAULTS.dailyActionBudget,
    servicesFromConfig: [service],
    reads: adaptiveReadSchedule(rateMinutes(DEFAULTS.evaluateSchedule)),
  };
}

export function deployedHeadroom(
  service: ManagedService,
  options: DeployedHeadroomOptions = {},
): DeployedHeadroom {
  const approvalDelayMs = (options.approvalDelayMinutes ?? DEFAULTS.replayApprovalDelayMinutes) * 60_000;
  const forecastEveryMs = rateMinutes(DEFAULTS.forecastSchedule) * 60_000;
  const evaluation = { ...deployedEvaluationOptions(service), ...options.evaluation };
  let now = 0;
  let seen: PolicyObservation | undefined;
  let asked: number | undefined;
  const clock = { now: () => now };
  const state = new InMemoryStateStore({ keepDecisions: false });
  // GetMetricData's answers, as datapointsIn gives them, without re-reading 14 days every hour.
  const reads = new RepeatedReads();
  const metrics: MetricsReader = {
    readKpis: async (services, window, kpis) =>
      new Map(
        services.map((s) => [s.id, { serviceId: s.id, samples: reads.read(historyOf(seen), window, kpis) }]),
      ),
  };
  const fleet: FleetControl = {
    // Listed in the config parameter, as a team that has not tagged its group would.
    discover: async () => [],
    describe: async (names) => {
      const group = seen?.fleet;
      return new Map<string, FleetCapacity>(
        group && names.includes(service.autoScalingGroupName) ? [[service.autoScalingGroupName, group]] : [],
      );
    },
    setDesiredCapacity: async (_group, desired) => {
      asked = desired;
    },
  };
  const floors = forecastFloors(fleet, metrics, state, clock, [service]);
  const deps = {
    clock,
    metrics: floors.metrics,
    fleet: floors.fleet,
    state,
    forecasts: floors.forecasts,
    events: new InMemoryEventPublisher(),
  };
  let nextForecastAt =
    options.forecastRanAt === undefined
      ? Number.NEGATIVE_INFINITY
      : (Math.floor(options.forecastRanAt / forecastEveryMs) + 1) * forecastEveryMs;
  let approval: { askedAt: number; desired: number } | undefined;
  let report: EvaluationReport | undefined;

  return {
    name: options.name ?? 'headroom',
    state,
    lastReport: () => report,
    async decide(observation: PolicyObservation): Promise<number> {
      now = observation.at;
      seen = observation;
      asked = undefined;
      if (now >= nextForecastAt) {
        await refreshForecasts(
          { clock, metrics, fleet, state, ...(options.refit ? { refit: options.refit } : {}) },
          { servicesFromConfig: [service] },
        );
        nextForecastAt = (Math.floor(now / forecastEveryMs) + 1) * forecastEveryMs;
      }
      deps.events.events.length = 0;
      report = await evaluateServices(deps, evaluation);
      const record = report.services.find((s) => s.serviceId === service.id)?.record;
      if (record?.outcome === 'approval-required') {
        approval = { askedAt: approval?.askedAt ?? now, desired: record.decision.desiredCapacity };
      } else if (record?.outcome === 'applied') {
        // The advisor acted on its own since: the request in the channel is moot.
        approval = undefined;
      }
      if (asked !== undefined) return asked;
      if (approval && now - approval.askedAt >= approvalDelayMs) {
        const approved = approval.desired;
        approval = undefined;
        return approved;
      }
      return observation.fleet.desired;
    },
  };
}

function historyOf(observation: PolicyObservation | undefined): readonly KpiSample[] {
  return observation?.history ?? [];
}
