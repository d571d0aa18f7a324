/**
 * Approvals in the soak: the evaluate flow's approval requests run through the real remediation
 * definition (aws-local-stepfunctions), with the workflow's steps on the soak's faulty ports. The
 * person in Slack is a seeded draw: approve, reject, or never answer (the wait times out). What
 * reaches the person is read as the notifier reads it, so a request it would dead-letter is lost.
 */
import { readAdvisorEvent } from '@headroom/core/slack/eventDetail.js';
import type { AdvisorEvent, EventPublisher, FleetControl, StateStore } from '@headroom/core/ports/index.js';
import type { ApprovalWorkflow, ApprovalWorkflowInput } from '@headroom/core/remediation/approvals.js';
import { claimStep, scaleStep } from '@headroom/core/remediation/atAction.js';
import { recordStep } from '@headroom/core/remediation/record.js';
import { runRemediationLocally } from '../remediation/localRun.js';
import type { EffectLedger } from './effects.js';

export interface SoakApprovalPorts {
  fleet: FleetControl;
  state: StateStore;
  events: EventPublisher;
  now: () => number;
  random: () => number;
  ledger: EffectLedger;
  /** Called before each step, as each runs in its own Lambda invocation. */
  newInvocation: () => void;
}

export class SoakApprovals implements ApprovalWorkflow {
  /** Executions started (named after the approval id: a second start of one is the same). */
  readonly started = new Set<string>();
  /** Approval ids whose request reached a person, readable as the notifier reads it. */
  readonly reachedPerson = new Set<string>();
  readonly answers: Record<string, number> = {};
  private readonly queue: ApprovalWorkflowInput[] = [];

  async request(input: ApprovalWorkflowInput): Promise<void> {
    const id = input.plan.approval.approvalId;
    if (this.started.has(id)) return;
    this.started.add(id);
    this.queue.push(input);
  }

  /** Runs every started execution to its end. */
  async runAll(ports: SoakApprovalPorts): Promise<void> {
    while (this.queue.length > 0) await this.runOne(this.queue.shift()!, ports);
  }

  private async runOne(input: ApprovalWorkflowInput, ports: SoakApprovalPorts): Promise<void> {
    const id = input.plan.approval.approvalId;
    ports.ledger.allow(`approval:${id}`, 1);
    const step = async <T>(work: () => Promise<T>): Promise<T> => {
      ports.newInvocation();
      ports.ledger.cause = `approval:${id}`;
      return work();
    };
    const publish = async (type: string, detail: Record<string, unknown>) => {
      const { serviceId, at, ...rest } = detail as { serviceId: string; at: number };
      await ports.events.publish([{ type: type as AdvisorEvent['type'], serviceId, at, detail: rest }]);
    };
    await runRemediationLocally(
      input,
      {
        loadContext: async () => Promise.reject(new Error('an evaluate-flow approval has no alarm')),
        diagnose: async (state) => state,
        guardrails: async (state) => state,
        claim: (state) => step(() => claimStep(state, ports, { now: ports.now() })),
        scale: (scale) =>
          step(() => scaleStep(scale, { fleet: ports.fleet, killSwitch: ports.state }, ports.now())),
        sendChange: async () => Promise.reject(new Error('an evaluate-flow plan sends no change')),
        requestApproval: async (detail) => {
          const { serviceId, at, ...rest } = detail as { serviceId: string; at: number };
          readAdvisorEvent({ type: 'ApprovalRequested', serviceId, at, detail: rest });
          this.reachedPerson.add(id);
          const draw = ports.random();
          const answer = draw < 0.6 ? 'approved' : draw < 0.8 ? 'rejected' : 'timed-out';
          this.answers[answer] = (this.answers[answer] ?? 0) + 1;
          if (answer === 'approved') return { approved: true, approvalId: id };
          throw Object.assign(new Error(answer), {
            name: answer === 'rejected' ? 'Headroom.Rejected' : 'States.Timeout',
          });
        },
        publish: (type, detail) => step(() => publish(type, detail)),
        record: (state) => step(() => recordStep(state, ports.state, ports.now())),
        keepInDeadLetter: async () => undefined,
      },
      { noRetryPause: true, executionId: id },
    );
  }
}
