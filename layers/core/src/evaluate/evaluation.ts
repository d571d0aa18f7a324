/**
 * What the evaluation use case takes and returns, apart from its steps (evaluateServices.ts,
 * dueReads.ts), so both can name them without importing each other.
 */
import type { LeadTime } from '../capacity/launchTiming.js';
import { DEFAULTS } from '../config/defaults.js';
import type { ResourceOwners } from '../config/managedServices.js';
import type { DecisionRecord } from '../model/decision.js';
import type { ManagedService } from '../model/service.js';
import type { Clock, EventPublisher, FleetControl, MetricsReader, StateStore } from '../ports/index.js';
import type { ApprovalWorkflow } from '../remediation/approvals.js';
import type { ForecastFloor } from './decideScaling.js';
import type { ReadSchedule } from './metricReads.js';

export interface EvaluationDeps {
  metrics: MetricsReader;
  fleet: FleetControl;
  state: StateStore;
  events: EventPublisher;
  clock: Clock;
  /** The floor, planned over `lead` (the learned or configured boot + warm-up). */
  forecasts?: (serviceId: string, lead?: LeadTime) => Promise<ForecastFloor | undefined>;
  /** Confirms the database, cache and distribution a group's tags name (config/managedServices.ts). */
  owners?: ResourceOwners;
  /**
   * Where a decision that needs a person waits for one (the remediation workflow in AWS). Without
   * it, such a decision is published as a Recommendation: advice, since nobody can approve it.
   */
  approvals?: ApprovalWorkflow;
}

export interface EvaluationOptions {
  windowMinutes: number;
  dailyActionBudget: number;
  /** Services from the config parameter; they take precedence over tags for the same id. */
  servicesFromConfig?: readonly ManagedService[];
  /** The services to evaluate, already discovered (a shard's): nothing is discovered this run. */
  services?: readonly ManagedService[];
  /** Datapoint period, seconds (default 60). Data older than three periods is not acted on. */
  periodSeconds?: number;
  approvalScaleInPct?: number;
  /** An unchanged recommendation or approval request is published again after this long (default 60). */
  repeatNoticeAfterMinutes?: number;
  /**
   * Read only the services due under this schedule (the read plan the bill assumes); without it
   * every service's every KPI is read on every run.
   */
  reads?: ReadSchedule;
  /** Read every KPI of every service this run whatever `reads` says (an alarm, a person asking). */
  readEverything?: boolean;
}

export const DEFAULT_REPEAT_NOTICE_MINUTES: number = DEFAULTS.repeatNoticeAfterMinutes;

export type ServiceStatus = 'evaluated' | 'conflict' | 'failed' | 'skipped';

export interface ServiceEvaluation {
  serviceId: string;
  status: ServiceStatus;
  record?: DecisionRecord;
  /** Why a service was skipped, failed or lost the state lock. */
  message?: string;
  /** The same recommendation or approval request was published recently, so no event this time. */
  repeatedNotice?: boolean;
  /** The approval workflow was started: it publishes the ApprovalRequested event, with its task token. */
  approvalRequested?: boolean;
}

export interface EvaluationReport {
  at: number;
  killSwitch: boolean;
  services: ServiceEvaluation[];
  /** Failures that are not one service's: discovery, the KPI read, the kill-switch read, publishing. */
  errors: { stage: string; message: string }[];
  /** Things worth knowing that are not errors: overridden tags, incomplete metric reads. */
  notes: string[];
}
