/**
 * The real remediate.asl.json for an approval asked for by the evaluate flow: it starts at
 * RequestApproval with its plan (WhereFrom), and once a person answers goes through ClaimAction
 * like any approved plan. The Record step settles the approval with what Step Functions was told.
 */
import { describe, expect, it } from '@jest/globals';
import { runRemediationLocally } from '@headroom/lab/remediation/localRun';
import { approvalRequestOf, type ApprovalWorkflowInput } from '@headroom/core/remediation/approvals';
import { aService, NOW } from '../remediation/fixtures.js';
import { awsError, readsAsTheNotifierReads, world } from './world.js';

const scaleIn = (): ApprovalWorkflowInput =>
  approvalRequestOf(
    {
      decision: {
        serviceId: 'orders',
        at: NOW,
        currentCapacity: 4,
        desiredCapacity: 2,
        action: 'scale-in',
        rule: 'target-tracking/scale-in',
        reason: 'CPU 20 % is far below the 70 % target.',
        evidence: { cpuPct: 20 },
        monthlyCostDeltaUsd: -146,
        risk: 'high',
        confidence: 0.9,
      },
      outcome: 'approval-required',
      guardrails: ['approval'],
    },
    aService(),
  );

const run = (w: ReturnType<typeof world>, input: unknown) =>
  runRemediationLocally(input, w.bindings, { noRetryPause: true });

describe('an approval asked for by the evaluate flow', () => {
  it('starts at RequestApproval, and once approved and claimed scales the group to the planned capacity', async () => {
    const w = world();
    const input = scaleIn();
    const result = await run(w, input);
    expect(result.status).toBe('succeeded');
    expect(result.path.slice(0, 3)).toEqual(['WhereFrom', 'RequestApproval', 'ClaimAction']);
    expect(result.path).not.toContain('LoadContext');
    expect(readsAsTheNotifierReads('ApprovalRequested', w.approvals[0] ?? {})).toBe('ApprovalRequested');
    expect(w.approvals[0]).toMatchObject({ approvalId: input.plan.approval.approvalId, alarmName: null });
    expect(w.fleet.scaled).toEqual([{ groupName: 'orders', desired: 2 }]);
    expect(w.published.map((p) => readsAsTheNotifierReads(p.type, p.detail))).toEqual(['ActionApplied']);
    expect(w.store.records.map((r) => [r.outcome, r.decision.desiredCapacity])).toEqual([['applied', 2]]);
    // It counts as an action (cooldown, budget), without making the service hot as an alarm does.
    expect(w.store.states.get('orders')).toMatchObject({ lastActionAt: NOW, actionsToday: 1 });
    expect(w.store.states.get('orders')?.hot).toBeUndefined();
    expect(w.settled).toEqual([[input.plan.approval.approvalId, 'approved']]);
  });

  it('an approval given after the kill switch went on applies nothing, and the approval says approved', async () => {
    const w = world({
      approval: async (store) => {
        store.killSwitch = true;
        return { approved: true };
      },
    });
    const input = scaleIn();
    const result = await run(w, input);
    expect(result.path).toEqual(expect.arrayContaining(['ClaimAction', 'ActIfClaimed', 'Advised']));
    expect(w.fleet.scaled).toEqual([]);
    expect(w.store.records.at(-1)?.guardrails).toContain('kill-switch');
    expect(w.settled).toEqual([[input.plan.approval.approvalId, 'approved']]);
  });

  it.each([
    ['Headroom.Rejected', 'Rejected', 'rejected', 'approval/rejected'],
    ['States.Timeout', 'TimedOut', 'expired', 'approval/timed-out'],
  ])(
    'records %s: nothing scaled, the decision blocked, the approval settled',
    async (error, state, status, guardrail) => {
      const w = world({ approval: async () => Promise.reject(awsError(error)) });
      const input = scaleIn();
      const result = await run(w, input);
      expect(result.path).toContain(state);
      expect(w.fleet.scaled).toEqual([]);
      expect(w.store.records.map((r) => [r.outcome, r.guardrails.at(-1)])).toEqual([['blocked', guardrail]]);
      expect(w.settled).toEqual([[input.plan.approval.approvalId, status]]);
    },
  );

  it('an alarm still starts at LoadContext', async () => {
    const w = world({ latest: { cpuPct: 91 } });
    const result = await runRemediationLocally(
      (await import('../remediation/fixtures.js')).alarmEvent(),
      w.bindings,
      { noRetryPause: true },
    );
    expect(result.path.slice(0, 2)).toEqual(['WhereFrom', 'LoadContext']);
    expect(w.settled).toEqual([]);
  });
});
