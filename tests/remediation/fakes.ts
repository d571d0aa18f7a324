/** In-memory ports for the remediation tests: what was asked of them is kept for the assertions. */
import type {
  DecisionRecord,
  FleetCapacity,
  FleetControl,
  KpiSample,
  KpiSeries,
  ManagedService,
  MetricsReader,
  ServiceState,
  StateStore,
} from '@headroom/core';

export class FakeFleet implements FleetControl {
  readonly scaled: { groupName: string; desired: number }[] = [];
  /** Tests change them mid-run: a person turning a service to `advise`, another writer scaling. */
  constructor(
    public services: ManagedService[],
    public capacity: FleetCapacity,
  ) {}
  async discover() {
    return this.services;
  }
  async describe(groupNames: readonly string[]) {
    return new Map(groupNames.filter((g) => g === this.capacity.groupName).map((g) => [g, this.capacity]));
  }
  async setDesiredCapacity(groupName: string, desired: number) {
    this.scaled.push({ groupName, desired });
    this.capacity = { ...this.capacity, desired };
  }
}

export class FakeMetrics implements MetricsReader {
  constructor(private readonly samples: KpiSample[]) {}
  async readKpis(services: readonly ManagedService[]) {
    return new Map<string, KpiSeries>(
      services.map((s) => [s.id, { serviceId: s.id, samples: this.samples }]),
    );
  }
}

export class FakeStore implements StateStore {
  readonly records: DecisionRecord[] = [];
  readonly states = new Map<string, ServiceState>();
  /** Tests turn it on mid-run, as a person would. */
  constructor(public killSwitch = false) {}
  async getServiceState(serviceId: string) {
    return this.states.get(serviceId);
  }
  async putServiceState(state: ServiceState, expectedVersion: number) {
    if ((this.states.get(state.serviceId)?.version ?? 0) !== expectedVersion) return false;
    this.states.set(state.serviceId, state);
    return true;
  }
  async recordDecision(record: DecisionRecord) {
    this.records.push(record);
  }
  async isKillSwitchOn() {
    return this.killSwitch;
  }
}
