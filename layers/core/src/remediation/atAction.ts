/**
 * The checks made at the moment of acting, not when the plan was made: an approval may come an
 * hour later, a person may have turned the kill switch on or the service to `advise` meanwhile,
 * and another execution for the same incident may have acted first. `claimStep` re-checks the
 * kill switch, the mode, the cooldown and the daily budget and, if they allow, takes the action's
 * place in the service state with one conditional write (the same `version` lock the evaluate flow
 * uses) before anything is sent; `scaleStep` looks at the switch and the mode again right before
 * SetDesiredCapacity.
 */
import type { FleetControl, StateStore } from '../ports/index.js';
import { ScalingRefusedError } from '../aws/errors.js';
import { DEFAULT_DAILY_ACTION_BUDGET, utcDay } from '../policies/guardrails.js';
import { applyRemediationGuardrails } from './guardrails.js';
import type { FleetScale } from './plan.js';
import type { RemediationState } from './workflow.js';

/** The kill switch or the mode stopped an action at the last moment; nothing was sent. */
export class ActionStoppedError extends Error {
  override readonly name = 'ActionStopped';
  constructor(
    readonly guardrail: string,
    what: string,
  ) {
    super(`${what} stopped by ${guardrail}: nothing was sent`);
  }
}

export interface ClaimOptions {
  now: number;
  dailyActionBudget?: number;
}

/** Conflicting writers (alarms of one incident, the evaluate flow) are few; five reads are plenty. */
const CLAIM_ATTEMPTS = 5;

/**
 * Claims the service's next action for this plan, or turns the plan into advice naming the
 * guardrails that hold it now. Of concurrent executions for one service exactly one claims; the
 * others find its claim as their cooldown.
 */
export async function claimStep(
  state: RemediationState,
  ports: { fleet: Pick<FleetControl, 'discover'>; state: StateStore },
  options: ClaimOptions,
): Promise<RemediationState> {
  const { plan } = state;
  if (plan === undefined) throw new Error('an action can be claimed only once there is a plan');
  const [killSwitch, services] = await Promise.all([ports.state.isKillSwitchOn(), ports.fleet.discover()]);
  // A service no longer managed is held as if it were `off`.
  const found = services.find((s) => s.id === plan.serviceId);
  const known = found ?? state.context?.service;
  if (known === undefined)
    return { ...state, plan: { ...plan, verdict: 'advise', guardrails: ['mode-off'] } };
  const service = found ?? { ...known, mode: 'off' as const };
  const day = utcDay(options.now);
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    const current = await ports.state.getServiceState(plan.serviceId);
    const actionsToday = current?.actionsDay === day ? (current.actionsToday ?? 0) : 0;
    const verdict = applyRemediationGuardrails({
      service,
      proposed: plan,
      killSwitch,
      actionsToday,
      dailyActionBudget: options.dailyActionBudget ?? DEFAULT_DAILY_ACTION_BUDGET,
      now: options.now,
      ...(current?.lastActionAt === undefined ? {} : { lastActionAt: current.lastActionAt }),
    });
    if (verdict.verdict === 'advise')
      return { ...state, plan: { ...plan, verdict: 'advise', guardrails: verdict.guardrails } };
    const version = current?.version ?? 0;
    const claimed = {
      ...(current ?? { serviceId: plan.serviceId }),
      serviceId: plan.serviceId,
      version: version + 1,
      lastActionAt: options.now,
      actionsDay: day,
      actionsToday: actionsToday + 1,
    };
    if (await ports.state.putServiceState(claimed, version))
      return { ...state, plan: { ...plan, claimedAt: options.now } };
  }
  throw new Error(
    `service state of ${plan.serviceId} kept changing under ${CLAIM_ATTEMPTS} conditional writes`,
  );
}

/**
 * Scales the fleet as planned; the group's own [min, max] was respected when the plan was made.
 * The kill switch and the service's mode are read again first. Only from the capacity the plan
 * started from, and honouring the group's cooldown as the evaluate flow does: if that flow (or a
 * person) changed the group meanwhile, acting would double or undo the change, so our refusal or
 * Auto Scaling's fails the step and the workflow records it. The target is absolute: a retry
 * after a lost answer finds the group at `to`, not at `from`, and is refused rather than repeated.
 */
export async function scaleStep(
  scale: FleetScale,
  ports: { fleet: FleetControl; killSwitch: Pick<StateStore, 'isKillSwitchOn'> },
  now: number,
): Promise<FleetScale & { appliedAt: number }> {
  const { fleet } = ports;
  const [killSwitch, services] = await Promise.all([ports.killSwitch.isKillSwitchOn(), fleet.discover()]);
  const what = `scaling ${scale.groupName} to ${scale.to}`;
  if (killSwitch) throw new ActionStoppedError('kill-switch', what);
  const mode = services.find((s) => s.autoScalingGroupName === scale.groupName)?.mode ?? 'off';
  if (mode !== 'apply') throw new ActionStoppedError(`mode-${mode}`, what);
  const desired = async () => (await fleet.describe([scale.groupName])).get(scale.groupName)?.desired;
  const current = await desired();
  if (current === undefined)
    throw new ScalingRefusedError(
      scale.groupName,
      scale.to,
      'invalid-request',
      `AutoScalingGroup name not found - ${scale.groupName}`,
    );
  // A retried step whose first write took effect (its answer lost) finds the target already set.
  if (current === scale.to) return { ...scale, appliedAt: now };
  if (current !== scale.from)
    throw new ScalingRefusedError(
      scale.groupName,
      scale.to,
      'resource-contention',
      `desired capacity is ${current}, not the ${scale.from} the plan was made from`,
    );
  try {
    await fleet.setDesiredCapacity(scale.groupName, scale.to, true);
  } catch (error) {
    // The write may have taken effect before its answer was lost (and the SDK's own retry was then
    // refused by the cooldown it started): what the group says now decides.
    if ((await desired().catch(() => undefined)) !== scale.to) throw error;
  }
  return { ...scale, appliedAt: now };
}
