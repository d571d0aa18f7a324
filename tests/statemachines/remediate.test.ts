/**
 * The real remediate.asl.json, run by aws-local-stepfunctions on every path, with the real workflow
 * steps behind its Lambda tasks and in-memory ports behind them.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { isRecord, readTemplate } from '../../scripts/iamTemplate.js';
import {
  LOCAL_SUBSTITUTIONS,
  rawRemediationDefinition,
  substitute,
} from '@headroom/lab/remediation/localRun';
import { APPROVAL_TIMEOUT_SECONDS } from '@headroom/core/remediation/workflow';
import { aService, alarmEvent, NOW } from '../remediation/fixtures.js';
import { awsError, readsAsTheNotifierReads, run, world } from './world.js';

describe('remediate.asl.json', () => {
  it('every definition in statemachines/ passes asl-validator once substituted', () => {
    const files = readdirSync('statemachines').filter((f) => f.endsWith('.asl.json'));
    expect(files).toContain('remediate.asl.json');
    for (const file of files) {
      const text = readFileSync(`statemachines/${file}`, 'utf8');
      // Other definitions may use other names; any well-formed ARN stands in for them.
      const values = new Proxy(LOCAL_SUBSTITUTIONS, {
        get: (target, name: string) =>
          target[name] ?? `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
      });
      const { isValid, errorsText } = aslValidator(JSON.parse(substitute(text, values)));
      expect({ file, errors: isValid ? '' : errorsText('\n') }).toEqual({ file, errors: '' });
    }
  });

  it('uses exactly the substitutions template.yaml gives it, and the local runner gives the same names', () => {
    const placeholders = [
      ...new Set([...rawRemediationDefinition().matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1])),
    ].sort();
    const machine = readTemplate('template.yaml').Resources.RemediationStateMachine;
    const substitutions = machine?.Properties?.DefinitionSubstitutions;
    expect(machine?.Properties?.DefinitionUri).toBe('statemachines/remediate.asl.json');
    expect(Object.keys(isRecord(substitutions) ? substitutions : {}).sort()).toEqual(placeholders);
    expect(Object.keys(LOCAL_SUBSTITUTIONS).sort()).toEqual(placeholders);
  });

  it('waits for approval exactly as long as the workflow code says', () => {
    const approval = JSON.parse(rawRemediationDefinition()).States.RequestApproval;
    expect(approval.Resource).toBe('arn:aws:states:::events:putEvents.waitForTaskToken');
    expect(approval.TimeoutSeconds).toBe(APPROVAL_TIMEOUT_SECONDS);
    // A heartbeat limit would end the wait one interval after the notifier's single heartbeat.
    expect(approval.HeartbeatSeconds).toBeUndefined();
  });

  it('auto-applies a low-risk compute fix: scales, notifies ActionApplied, records applied', async () => {
    const w = world({ latest: { cpuPct: 91, p99LatencyMs: 700 } });
    const result = await run(w);
    expect(result.status).toBe('succeeded');
    expect(w.fleet.scaled).toEqual([{ groupName: 'orders', desired: 6 }]);
    expect(w.approvals).toEqual([]);
    expect(w.published.map((p) => readsAsTheNotifierReads(p.type, p.detail))).toEqual(['ActionApplied']);
    expect(w.store.records.map((r) => [r.outcome, r.decision.rule, r.decision.desiredCapacity])).toEqual([
      ['applied', 'remediation/compute', 6],
    ]);
    expect(w.store.states.get('orders')?.lastActionAt).toBe(NOW);
  });

  it('auto-applies a medium-risk cache change through the FIFO queue, grouped by resource, deduplicated by change id', async () => {
    const w = world({ latest: { cacheHitRatioPct: 70, dbConnectionsPct: 85 } });
    const result = await run(w);
    expect(result.status).toBe('succeeded');
    expect(w.sent).toHaveLength(1);
    const [message] = w.sent;
    expect(message?.QueueUrl).toBe(LOCAL_SUBSTITUTIONS.ChangeQueueUrl);
    expect(message?.MessageGroupId).toBe('orders-cache');
    expect(message?.MessageDeduplicationId).toBe(message?.MessageBody.id);
    expect(message?.MessageBody).toMatchObject({
      kind: 'cache-replicas',
      resourceId: 'orders-cache',
      delta: 1,
    });
    expect(w.fleet.scaled).toEqual([]);
  });

  it('asks for approval of a database replica, and applies it once approved', async () => {
    const w = world({ latest: { dbConnectionsPct: 97 } });
    const result = await run(w);
    expect(result.status).toBe('succeeded');
    expect(w.approvals).toHaveLength(1);
    expect(w.approvals[0]).toMatchObject({
      taskToken: 'local-task-token',
      serviceId: 'orders',
      risk: 'high',
    });
    expect(w.approvals[0]?.approvalId).toMatch(/^apr-[0-9a-f]{24}$/);
    expect(readsAsTheNotifierReads('ApprovalRequested', w.approvals[0] ?? {})).toBe('ApprovalRequested');
    expect(w.sent.map((m) => m.MessageBody.kind)).toEqual(['db-read-replicas']);
    expect(result.output?.outcome?.name).toBe('applied');
    expect(w.store.records[0]?.outcome).toBe('applied');
  });

  it('applies nothing when the approver rejects, and records the rejection', async () => {
    const w = world({
      latest: { dbConnectionsPct: 97 },
      approval: async () => Promise.reject(awsError('Headroom.Rejected')),
    });
    const result = await run(w);
    expect(result.status).toBe('succeeded');
    expect(w.sent).toEqual([]);
    expect(w.published.map((p) => [p.type, p.detail.remediation])).toEqual([['Recommendation', 'rejected']]);
    expect(w.store.records.map((r) => [r.outcome, r.guardrails])).toEqual([
      ['blocked', ['approval/rejected']],
    ]);
    // Nothing counts against the budget; the alarm only makes the evaluate flow read it soon, in full.
    expect(w.store.states.get('orders')).toEqual({
      serviceId: 'orders',
      version: 1,
      hot: true,
      hotBecause: 'alarm headroom-orders-db-connections',
    });
  });

  it('counts an approval timeout as a rejection', async () => {
    const w = world({
      latest: { dbConnectionsPct: 97 },
      approval: async () => Promise.reject(awsError('States.Timeout')),
    });
    const result = await run(w);
    expect(result.path).toContain('TimedOut');
    expect(w.sent).toEqual([]);
    expect(w.store.records.map((r) => [r.outcome, r.guardrails])).toEqual([
      ['blocked', ['approval/timed-out']],
    ]);
  });

  it('gives back an idle database replica once approved, through the same change queue', async () => {
    const w = world({ latest: { dbConnectionsPct: 15 } });
    const result = await run(w, alarmEvent('headroom-orders-db-idle', 'evt-idle'));
    expect(result.status).toBe('succeeded');
    expect(w.approvals).toHaveLength(1);
    expect(w.sent.map((m) => [m.MessageBody.kind, m.MessageBody.delta, m.MessageGroupId])).toEqual([
      ['db-read-replicas', -1, 'orders-db'],
    ]);
  });

  it('only advises in advise mode', async () => {
    const w = world({ service: aService({ 'headroom:mode': 'advise' }), latest: { cpuPct: 95 } });
    const result = await run(w);
    expect(result.path).toContain('Advised');
    expect(w.fleet.scaled).toEqual([]);
    expect(w.published.map((p) => [p.type, p.detail.outcome])).toEqual([['Recommendation', 'recommended']]);
    expect(w.store.records[0]?.guardrails).toEqual(['mode-advise']);
  });

  it('catches a failing action: notifies ActionFailed, records it, and fails the execution', async () => {
    const refused = awsError('ScalingRefusedError', 'Auto Scaling group "orders" refused desired capacity 6');
    const w = world({ latest: { cpuPct: 91 }, scaleFailures: [refused] });
    const result = await run(w);
    expect(result.status).toBe('failed');
    expect(result.path).toEqual(
      expect.arrayContaining(['Failed', 'NotifyFailure', 'Record', 'ActionFailed']),
    );
    expect(w.published.map((p) => [readsAsTheNotifierReads(p.type, p.detail), p.detail.error])).toEqual([
      ['ActionFailed', 'ScalingRefusedError'],
    ]);
    expect(w.store.records.map((r) => [r.outcome, r.guardrails])).toEqual([
      ['blocked', ['failed/ScalingRefusedError']],
    ]);
  });

  it('retries a throttled step with back-off, then carries on', async () => {
    const throttled = awsError('Lambda.TooManyRequestsException', 'Rate Exceeded.');
    const w = world({ latest: { cpuPct: 91 }, scaleFailures: [throttled, throttled] });
    const result = await run(w);
    expect(result.status).toBe('succeeded');
    expect(result.retries).toEqual(['SetDesiredCapacity', 'SetDesiredCapacity']);
    expect(w.fleet.scaled).toEqual([{ groupName: 'orders', desired: 6 }]);
    expect(w.store.records[0]?.outcome).toBe('applied');
  });

  it('retries a throttled SQS send, and a re-run of the same alarm sends the same change id', async () => {
    const w = world({
      latest: { cacheHitRatioPct: 70 },
      sendFailures: [awsError('SQS.ThrottlingException')],
    });
    const first = await run(w);
    expect(first.retries).toEqual(['SendChange']);
    // A second execution for the same alarm event (a redelivery) asks for the same change: SQS and
    // the worker see a duplicate. (In the same world the cooldown would stop it before that.)
    const again = world({ latest: { cacheHitRatioPct: 70 } });
    await run(again);
    expect(again.sent[0]?.MessageDeduplicationId).toBe(w.sent[0]?.MessageDeduplicationId);
    expect(w.sent[0]?.MessageDeduplicationId).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each([
    ['a malformed alarm event', { ...alarmEvent(), detail: { alarmName: '' } }, 'AlarmEventError'],
    [
      'an alarm into OK',
      { ...alarmEvent(), detail: { alarmName: 'headroom-orders-p99', state: { value: 'OK' } } },
      'AlarmEventError',
    ],
    ['an unknown alarm', alarmEvent('headroom-payments-p99'), 'UnknownAlarmError'],
  ])(
    'keeps %s in the dead-letter queue with the reason, and acts on nothing',
    async (_, event, errorName) => {
      const w = world({ latest: { cpuPct: 95 } });
      const result = await run(w, event);
      expect(result.status).toBe('failed');
      expect(result.path.slice(-2)).toEqual(['KeepRejectedAlarm', 'AlarmRejected']);
      expect(w.deadLetters).toHaveLength(1);
      expect(w.deadLetters[0]).toMatchObject({ kind: 'rejected-alarm', event, error: { Error: errorName } });
      expect(w.fleet.scaled).toEqual([]);
      expect(w.store.records).toEqual([]);
    },
  );

  it('keeps the whole state in the dead-letter queue when the record cannot be written', async () => {
    const w = world({ latest: { cpuPct: 91 }, recordFails: true });
    const result = await run(w);
    expect(result.status).toBe('failed');
    expect(result.path.slice(-2)).toEqual(['KeepUnrecorded', 'Unrecorded']);
    expect(w.fleet.scaled).toHaveLength(1);
    expect(w.deadLetters[0]).toMatchObject({
      kind: 'unrecorded-remediation',
      state: { outcome: { name: 'applied' } },
    });
  });
});
