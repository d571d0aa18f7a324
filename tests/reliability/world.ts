/**
 * A small simulated account for the reliability tests: real sim adapters, the real use case, and
 * a FaultPlan in between. `actions` counts the capacity changes that reached the fleet.
 */
import {
  DEFAULT_SLO,
  DEFAULT_TIMING,
  evaluateServices,
  type EvaluationDeps,
  type EvaluationOptions,
  type EvaluationReport,
  type FleetControl,
  type ManagedService,
} from '@headroom/core';
import { SimulatedAccount, SimulatedService } from '@headroom/lab/world/account.js';
import {
  InMemoryEventPublisher,
  InMemoryStateStore,
  SimFleetControl,
  SimMetricsReader,
  VirtualClock,
} from '@headroom/lab/world/adapters.js';
import { FaultPlan, type FaultPlanOptions } from '@headroom/lab/world/faults.js';

export const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
export const MINUTE = 60_000;
/** Requests per second one simulated instance serves. */
export const MU = 10;
/** Requests per minute that keep `instances` at `cpuPct`. */
export const loadAt = (instances: number, cpuPct: number) => (instances * MU * 60 * cpuPct) / 100;

export function service(id: string, overrides: Partial<ManagedService> = {}): ManagedService {
  return {
    id,
    autoScalingGroupName: `${id}-asg`,
    mode: 'apply',
    slo: { ...DEFAULT_SLO },
    capacity: { min: 2, max: 20, maxStepPct: 100, maxStepInstances: 4 },
    timing: { ...DEFAULT_TIMING },
    pricePerInstanceHourUsd: 0.1,
    slowMinuteCostUsd: 5,
    tiers: {},
    ...overrides,
  };
}

export interface Action {
  at: number;
  groupName: string;
  desired: number;
}

/** Counts the changes that got through to the fleet (after any injected fault). */
export function countingFleet(
  inner: FleetControl,
  clock: { now(): number },
  actions: Action[],
): FleetControl {
  return {
    discover: () => inner.discover(),
    describe: (names) => inner.describe(names),
    setDesiredCapacity: async (groupName, desired, honorCooldown) => {
      await inner.setDesiredCapacity(groupName, desired, honorCooldown);
      actions.push({ at: clock.now(), groupName, desired });
    },
  };
}

export class SimWorld {
  readonly clock = new VirtualClock(T0);
  readonly account: SimulatedAccount;
  readonly store = new InMemoryStateStore();
  readonly published = new InMemoryEventPublisher();
  readonly actions: Action[] = [];

  constructor(setups: readonly { service: ManagedService; initialCapacity: number }[], keepMinutes = 120) {
    const services = setups.map(
      (s) =>
        new SimulatedService({
          service: s.service,
          muPerInstance: MU,
          startAt: T0,
          initialCapacity: s.initialCapacity,
          keepMinutes,
        }),
    );
    this.account = new SimulatedAccount(services, this.clock);
  }

  /** Runs the account for `minutes` with each service's load from `loadFor`. */
  run(minutes: number, loadFor: (serviceId: string, at: number) => number): void {
    for (let i = 0; i < minutes; i++) this.account.advanceMinute(loadFor);
  }

  deps(plan?: FaultPlan): EvaluationDeps {
    const metrics = new SimMetricsReader(this.account);
    const fleet = countingFleet(new SimFleetControl(this.account), this.clock, this.actions);
    return {
      clock: this.clock,
      metrics: plan ? plan.metrics(metrics) : metrics,
      fleet: plan ? plan.fleet(fleet) : fleet,
      state: plan ? plan.state(this.store) : this.store,
      events: plan ? plan.events(this.published) : this.published,
    };
  }

  plan(options: Omit<FaultPlanOptions, 'seed'> & { seed?: number }): FaultPlan {
    return new FaultPlan({ seed: 7, ...options }, this.clock);
  }

  evaluate(plan?: FaultPlan, options: Partial<EvaluationOptions> = {}): Promise<EvaluationReport> {
    return evaluateServices(this.deps(plan), { windowMinutes: 10, dailyActionBudget: 96, ...options });
  }

  desired(serviceId: string): number {
    return this.account.services.get(serviceId)!.fleet.size;
  }
}
