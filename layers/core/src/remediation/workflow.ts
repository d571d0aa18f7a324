/**
 * The steps of the remediation workflow (statemachines/remediate.asl.json), one function each, so
 * the Lambda handlers and the simulation run the same code. The workflow's state is a plain JSON
 * value that grows as it goes: context → diagnosis → plan → approval → outcome.
 */
import type { Outcome, ScalingDecision } from '../model/decision.js';
import type { FleetCapacity } from '../model/fleet.js';
import type { KpiSample } from '../model/kpi.js';
import type { ManagedService } from '../model/service.js';
import type { FleetControl, MetricsReader, StateStore } from '../ports/index.js';
import { diagnose, type Diagnosis } from '../diagnosis/bottleneck.js';
import { idleTierOfAlarm, readAlarmEvent, serviceOfAlarm, type AlarmSummary } from './alarmEvent.js';
import { applyRemediationGuardrails, type RemediationGuardrailResult } from './guardrails.js';
import { proposeActions, type IdleTier, type ProposedActions } from './plan.js';
import { contentHash } from './changes.js';
import { DEFAULT_DAILY_ACTION_BUDGET, utcDay } from '../policies/guardrails.js';

export interface RemediationContext {
  alarm: AlarmSummary;
  service: ManagedService;
  fleet: FleetCapacity;
  latest: KpiSample;
  killSwitch: boolean;
  lastActionAt?: number;
  /** Actions taken today (UTC day of the alarm's handling), for the daily budget. */
  actionsToday: number;
}

/**
 * The approval wait of remediate.asl.json (TimeoutSeconds). Step Functions reads it as an integer in
 * the definition, so it lives there and here; a test keeps them equal. There is deliberately no
 * HeartbeatSeconds: it bounds the time *between* heartbeats, so the notifier's one heartbeat after
 * posting would cut the people's hour down to the heartbeat interval. A timeout counts as rejected.
 */
export const APPROVAL_TIMEOUT_SECONDS = 3600;

export interface ApprovalRequest {
  /** Short id the Slack buttons carry; the task token stays in AWS. */
  approvalId: string;
  /** Epoch ms after which the workflow stops waiting. */
  expiresAt: number;
}

export interface RemediationPlan extends ProposedActions, RemediationGuardrailResult {
  serviceId: string;
  at: number;
  /** The alarm handled; null for a decision of the evaluate flow awaiting approval. */
  alarmName: string | null;
  autoScalingGroupName: string;
  tier: Diagnosis['tier'];
  reason: string;
  confidence: number;
  /** The plan as a ScalingDecision, the shape records and notifications share. */
  decision: ScalingDecision;
  approval: ApprovalRequest;
  /** Epoch ms when ClaimAction took the service's next action for this plan (cooldown, budget). */
  claimedAt?: number;
}

/** What became of the plan; set by the workflow's Pass states. */
export interface RemediationOutcome {
  name: 'applied' | 'advised' | 'rejected' | 'timed-out' | 'failed';
  recordOutcome: Outcome;
}

export interface RemediationState {
  /** Absent for an evaluate-flow approval, which starts at RequestApproval with its plan. */
  context?: RemediationContext;
  diagnosis?: Diagnosis;
  plan?: RemediationPlan;
  /** The person's answer: RequestApproval's result, once approved. */
  approval?: unknown;
  outcome?: RemediationOutcome;
  /** Step Functions' error object when a step failed and was caught. */
  error?: { Error: string; Cause?: string };
}

export interface ContextOptions {
  alarmPrefix: string;
  now: number;
  /** Minutes of KPIs read to find the latest sample (default 5). */
  lookbackMinutes?: number;
}

const MINUTE_MS = 60_000;

export async function loadContext(
  event: unknown,
  ports: {
    fleet: Pick<FleetControl, 'discover' | 'describe'>;
    metrics: MetricsReader;
    state: StateStore;
  },
  options: ContextOptions,
): Promise<RemediationContext> {
  const alarm = readAlarmEvent(event);
  const service = serviceOfAlarm(alarm.name, options.alarmPrefix, await ports.fleet.discover());
  const end = Math.floor(options.now / MINUTE_MS) * MINUTE_MS;
  const window = { start: end - (options.lookbackMinutes ?? 5) * MINUTE_MS, end, periodSeconds: 60 };
  const [capacities, kpis, killSwitch, state] = await Promise.all([
    ports.fleet.describe([service.autoScalingGroupName]),
    ports.metrics.readKpis([service], window),
    ports.state.isKillSwitchOn(),
    ports.state.getServiceState(service.id),
  ]);
  const fleet = capacities.get(service.autoScalingGroupName);
  if (fleet === undefined)
    throw new Error(`Auto Scaling group "${service.autoScalingGroupName}" of ${service.id} was not found`);
  const samples = kpis.get(service.id)?.samples ?? [];
  // No sample means nothing is known; the diagnosis then finds no bottleneck and nothing is applied.
  const latest = samples[samples.length - 1] ?? { at: end };
  const actionsToday = state?.actionsDay === utcDay(options.now) ? (state.actionsToday ?? 0) : 0;
  const context: RemediationContext = { alarm, service, fleet, latest, killSwitch, actionsToday };
  if (state?.lastActionAt !== undefined) context.lastActionAt = state.lastActionAt;
  return context;
}

function contextOf(state: RemediationState): RemediationContext {
  if (state.context === undefined) throw new Error('this step needs the alarm context (LoadContext)');
  return state.context;
}

export function diagnoseStep(state: RemediationState): RemediationState {
  const context = contextOf(state);
  return { ...state, diagnosis: diagnose(context.service, context.latest) };
}

export interface PlanOptions {
  now: number;
  /** Most actions per service per UTC day (default: the evaluate flow's default). */
  dailyActionBudget?: number;
}

export function guardrailsStep(state: RemediationState, options: PlanOptions): RemediationState {
  const context = contextOf(state);
  const diagnosis = state.diagnosis ?? diagnose(context.service, context.latest);
  const { service, fleet, alarm } = context;
  const proposed = proposeActions({
    service,
    fleet,
    latest: context.latest,
    diagnosis,
    origin: alarm.eventId,
    now: options.now,
    ...idleOf(alarm.name),
  });
  const guardrailInput = {
    service,
    proposed,
    killSwitch: context.killSwitch,
    actionsToday: context.actionsToday,
    dailyActionBudget: options.dailyActionBudget ?? DEFAULT_DAILY_ACTION_BUDGET,
    now: options.now,
  };
  const lastActionAt = latestAction(context, proposed.scales.length > 0);
  const held = applyRemediationGuardrails(
    lastActionAt === undefined ? guardrailInput : { ...guardrailInput, lastActionAt },
  );
  const summary = proposed.summary === '' ? `no action (${held.guardrails.join(', ')})` : proposed.summary;
  const desired = proposed.scales[0]?.to ?? fleet.desired;
  const decision: ScalingDecision = {
    serviceId: service.id,
    at: options.now,
    currentCapacity: fleet.desired,
    desiredCapacity: desired,
    action: desired > fleet.desired ? 'scale-out' : 'hold',
    rule: `remediation/${diagnosis.tier}`,
    reason: `${diagnosis.reason}; ${summary}`,
    evidence: proposed.evidence,
    monthlyCostDeltaUsd: proposed.monthlyCostDeltaUsd,
    risk: proposed.risk,
    confidence: diagnosis.confidence,
  };
  const plan: RemediationPlan = {
    ...proposed,
    ...held,
    summary,
    serviceId: service.id,
    at: options.now,
    alarmName: alarm.name,
    autoScalingGroupName: service.autoScalingGroupName,
    tier: diagnosis.tier,
    reason: diagnosis.reason,
    confidence: diagnosis.confidence,
    decision,
    approval: {
      approvalId: `apr-${contentHash([alarm.eventId, service.id]).slice(0, 24)}`,
      expiresAt: options.now + APPROVAL_TIMEOUT_SECONDS * 1000,
    },
  };
  return { ...state, diagnosis, plan };
}

/**
 * The last action that starts a cooldown: Headroom's own, and for a fleet change also the group's
 * last scaling activity (the evaluate flow's, a person's), which Auto Scaling's cooldown counts.
 */
function latestAction(context: RemediationContext, scalesFleet: boolean): number | undefined {
  const times = [context.lastActionAt, scalesFleet ? context.fleet.lastActivityAt : undefined];
  const known = times.filter((t): t is number => t !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

function idleOf(alarmName: string): { idleTier?: IdleTier } {
  const idleTier = idleTierOfAlarm(alarmName);
  return idleTier === undefined ? {} : { idleTier };
}
