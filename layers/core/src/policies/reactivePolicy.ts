/**
 * Headroom's own policy for the simulation and the benchmark: the very decideScaling and
 * applyGuardrails the Lambda runs, once a simulated minute, with the service state kept in memory.
 */
import { decideScaling, effectiveLimits, type ForecastFloor } from '../evaluate/decideScaling.js';
import type { DecisionRecord } from '../model/decision.js';
import type { PolicyObservation, ScalingPolicy } from '../model/replay.js';
import type { ManagedService } from '../model/service.js';
import type { ServiceState } from '../ports/index.js';
import { DEFAULT_DAILY_ACTION_BUDGET, applyGuardrails, nextServiceState } from './guardrails.js';

export interface ReactivePolicyOptions {
  /** The hook for a predictive wrapper: a capacity floor for this minute, if any. */
  forecastFloor?: (observation: PolicyObservation) => ForecastFloor | undefined;
  dailyActionBudget?: number;
  /** Sees every decision record, e.g. to draw scaling events on the report's timeline. */
  onRecord?: (record: DecisionRecord) => void;
  name?: string;
}

/** KPI samples handed to decideScaling each minute: enough to read a short trend, no more. */
const RECENT_SAMPLES = 15;

export function reactiveHeadroomPolicy(
  service: ManagedService,
  options: ReactivePolicyOptions = {},
): ScalingPolicy {
  let state: ServiceState | undefined;
  return {
    name: options.name ?? 'headroom',
    decide(observation: PolicyObservation): number {
      const { fleet, at } = observation;
      const forecastFloor = options.forecastFloor?.(observation);
      const decision = decideScaling({
        service,
        fleet,
        latest: observation.latest,
        recent: observation.history.slice(-RECENT_SAMPLES),
        state,
        now: at,
        ...(forecastFloor ? { forecastFloor } : {}),
      });
      let record = applyGuardrails(decision, {
        // The benchmark measures what the advisor would do when allowed to act.
        mode: 'apply',
        killSwitch: false,
        now: at,
        state,
        cooldownSeconds: service.timing.cooldownSeconds,
        dailyActionBudget: options.dailyActionBudget ?? DEFAULT_DAILY_ACTION_BUDGET,
        limits: effectiveLimits(service, fleet),
      });
      if (record.outcome === 'approval-required') {
        // No person in a replay: the simulation stands in for an approver who says yes at once.
        record = {
          ...record,
          outcome: 'applied',
          guardrails: [...record.guardrails, 'approved-in-simulation'],
        };
      }
      state = nextServiceState(state, record, at, service.timing.scaleInStabilizationSeconds);
      options.onRecord?.(record);
      return record.outcome === 'applied' ? record.decision.desiredCapacity : fleet.desired;
    },
  };
}
