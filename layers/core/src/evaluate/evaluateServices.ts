/**
 * The evaluation use case, run by the `evaluate` Lambda and by the simulation alike: discover,
 * read the KPIs of the services due (metricReads.ts), decide, pass the guardrails, take the state
 * lock, act or recommend, record and publish. One service failing never stops the others.
 */
import {
  launchAsked,
  launchInFlight,
  leadTimeOf,
  type LeadTime,
  NO_LAUNCHES,
  observeFleet,
} from '../capacity/launchTiming.js';
import { managedServices, unboundNote } from '../config/managedServices.js';
import type { DecisionRecord, ScalingDecision } from '../model/decision.js';
import type { FleetCapacity } from '../model/fleet.js';
import type { KpiName, KpiSeries } from '../model/kpi.js';
import type { AdvisorEvent, AdvisorEventType, ServiceState } from '../ports/index.js';
import { applyGuardrails, nextServiceState } from '../policies/guardrails.js';
import { observedPeriodSeconds } from '../kpi/samplePeriod.js';
import { approvalRequestOf } from '../remediation/approvals.js';
import { decideScaling, effectiveLimits } from './decideScaling.js';
import { readDueKpis, servicesDue } from './dueReads.js';
import {
  DEFAULT_REPEAT_NOTICE_MINUTES,
  type EvaluationDeps,
  type EvaluationOptions,
  type EvaluationReport,
  type ServiceEvaluation,
} from './evaluation.js';

export * from './evaluation.js';
import {
  CONFIRM_SCALE_IN_RULE,
  DEFAULT_HOT_CPU_MARGIN_PCT,
  hotAfterEvaluation,
  type DueRead,
} from './metricReads.js';

const EVENT_OF: Partial<Record<DecisionRecord['outcome'], AdvisorEventType>> = {
  applied: 'ActionApplied',
  recommended: 'Recommendation',
  'approval-required': 'ApprovalRequested',
};

export async function evaluateServices(
  deps: EvaluationDeps,
  options: EvaluationOptions,
): Promise<EvaluationReport> {
  const at = deps.clock.now();
  const report: EvaluationReport = { at, killSwitch: true, services: [], errors: [], notes: [] };
  const fail = (stage: string, error: unknown) => report.errors.push({ stage, message: messageOf(error) });

  // A shard (shards/fanOut.ts) is given its services; a whole-fleet run discovers them.
  const services = options.services
    ? [...options.services]
    : await discovered(deps, options.servicesFromConfig, report, fail);
  const active = services.filter((s) => s.mode !== 'off');
  for (const s of services.filter((s) => s.mode === 'off')) {
    report.services.push({ serviceId: s.id, status: 'skipped', message: 'mode is off' });
  }
  if (active.length === 0) return report;

  try {
    report.killSwitch = await deps.state.isKillSwitchOn();
  } catch (error) {
    // Fail safe: if we cannot tell whether the switch is on, we assume it is.
    fail('kill-switch', error);
  }
  const periodSeconds = options.periodSeconds ?? 60;
  const schedule = options.readEverything === true ? undefined : options.reads;
  const plan = schedule
    ? await servicesDue(active, schedule, deps, at, report)
    : { due: active.map((service) => ({ service, why: 'every run' })), states: undefined };
  // Only the groups of the services due are described: a calm fleet is described once a calm cadence.
  let groups: Map<string, FleetCapacity>;
  try {
    groups = plan.due.length === 0 ? new Map() : await describeDue(plan.due, plan.states, deps, at);
  } catch (error) {
    fail('describe', error);
    for (const { service } of plan.due)
      report.services.push({
        serviceId: service.id,
        status: 'failed',
        message: 'groups could not be described',
      });
    return report;
  }
  const series = await readDueKpis(plan.due, schedule, deps, options, at, periodSeconds, fail);

  const run: Run = { deps, options, report, at, periodSeconds, groups };
  for (const read of plan.due) {
    const { service } = read;
    let evaluation: ServiceEvaluation;
    try {
      const state = plan.states ? plan.states.get(service.id) : await deps.state.getServiceState(service.id);
      evaluation = await evaluateOne(read, series.get(service.id), state, run);
    } catch (error) {
      evaluation = { serviceId: service.id, status: 'failed', message: messageOf(error) };
    }
    report.services.push(evaluation);
    // Each service's events go out before the next service is evaluated: a run that times out
    // later (Lambda does not retry it) has still told the bus of every action it took.
    const events = evaluation.record ? eventsOf(evaluation) : [];
    if (events.length > 0) {
      try {
        await deps.events.publish(events);
      } catch (error) {
        fail('publish', error);
      }
    }
  }
  return report;
}

async function discovered(
  deps: EvaluationDeps,
  configured: EvaluationOptions['servicesFromConfig'],
  report: EvaluationReport,
  fail: (stage: string, error: unknown) => void,
) {
  const { services, overridden, unbound } = await managedServices(deps.fleet, configured, fail, deps.owners);
  for (const id of overridden) report.notes.push(`${id}: the config parameter overrides its tags`);
  for (const u of unbound) report.notes.push(unboundNote(u));
  return services;
}

/**
 * The due services' groups. Warm-up needs a group's scaling activities only while something may
 * still warm up: after this advisor's own action (from the state read for the read plan); the
 * adapter asks for them on its own when a group shows instances not yet in service.
 */
function describeDue(
  due: readonly DueRead[],
  states: ReadonlyMap<string, ServiceState | undefined> | undefined,
  deps: EvaluationDeps,
  at: number,
): Promise<Map<string, FleetCapacity>> {
  const names = [...new Set(due.map((d) => d.service.autoScalingGroupName))];
  const settling = new Set<string>();
  for (const { service } of due) {
    const state = states?.get(service.id);
    const lastActionAt = state?.lastActionAt;
    // A launch in flight: its activities time it to the second when it serves (capacity/launchTiming.ts).
    if (
      states === undefined ||
      launchInFlight(state?.launches) ||
      (lastActionAt !== undefined && at - lastActionAt < leadTimeOf(state?.launches, service).seconds * 1000)
    )
      settling.add(service.autoScalingGroupName);
  }
  return deps.fleet.describe(names, settling);
}

/** What one run shares between its services. */
interface Run {
  deps: EvaluationDeps;
  options: EvaluationOptions;
  report: EvaluationReport;
  at: number;
  periodSeconds: number;
  groups: ReadonlyMap<string, FleetCapacity>;
}

async function evaluateOne(
  { service, kpis }: DueRead,
  series: KpiSeries | undefined,
  state: ServiceState | undefined,
  { deps, options, report, at, periodSeconds, groups }: Run,
): Promise<ServiceEvaluation> {
  const fleet = groups.get(service.autoScalingGroupName);
  if (fleet === undefined) {
    return {
      serviceId: service.id,
      status: 'failed',
      message: `Auto Scaling group ${service.autoScalingGroupName} not found`,
    };
  }
  if (series?.incomplete?.length)
    report.notes.push(`${service.id}: incomplete read of ${series.incomplete.join(', ')}`);
  const samples = [...(series?.samples ?? [])].sort((a, b) => a.at - b.at);
  // Fresh for three of the periods the metric really has (5 min under EC2 basic monitoring).
  const samplePeriod = observedPeriodSeconds(samples, periodSeconds);
  if (samplePeriod === undefined && samples.length === 1 && at - samples[0]!.at > 3 * periodSeconds * 1000)
    report.notes.push(
      `${service.id}: one datapoint in the read window, too few to tell how often the metric is published; ` +
        'not acting on it as stale (EC2 basic monitoring publishes CPU every 5 minutes: ' +
        'turn on detailed monitoring, or widen the read window, for a fresher reading)',
    );
  // The group as seen now times the launches in flight; the lead planned with is what they taught.
  const seen = observeFleet(state?.launches ?? NO_LAUNCHES, {
    at,
    desired: fleet.desired,
    inService: fleet.inService,
    ...(fleet.launches ? { launches: fleet.launches } : {}),
  });
  const lead = leadTimeOf(seen, service);
  const forecastFloor = await floorFor(service.id, lead, deps, report);
  const decided = noScaleInOnIncompleteRead(
    decideScaling({
      service,
      fleet,
      latest: samples.at(-1),
      recent: samples,
      state,
      now: at,
      staleAfterSeconds: 3 * (samplePeriod ?? periodSeconds),
      ...(forecastFloor ? { forecastFloor } : {}),
    }),
    series?.incomplete,
  );
  const decision = kpis && service.mode === 'apply' ? confirmScaleInWithFullRead(decided, kpis) : decided;
  let record = applyGuardrails(decision, {
    mode: service.mode,
    killSwitch: report.killSwitch,
    now: at,
    state,
    cooldownSeconds: service.timing.cooldownSeconds,
    dailyActionBudget: options.dailyActionBudget,
    limits: effectiveLimits(service, fleet),
    ...(options.approvalScaleInPct === undefined ? {} : { approvalScaleInPct: options.approvalScaleInPct }),
  });
  const notice = noticeOf(
    state,
    record,
    at,
    options.repeatNoticeAfterMinutes ?? DEFAULT_REPEAT_NOTICE_MINUTES,
  );
  const hot = hotAfterEvaluation({
    service,
    record,
    incompleteRead: (series?.incomplete?.length ?? 0) > 0,
    hotCpuMarginPct: options.reads?.hotCpuMarginPct ?? DEFAULT_HOT_CPU_MARGIN_PCT,
  });
  const next: ServiceState = {
    ...nextServiceState(state, record, at, service.timing.scaleInStabilizationSeconds),
    ...(notice.lastNotice ? { lastNotice: notice.lastNotice } : {}),
    lastReadAt: at,
    // An action applied now starts a wait whose start is known to the second.
    launches:
      record.outcome === 'applied'
        ? launchAsked(seen, at, record.decision.desiredCapacity, fleet.inService)
        : seen,
    hot: hot !== undefined,
    ...(hot === undefined ? {} : { hotBecause: hot }),
  };
  // The conditional write is the lock: if another evaluation wrote first, it decides, we do not act.
  if (!(await deps.state.putServiceState(next, state?.version ?? 0))) {
    return {
      serviceId: service.id,
      status: 'conflict',
      message: 'another evaluation updated this service first; not acting',
    };
  }
  let message: string | undefined;
  if (record.outcome === 'applied') {
    try {
      await deps.fleet.setDesiredCapacity(
        service.autoScalingGroupName,
        record.decision.desiredCapacity,
        true,
      );
    } catch (error) {
      message = messageOf(error);
      record = { ...record, outcome: 'blocked', guardrails: [...record.guardrails, 'action-failed'] };
    }
  }
  let approvalRequested = false;
  if (record.outcome === 'approval-required' && deps.approvals && !notice.repeated) {
    try {
      await deps.approvals.request(approvalRequestOf(record, service));
      approvalRequested = true;
    } catch (error) {
      // Nobody could be asked: said loudly (ActionFailed reaches Slack), recorded as not done.
      message = `approval could not be requested: ${messageOf(error)}`;
      record = { ...record, outcome: 'blocked', guardrails: [...record.guardrails, 'action-failed'] };
    }
  }
  try {
    await deps.state.recordDecision(record);
  } catch (error) {
    // The action (or advice) stands: it stays in the report and goes on the bus, so it is not lost.
    report.errors.push({ stage: `record ${service.id}`, message: messageOf(error) });
  }
  return {
    serviceId: service.id,
    status: 'evaluated',
    record,
    ...(message ? { message } : {}),
    ...(notice.repeated ? { repeatedNotice: true } : {}),
    ...(approvalRequested ? { approvalRequested } : {}),
  };
}

/**
 * An advise-mode recommendation or a pending approval stays the same run after run; people hear
 * of it once, then again only after `repeatMinutes` or when the advised capacity changes.
 */
function noticeOf(
  state: ServiceState | undefined,
  record: DecisionRecord,
  at: number,
  repeatMinutes: number,
): { lastNotice?: ServiceState['lastNotice']; repeated: boolean } {
  const type = EVENT_OF[record.outcome];
  if (type !== 'Recommendation' && type !== 'ApprovalRequested') return { repeated: false };
  const desired = record.decision.desiredCapacity;
  const last = state?.lastNotice;
  if (last && last.type === type && last.desired === desired && at - last.at < repeatMinutes * 60_000) {
    return { lastNotice: last, repeated: true };
  }
  return { lastNotice: { at, type, desired }, repeated: false };
}

/** As the HPA does with missing metrics: an incomplete read may add capacity, never remove it. */
function noScaleInOnIncompleteRead(
  decision: ScalingDecision,
  incomplete: readonly KpiName[] | undefined,
): ScalingDecision {
  if (decision.action !== 'scale-in' || !incomplete?.length) return decision;
  return {
    ...decision,
    desiredCapacity: decision.currentCapacity,
    action: 'hold',
    rule: 'data/incomplete',
    reason: `${decision.reason} The read of ${incomplete.join(', ')} came back incomplete: not scaling in.`,
    monthlyCostDeltaUsd: 0,
    risk: 'low',
  };
}

/**
 * A calm read leaves the error rate to the SLO alarm; removing capacity rests on a full read, so an
 * apply-mode scale-in waits for the next (hot) run, at most one hot cadence away.
 */
function confirmScaleInWithFullRead(decision: ScalingDecision, kpis: readonly KpiName[]): ScalingDecision {
  if (decision.action !== 'scale-in') return decision;
  return {
    ...decision,
    desiredCapacity: decision.currentCapacity,
    action: 'hold',
    rule: CONFIRM_SCALE_IN_RULE,
    reason: `${decision.reason} This read covered only ${kpis.join(', ')}: the scale-in to ${decision.desiredCapacity} waits for a full read.`,
    monthlyCostDeltaUsd: 0,
    risk: 'low',
  };
}

async function floorFor(serviceId: string, lead: LeadTime, deps: EvaluationDeps, report: EvaluationReport) {
  if (!deps.forecasts) return undefined;
  try {
    return await deps.forecasts(serviceId, lead);
  } catch (error) {
    // Without a forecast the service is still evaluated reactively.
    report.errors.push({ stage: `forecast ${serviceId}`, message: messageOf(error) });
    return undefined;
  }
}

function eventsOf(evaluation: ServiceEvaluation): AdvisorEvent[] {
  const record = evaluation.record!;
  if (evaluation.repeatedNotice) return [];
  if (evaluation.approvalRequested) return [];
  const failed = record.guardrails.includes('action-failed');
  // Without an approval workflow nobody can approve: the decision goes out as advice.
  const type = failed
    ? 'ActionFailed'
    : record.outcome === 'approval-required'
      ? 'Recommendation'
      : EVENT_OF[record.outcome];
  if (type === undefined) return [];
  const detail: Record<string, unknown> = {
    decision: record.decision,
    outcome: record.outcome,
    guardrails: record.guardrails,
  };
  if (failed) detail['error'] = evaluation.message;
  return [{ type, serviceId: evaluation.serviceId, at: record.decision.at, detail }];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
