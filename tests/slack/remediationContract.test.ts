/**
 * The contract with statemachines/remediate.asl.json: the events its states put on the advisor bus,
 * built from the definition itself, are read by the notifier and read correctly.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { advisorEventFromBus, noticeFor, readAdvisorEvent, slackMessageFor } from '@headroom/core';
import { REGION, T0, TOKEN, decision } from './fixtures.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface PutEventsState {
  Parameters: { Entries: { DetailType?: string; 'DetailType.$'?: string; Detail: Record<string, string> }[] };
}
interface PassState {
  Result: { name: string; recordOutcome: string; eventType: string };
}

const asl = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../statemachines/remediate.asl.json'), 'utf8'),
);
const state = (name: string) => asl.States[name] as unknown;

/** A workflow state in the middle of a run, shaped as remediation/workflow.ts builds it. */
const run: Json = {
  plan: {
    serviceId: 'web',
    at: T0,
    alarmName: 'headroom-web-p99',
    autoScalingGroupName: 'web-asg',
    tier: 'database',
    summary: 'add a read replica to db-main',
    decision: { ...decision },
    approval: { approvalId: 'apr-0123456789abcdef01234567', expiresAt: T0 + 3_600_000 },
    reason: 'database CPU 93 % and connections at 88 % of max',
    risk: 'high',
    confidence: 0.74,
    evidence: { dbCpuPct: 93, dbConnectionsPct: 88 },
    monthlyCostDeltaUsd: 182.5,
    guardrails: [],
  },
  error: { Error: 'States.TaskFailed', Cause: 'replica limit reached' },
};
const context: Json = { Task: { Token: TOKEN } };

function at(path: string, source: Json = run): Json {
  const [root, ...keys] = path.split('.');
  let value: Json = root === '$$' ? context : source;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    value = value[key] ?? null;
  }
  return value;
}

/** Evaluates a PutEvents entry's `.$` paths the way Step Functions does (missing paths aside). */
function entryOf(stateName: string, outcome?: PassState['Result'], source: Json = run) {
  const [entry] = (state(stateName) as PutEventsState).Parameters.Entries;
  if (!entry) throw new Error(`${stateName} puts no entry`);
  const detail = Object.fromEntries(
    Object.entries(entry.Detail).map(([key, value]) =>
      key.endsWith('.$') ? [key.slice(0, -2), at(value, source)] : [key, value],
    ),
  );
  const detailType = entry['DetailType.$'] ? outcome?.eventType : entry.DetailType;
  return advisorEventFromBus(detailType ?? '', {
    ...detail,
    ...(outcome ? { outcome: outcome.recordOutcome, remediation: outcome.name } : {}),
  });
}

const headerOf = (event: ReturnType<typeof advisorEventFromBus>) => {
  const [header] = slackMessageFor(noticeFor(readAdvisorEvent(event), REGION)).blocks;
  return header?.type === 'header' ? header.text.text : '';
};

describe('remediate.asl.json → notifier', () => {
  it('RequestApproval sends the approval id, the task token and the deadline the notifier stores', () => {
    const typed = readAdvisorEvent(entryOf('RequestApproval'));
    expect(typed.type).toBe('ApprovalRequested');
    if (typed.type !== 'ApprovalRequested') return;
    expect(typed.detail).toMatchObject({
      approvalId: 'apr-0123456789abcdef01234567',
      taskToken: TOKEN,
      expiresAt: T0 + 3_600_000,
      summary: 'add a read replica to db-main',
    });
    expect(headerOf(typed.event)).toBe(':raised_hand: Approval needed: add a read replica to db-main');
  });

  it.each([
    ['Applied', ':white_check_mark: Applied: Scale out web from 4 to 6 instances'],
    ['Advised', ':bulb: Recommendation: Scale out web from 4 to 6 instances'],
    ['Rejected', ':no_entry: Rejected: Scale out web from 4 to 6 instances'],
    ['TimedOut', ':hourglass: Approval timed out: Scale out web from 4 to 6 instances'],
  ])('Notify after %s reads as %p', (passState, header) => {
    const outcome = (state(passState) as PassState).Result;
    expect(headerOf(entryOf('Notify', outcome))).toBe(header);
  });

  it('Notify after Applied says a replica change was queued, not applied: the change worker reports the result', () => {
    const plan = (run as { plan: { [key: string]: Json } }).plan;
    const change = { kind: 'db-read-replicas', id: 'c0ffee0123456789', resourceId: 'db-main', delta: 1 };
    const queued: Json = { ...(run as { [key: string]: Json }), plan: { ...plan, changes: [change] } };
    const event = entryOf('Notify', (state('Applied') as PassState).Result, queued);
    expect(headerOf(event)).toBe(':hourglass_flowing_sand: Queued: add a read replica to db-main');
    const message = slackMessageFor(noticeFor(readAdvisorEvent(event), REGION));
    expect(message.text).toMatch(/^Queued: add a read replica to db-main\./);
    expect(message.text).toContain('nothing is changed yet');
    expect(message.text).not.toMatch(/Applied/);
  });

  it('NotifyFailure carries the error and its cause', () => {
    const event = entryOf('NotifyFailure');
    const message = slackMessageFor(noticeFor(readAdvisorEvent(event), REGION));
    expect(message.text).toContain('Error: States.TaskFailed: replica limit reached.');
  });
});
