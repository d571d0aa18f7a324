/**
 * The operator's commands against a deployed stack: names from CloudFormation outputs (mocked as
 * DescribeStacks answers), state in dynalite through the advisor's own DynamoDB adapter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoStateStore, type DecisionRecord } from '@headroom/core';
import type { CliIo, Command } from '@headroom/lab/cli/commands/command';
import type { OperateClients } from '@headroom/lab/operate/stack';
import { decisionsCommand, explainCommand, killSwitchCommand } from '@headroom/lab/cli/commands/operate';
import { statusCommand } from '@headroom/lab/cli/commands/status';
import { runCli as runHeadroom } from '@headroom/lab/cli/run';
import { STATE_TABLE, startDynalite, type LocalDynamo } from '../../support/dynalite.js';
import { group, metricAnswer, stackAnswer, T0 } from './stackFixtures.js';

let dynamo: LocalDynamo;
const cfn = mockClient(CloudFormationClient);
const asg = mockClient(AutoScalingClient);
const cw = mockClient(CloudWatchClient);

beforeAll(async () => {
  dynamo = await startDynalite();
  const store = new DynamoStateStore(dynamo.client, { tableName: STATE_TABLE });
  for (const [at, desired] of [
    [T0, 5],
    [T0 + 300_000, 7],
    [T0 + 900_000, 4],
  ] as const) {
    await store.recordDecision(record(at, desired));
  }
  // The hourly refit's latest word on web: too little history to forecast, a rate and a rise margin learned.
  await store.putForecast({
    serviceId: 'web',
    at: T0,
    accuracy: { evaluations: [] },
    verdict: {
      use: 'reactive',
      fallback: 'history-short',
      reason: 'only 20.0 h of history; forecasting needs 24 h',
    },
    ratePerInstance: 10,
    riseMargin: 600,
  });
});
afterAll(async () => dynamo.close());
beforeEach(() => {
  cfn.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'headroom-prod' }).resolves(stackAnswer('headroom-prod'));
  asg.reset();
  asg
    .on(DescribeAutoScalingGroupsCommand, { Filters: [{ Name: 'tag-key', Values: ['headroom:managed'] }] })
    .resolves({
      AutoScalingGroups: [group('api-asg', 3, { 'headroom:managed': 'true', 'headroom:max': '9' })],
    })
    // Describe by name answers the names asked (discovery's own read may already cover some).
    .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['web-asg', 'api-asg'] })
    .resolves({
      AutoScalingGroups: [group('web-asg', 5, {}), group('api-asg', 3, { 'headroom:managed': 'true' })],
    })
    .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['web-asg'] })
    .resolves({ AutoScalingGroups: [group('web-asg', 5, {})] });
  cw.reset();
  // web's p99 is 0.42 s (TargetResponseTime is in seconds) at 64 % CPU; api-asg has no load balancer.
  cw.on(GetMetricDataCommand).callsFake(
    metricAnswer(
      (label) => ({ 'web latencyP99': 0.42, 'web cpu': 64, 'web requests': 3000, 'api-asg cpu': 81 })[label],
    ),
  );
  cfn
    .on(DescribeStacksCommand, { StackName: 'nope' })
    .rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
});

function record(at: number, desired: number): DecisionRecord {
  return {
    decision: {
      serviceId: 'web',
      at,
      currentCapacity: 4,
      desiredCapacity: desired,
      action: desired > 4 ? 'scale-out' : 'hold',
      rule: desired > 4 ? 'target-tracking/scale-out' : 'hold/within-band',
      reason: desired > 4 ? 'CPU 84% is above the 70% target.' : 'Every KPI is within its band.',
      evidence: { cpuPct: 84, p99LatencyMs: 612 },
      monthlyCostDeltaUsd: 30.37 * (desired - 4),
      risk: 'low',
      confidence: 0.8,
    },
    outcome: desired > 4 ? 'recommended' : 'unchanged',
    guardrails: desired === 7 ? ['max-step'] : [],
  };
}

type Make = (clients: () => OperateClients) => Command;

async function run(make: Make, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    cwd: process.cwd(),
    now: () => T0 + 3_600_000,
  } as unknown as CliIo;
  const clients = () => ({
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    dynamo: dynamo.client,
    autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
  });
  const command = make(clients);
  const code = await runHeadroom([command.name, ...argv], io, [command]);
  return { code, out, err };
}

describe('headroom kill-switch', () => {
  it('turns actions off and on through the item the advisor reads', async () => {
    expect((await run(killSwitchCommand, ['status', '--stack', 'headroom-prod'])).out).toBe(
      'Kill switch: off (actions allowed within guardrails)\n',
    );
    expect((await run(killSwitchCommand, ['on', '--stack', 'headroom-prod'])).out).toContain(
      'Kill switch: ON',
    );
    const store = new DynamoStateStore(dynamo.client, { tableName: STATE_TABLE });
    expect(await store.isKillSwitchOn()).toBe(true);
    await run(killSwitchCommand, ['off', '--stack', 'headroom-prod']);
    expect(await store.isKillSwitchOn()).toBe(false);
  });

  it('names a stack that does not exist, and a wrong word', async () => {
    const missing = await run(killSwitchCommand, ['status', '--stack', 'nope']);
    expect(missing).toEqual({
      code: 1,
      out: '',
      err: 'headroom: stack "nope": Stack with id nope does not exist\n',
    });
    const wrong = await run(killSwitchCommand, ['maybe']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('kill-switch needs one of on, off, status');
  });
});

describe('headroom status', () => {
  it('one line per service, listed and tagged, like kubectl get hpa, then the kill switch', async () => {
    const r = await run(statusCommand, ['--stack', 'headroom-prod']);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(
      /^SERVICE\s+MODE\s+DESIRED\s+IN SERVICE\s+MIN–MAX\s+P99\/SLO\s+CPU\/TARGET\s+FORECAST\s+FLOOR\s+LAST DECISION$/,
    );
    // p99 420 ms of a 500 ms SLO, CPU 64 % of a 70 % target; the floor from the stored rate and margin.
    expect(lines[1]).toMatch(
      /^web\s+apply\s+5\s+4 \(\+1 warming\)\s+2–12\s+420\/500 ms\s+64\/70 %\s+reactive: history-short\s+8\s+2026-12-01 10:15 4→4 unchanged$/,
    );
    // No load balancer: no p99 to show; no forecast stored: no floor.
    expect(lines[2]).toMatch(
      /^api-asg\s+advise\s+3\s+2 \(\+1 warming\)\s+1–9\s+-\/500 ms\s+81\/70 %\s+none yet\s+-\s+none yet$/,
    );
    // One GetMetricData call for both services, over the last 15 minutes.
    const reads = cw.commandCalls(GetMetricDataCommand);
    expect(reads).toHaveLength(1);
    const input = reads[0]!.args[0].input;
    expect(input.EndTime!.getTime() - input.StartTime!.getTime()).toBe(15 * 60_000);
    expect(lines[3]).toMatch(
      /^Kill switch: (off|ON)\. Times are UTC; KPIs are the latest minute of the last 15\.$/,
    );
    expect(r.out).not.toContain('\u001b[');
  });
});

describe('headroom decisions and explain', () => {
  it('lists a service decisions newest first, and --since keeps the later ones', async () => {
    const all = await run(decisionsCommand, ['web', '--stack', 'headroom-prod']);
    expect(all.code).toBe(0);
    expect(all.out.split('\n').filter(Boolean)).toEqual([
      'web@2026-12-01T10:15:00Z  4 → 4  unchanged          hold/within-band  Every KPI is within its band.',
      'web@2026-12-01T10:05:00Z  4 → 7  recommended        target-tracking/scale-out  CPU 84% is above the 70% target.',
      'web@2026-12-01T10:00:00Z  4 → 5  recommended        target-tracking/scale-out  CPU 84% is above the 70% target.',
    ]);
    const later = await run(decisionsCommand, [
      'web',
      '--since',
      '2026-12-01T10:05:00Z',
      '--stack',
      'headroom-prod',
    ]);
    expect(later.out.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('explains one decision: measured, rule, cost, risk, guardrails', async () => {
    const r = await run(explainCommand, ['web@2026-12-01T10:05:00Z', '--stack', 'headroom-prod']);
    expect(r.out).toBe(
      [
        'Decision web@2026-12-01T10:05:00Z: scale-out 4 → 7 (recommended)',
        'Rule: target-tracking/scale-out',
        'Why: CPU 84% is above the 70% target.',
        'Measured and forecast: cpuPct 84, p99LatencyMs 612',
        'Cost: +91.11 USD a month if held',
        'Risk: low; confidence 80 %',
        'Guardrails: max-step',
        '',
      ].join('\n'),
    );
    const unknown = await run(explainCommand, ['web@2026-12-02T00:00:00Z', '--stack', 'headroom-prod']);
    expect(unknown.code).toBe(1);
  });
});
