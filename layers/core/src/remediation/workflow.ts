/**
 * The steps of the remediation workflow (statemachines/remediate.asl.json), one function each, so
 * the Lambda handlers and the simulation run the same code. The workflow's state is a plain JSON
 * value that grows as it goes: context → diagnosis → plan → approval → outcome.
 */
import type { DecisionRecord, Outcome, ScalingDecision } from '../model/decision.js';
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
  alarmName: string;
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
  context: RemediationContext;
  diagnosis?: Diagnosis;
  plan?: RemediationPlan;
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

export function diagnoseStep(state: RemediationState): RemediationState {
  return { ...state, diagnosis: diagnose(state.context.service, state.context.latest) };
}

export interface PlanOptions {
  now: number;
  /** Most actions per service per UTC day (default: the evaluate flow's default). */
  dailyActionBudget?: number;
}

export function guardrailsStep(state: RemediationState, options: PlanOptions): RemediationState {
  const { context } = state;
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

/** The decision record of a finished (or failed) workflow: what was planned and what became of it. */
export function remediationRecord(state: RemediationState): DecisionRecord {
  const { plan, outcome } = state;
  if (plan === undefined || outcome === undefined) {
    throw new Error('a remediation can be recorded only once it has a plan and an outcome');
  }
  const guardrails = [...plan.guardrails];
  if (outcome.name === 'rejected' || outcome.name === 'timed-out')
    guardrails.push(`approval/${outcome.name}`);
  if (outcome.name !== 'failed')
    return { decision: plan.decision, outcome: outcome.recordOutcome, guardrails };
  guardrails.push(`failed/${state.error?.Error ?? 'unknown'}`);
  // The reason AWS (or the step) gave goes into the record, where people look for what happened.
  const cause = causeOf(state.error?.Cause);
  const decision =
    cause === '' ? plan.decision : { ...plan.decision, reason: `${plan.decision.reason}; failed: ${cause}` };
  return { decision, outcome: outcome.recordOutcome, guardrails };
}

/** Lambda's error Cause is JSON with the message in `errorMessage`; other integrations give text. */
function causeOf(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed)
      return String((parsed as { errorMessage: unknown }).errorMessage);
  } catch {
    // Not JSON: the text is the cause.
  }
  return cause;
}

/**
 * Stores the record, then the service's last action (for cooldowns and the daily budget) when
 * something was applied or may have been (a failure after some actions went through).
 */
export async function recordStep(
  state: RemediationState,
  store: StateStore,
  now: number,
): Promise<DecisionRecord> {
  const record = remediationRecord(state);
  await store.recordDecision(record);
  // ClaimAction already counted a claimed plan's action; an unclaimed one that may have acted counts here.
  const acted =
    (state.outcome?.name === 'applied' || state.outcome?.name === 'failed') &&
    state.plan?.claimedAt === undefined;
  await markAlarmed(store, record.decision.serviceId, now, acted, state.context.alarm.name);
  return record;
}

/**
 * Every handled alarm makes the service hot for the evaluate flow, so its next hot read slot (at
 * most five minutes away) reads every KPI, even for a service whose calm cadence is 40 minutes;
 * an action also counts against the daily budget.
 */
async function markAlarmed(
  store: StateStore,
  serviceId: string,
  now: number,
  acted: boolean,
  alarmName: string,
): Promise<void> {
  const day = utcDay(now);
  // A conflict means another writer got there first; read again and retry a bounded number of times.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await store.getServiceState(serviceId);
    const version = current?.version ?? 0;
    const today = current?.actionsDay === day ? (current.actionsToday ?? 0) : 0;
    const next = {
      ...(current ?? { serviceId }),
      serviceId,
      version: version + 1,
      hot: true,
      hotBecause: `alarm ${alarmName}`,
      ...(acted ? { lastActionAt: now, actionsDay: day, actionsToday: today + 1 } : {}),
    };
    if (await store.putServiceState(next, version)) return;
  }
  throw new Error(`service state of ${serviceId} kept changing under three conditional writes`);
}
