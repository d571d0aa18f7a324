/**
 * `headroom doctor` against a stack as AWS answers for it (aws-sdk-client-mock), its state table in
 * dynalite and its Slack webhook a real HTTP server on 127.0.0.1: every check passes, then each
 * fails the way it does in an account, naming what to fix, and the exit code says so.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoStateStore } from '@headroom/core';
import type { CliIo } from '@headroom/lab/cli/commands/command';
import { doctorCommand } from '@headroom/lab/cli/commands/doctor';
import { runCli as runHeadroom } from '@headroom/lab/cli/run';
import { STATE_TABLE, startDynalite, type LocalDynamo } from '../../support/dynalite.js';
import { startFakeSlack, type Answer, type FakeSlack } from '../../slack/fixtures.js';
import { group, metricAnswer, stackAnswer, T0 } from './stackFixtures.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:headroom/slack-webhook-AbCdEf';
let dynamo: LocalDynamo;
let slack: FakeSlack;
let slackAnswer: Answer;
const cfn = mockClient(CloudFormationClient);
const asg = mockClient(AutoScalingClient);
const cw = mockClient(CloudWatchClient);
const sm = mockClient(SecretsManagerClient);

beforeAll(async () => {
  dynamo = await startDynalite();
  // Slack answers a message without text with 400 no_text, and posts nothing.
  slack = await startFakeSlack(() => slackAnswer);
});
afterAll(async () => {
  await slack.close();
  await dynamo.close();
});
beforeEach(() => {
  slackAnswer = { status: 400, body: 'no_text' };
  slack.received.length = 0;
  cfn.reset();
  cfn
    .on(DescribeStacksCommand, { StackName: 'headroom' })
    .resolves(stackAnswer('headroom', { SlackWebhookSecretArn: SECRET_ARN }));
  cfn
    .on(DescribeStacksCommand, { StackName: 'quiet' })
    .resolves(stackAnswer('quiet', { SlackWebhookSecretArn: '' }));
  asg.reset();
  asg
    .on(DescribeAutoScalingGroupsCommand, { Filters: [{ Name: 'tag-key', Values: ['headroom:managed'] }] })
    .resolves({ AutoScalingGroups: [group('api-asg', 3, { 'headroom:managed': 'true' })] })
    .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['web-asg', 'api-asg'] })
    .resolves({ AutoScalingGroups: [group('web-asg', 5, {}), group('api-asg', 3, {})] })
    .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['web-asg'] })
    .resolves({ AutoScalingGroups: [group('web-asg', 5, {})] });
  cw.reset();
  cw.on(GetMetricDataCommand).callsFake(
    metricAnswer((label) => ({ 'web cpu': 55, 'web latencyP99': 0.3, 'api-asg cpu': 40 })[label]),
  );
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
    ARN: SECRET_ARN,
    Name: 'headroom/slack-webhook',
    SecretString: JSON.stringify({ url: slack.url, channel: '#ops' }),
    VersionId: 'v1',
  });
});
afterEach(async () => {
  await new DynamoStateStore(dynamo.client, { tableName: STATE_TABLE }).setKillSwitch(false, T0);
});

async function doctor(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    cwd: process.cwd(),
    now: () => T0,
  } as unknown as CliIo;
  const command = doctorCommand(() => ({
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    dynamo: dynamo.client,
    autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
  }));
  const code = await runHeadroom(['doctor', ...argv], io, [command]);
  return { code, out, err };
}

const lineOf = (out: string, check: string) =>
  out.split('\n').find((l) => new RegExp(`^(PASS|FAIL|SKIP)  ${check}\\b`).test(l));

describe('headroom doctor', () => {
  it('passes every check of a healthy stack, without posting to Slack or printing the webhook', async () => {
    const r = await doctor([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(lineOf(r.out, 'stack')).toBe(`PASS  stack        stack "headroom", state table ${STATE_TABLE}`);
    expect(lineOf(r.out, 'groups')).toBe('PASS  groups       2 managed: web (ServicesJson), api-asg (tags)');
    expect(lineOf(r.out, 'metrics')).toBe(
      'PASS  metrics      datapoints in the last 30 minutes: web: cpuPct 5, p99LatencyMs 5, requestsPerMinute 0; ' +
        'api-asg: cpuPct 5, p99LatencyMs 0, requestsPerMinute 0',
    );
    const host = new URL(slack.url).host;
    expect(lineOf(r.out, 'slack')).toBe(
      `PASS  slack        webhook at ${host} answered HTTP 400 no_text to an empty test message (nothing posted)`,
    );
    expect(lineOf(r.out, 'kill switch')).toBe('PASS  kill switch  off: actions allowed within guardrails');
    expect(r.out.endsWith('No check failed.\n')).toBe(true);
    expect(slack.received.map((x) => x.body)).toEqual(['{}']);
    expect(r.out).not.toContain(new URL(slack.url).pathname);
    // One GetMetricData call reads both services, over the last 30 minutes.
    const reads = cw.commandCalls(GetMetricDataCommand);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.args[0].input.StartTime!.getTime()).toBe(T0 - 30 * 60_000);
  });

  it('fails a revoked webhook and a group without CPU, says what to fix, and exits 1', async () => {
    slackAnswer = { status: 404, body: 'no_service' };
    cw.on(GetMetricDataCommand).callsFake(metricAnswer((label) => ({ 'web cpu': 55 })[label]));
    const r = await doctor([]);
    expect(r.code).toBe(1);
    expect(lineOf(r.out, 'slack')).toBe(
      `FAIL  slack        webhook at ${new URL(slack.url).host} answered HTTP 404 no_service`,
    );
    expect(r.out).toContain('fix: the webhook was revoked, or its channel archived or removed');
    expect(lineOf(r.out, 'metrics')).toMatch(/^FAIL {2}metrics .*; no CPUUtilization for api-asg$/);
    expect(r.out).toContain('fix: the group needs running instances; AWS/EC2 CPUUtilization');
    expect(r.out.endsWith('2 checks failed.\n')).toBe(true);
  });

  it('names a Slack it cannot reach, and a secret it cannot read', async () => {
    const gone = await startFakeSlack(() => ({ status: 200 }));
    const url = gone.url;
    await gone.close();
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: url });
    const unreachable = await doctor([]);
    expect(unreachable.code).toBe(1);
    expect(lineOf(unreachable.out, 'slack')).toBe(
      `FAIL  slack        cannot reach ${new URL(url).host}: ECONNREFUSED`,
    );

    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).rejects(
      Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
      }),
    );
    const unreadable = await doctor([]);
    expect(lineOf(unreadable.out, 'slack')).toBe(
      'FAIL  slack        cannot read the webhook secret: ResourceNotFoundException',
    );
    expect(unreadable.out).toContain(`fix: check that the secret ${SECRET_ARN} exists in this region`);

    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 'not a url' });
    const malformed = await doctor([]);
    expect(lineOf(malformed.out, 'slack')).toBe(
      'FAIL  slack        Slack webhook secret: "url" is missing or not an https URL',
    );
  });

  it('skips Slack when it is not configured, and says the kill switch is on', async () => {
    await new DynamoStateStore(dynamo.client, { tableName: STATE_TABLE }).setKillSwitch(true, T0);
    const r = await doctor(['--stack', 'quiet']);
    expect(r.code).toBe(0);
    expect(lineOf(r.out, 'slack')).toBe(
      'SKIP  slack        Slack is not configured (SlackWebhookSecretArn is empty)',
    );
    expect(lineOf(r.out, 'kill switch')).toBe('PASS  kill switch  ON: no action is taken (advice continues)');
    expect(r.out).toContain("fix: 'headroom kill-switch off' allows actions again");
    expect(slack.received).toEqual([]);
  });

  it('fails discovery refused by IAM, skipping the metrics it could not name', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: autoscaling:DescribeAutoScalingGroups'), {
        name: 'AccessDenied',
      }),
    );
    const r = await doctor([]);
    expect(r.code).toBe(1);
    expect(lineOf(r.out, 'groups')).toBe(
      'FAIL  groups       finding the managed groups failed: AccessDenied: User is not authorized to perform: autoscaling:DescribeAutoScalingGroups',
    );
    expect(lineOf(r.out, 'metrics')).toBe('SKIP  metrics      no managed service to read');
  });

  it('fails a stack that does not exist, and a state table it cannot read', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'nope' })
      .rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
    const missing = await doctor(['--stack', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.out.split('\n')[0]).toBe('FAIL  stack  stack "nope": Stack with id nope does not exist');

    const answer = stackAnswer('old', { SlackWebhookSecretArn: '' });
    answer.Stacks[0]!.Outputs[0]!.OutputValue = 'headroom-state-deleted';
    cfn.on(DescribeStacksCommand, { StackName: 'old' }).resolves(answer);
    const table = await doctor(['--stack', 'old']);
    expect(table.code).toBe(1);
    expect(lineOf(table.out, 'kill switch')).toMatch(
      /^FAIL {2}kill switch {2}cannot read the state table: ResourceNotFoundException: /,
    );
  });

  it('writes the checks as JSON to standard output with --json -, the lines people read to stderr', async () => {
    slackAnswer = { status: 410, body: 'channel_is_archived' };
    const r = await doctor(['--json', '-']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as {
      stack: string;
      ok: boolean;
      checks: { check: string; status: string }[];
    };
    expect(doc.stack).toBe('headroom');
    expect(doc.ok).toBe(false);
    expect(doc.checks.map((c) => [c.check, c.status])).toEqual([
      ['stack', 'pass'],
      ['groups', 'pass'],
      ['metrics', 'pass'],
      ['slack', 'fail'],
      ['kill switch', 'pass'],
    ]);
    expect(r.err).toContain('FAIL  slack');
  });
});
