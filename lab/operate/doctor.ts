/**
 * `headroom doctor`'s checks of a deployed stack, each through the adapter the Lambdas use: the
 * stack's outputs, finding the managed groups, reading their metrics (one GetMetricData call),
 * reaching Slack (the webhook secret, then one POST of `{}`, which Slack refuses without posting)
 * and reading the kill switch. Each check says what to fix; none stops the ones after it.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AutoScalingFleetReader } from '@headroom/core/aws/autoScalingFleetReader.js';
import { CloudWatchMetricsReader } from '@headroom/core/aws/cloudWatchMetrics.js';
import { postOnce } from '@headroom/core/aws/slackWebhook.js';
import type { KpiName } from '@headroom/core/model/kpi.js';
import { parseWebhookSecret } from '@headroom/core/slack/webhookTarget.js';
import {
  describeStack,
  stackServices,
  stateStoreOf,
  type FoundService,
  type OperateClients,
  type StackDescription,
} from './stack.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about a failure (or a skipped check). */
  fix?: string;
}

/** How far back the metrics check reads: long enough for 5-minute basic monitoring to show. */
export const METRICS_WINDOW_MS = 30 * 60_000;
const SLACK_TIMEOUT_MS = 5_000;
const KPIS: readonly KpiName[] = ['cpuPct', 'p99LatencyMs', 'requestsPerMinute'];

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const nameOf = (e: unknown) => (e instanceof Error ? e.name : 'Error');

export async function runDoctor(
  clients: OperateClients,
  stackName: string,
  now: number,
): Promise<CheckResult[]> {
  let stack: StackDescription;
  try {
    stack = await describeStack(clients.cloudFormation, stackName);
  } catch (e) {
    return [
      {
        check: 'stack',
        status: 'fail',
        detail: messageOf(e),
        fix: `deploy Headroom as "${stackName}" or name yours with --stack; check the AWS region (AWS_REGION) and credentials`,
      },
    ];
  }
  const results: CheckResult[] = [stackCheck(stackName, stack)];
  const found = await groupsCheck(clients, stack, now);
  results.push(found.result);
  results.push(await metricsCheck(clients, found.services, now));
  results.push(await slackCheck(clients, stack));
  results.push(await killSwitchCheck(clients, stackName, stack));
  return results;
}

function stackCheck(stackName: string, stack: StackDescription): CheckResult {
  const table = stack.outputs['StateTableName'];
  return table === undefined
    ? {
        check: 'stack',
        status: 'fail',
        detail: `stack "${stackName}" has no StateTableName output`,
        fix: 'name the Headroom stack with --stack (this one is not a Headroom stack)',
      }
    : { check: 'stack', status: 'pass', detail: `stack "${stackName}", state table ${table}` };
}

async function groupsCheck(
  clients: OperateClients,
  stack: StackDescription,
  now: number,
): Promise<{ result: CheckResult; services: FoundService[] }> {
  const reader = new AutoScalingFleetReader(clients.autoScaling, { clock: { now: () => now } });
  let services: FoundService[];
  try {
    services = await stackServices(reader, stack.parameters);
  } catch (e) {
    return {
      services: [],
      result: {
        check: 'groups',
        status: 'fail',
        detail: `finding the managed groups failed: ${nameOf(e)}: ${messageOf(e)}`,
        fix: 'allow autoscaling:DescribeAutoScalingGroups, and check ServicesJson with headroom validate',
      },
    };
  }
  if (services.length === 0) {
    return {
      services,
      result: {
        check: 'groups',
        status: 'fail',
        detail: 'no managed service: no ServicesJson entry and no group tagged headroom:managed=true',
        fix: 'tag a group headroom:managed=true or list it in the ServicesJson parameter (docs/configuration.md)',
      },
    };
  }
  const names = services.map((f) => f.service.autoScalingGroupName);
  const described = await reader.describe(names);
  const missing = names.filter((n) => !described.has(n));
  const list = services.map((f) => `${f.service.id} (${f.from})`).join(', ');
  return {
    services,
    result:
      missing.length > 0
        ? {
            check: 'groups',
            status: 'fail',
            detail: `${list}; no such Auto Scaling group: ${missing.join(', ')}`,
            fix: 'correct autoScalingGroup in ServicesJson, or deploy the stack in the groups’ region',
          }
        : { check: 'groups', status: 'pass', detail: `${services.length} managed: ${list}` },
  };
}

async function metricsCheck(
  clients: OperateClients,
  services: readonly FoundService[],
  now: number,
): Promise<CheckResult> {
  if (services.length === 0)
    return { check: 'metrics', status: 'skip', detail: 'no managed service to read', fix: 'see groups' };
  const all = services.map((f) => f.service);
  let read;
  try {
    read = await new CloudWatchMetricsReader(clients.cloudWatch).readKpis(
      all,
      { start: now - METRICS_WINDOW_MS, end: now, periodSeconds: 60 },
      KPIS,
    );
  } catch (e) {
    return {
      check: 'metrics',
      status: 'fail',
      detail: `GetMetricData failed: ${nameOf(e)}: ${messageOf(e)}`,
      fix: 'allow cloudwatch:GetMetricData; check the region',
    };
  }
  const lines = all.map((s) => {
    const series = read.get(s.id);
    const counts = KPIS.map((k) => `${k} ${series?.samples.filter((x) => x[k] !== undefined).length ?? 0}`);
    return { service: s, cpu: series?.samples.some((x) => x.cpuPct !== undefined) ?? false, series, counts };
  });
  const silent = lines.filter((l) => !l.cpu).map((l) => l.service.autoScalingGroupName);
  const incomplete = lines.filter((l) => (l.series?.incomplete ?? []).length > 0).map((l) => l.service.id);
  const detail = `datapoints in the last ${METRICS_WINDOW_MS / 60_000} minutes: ${lines
    .map((l) => `${l.service.id}: ${l.counts.join(', ')}`)
    .join('; ')}`;
  if (incomplete.length > 0)
    return {
      check: 'metrics',
      status: 'fail',
      detail: `${detail}; incomplete answers for ${incomplete.join(', ')}`,
      fix: 'CloudWatch answered Forbidden or PartialData: allow cloudwatch:GetMetricData on these metrics',
    };
  if (silent.length > 0)
    return {
      check: 'metrics',
      status: 'fail',
      detail: `${detail}; no CPUUtilization for ${silent.join(', ')}`,
      fix: 'the group needs running instances; AWS/EC2 CPUUtilization by AutoScalingGroupName is read (enable detailed monitoring for 1-minute data)',
    };
  return { check: 'metrics', status: 'pass', detail };
}

async function slackCheck(clients: OperateClients, stack: StackDescription): Promise<CheckResult> {
  const arn = stack.parameters['SlackWebhookSecretArn'] ?? '';
  if (arn === '')
    return {
      check: 'slack',
      status: 'skip',
      detail: 'Slack is not configured (SlackWebhookSecretArn is empty)',
      fix: 'to be notified, store the incoming-webhook URL in Secrets Manager and deploy with SlackWebhookSecretArn (docs/slack.md)',
    };
  let secret: string | undefined;
  try {
    secret = (await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (e) {
    return {
      check: 'slack',
      status: 'fail',
      detail: `cannot read the webhook secret: ${nameOf(e)}`,
      fix: `check that the secret ${arn} exists in this region and that you may read it (secretsmanager:GetSecretValue)`,
    };
  }
  let host: string;
  let outcome;
  try {
    const target = parseWebhookSecret(secret ?? '');
    host = new URL(target.url).host;
    // `{}` has no text: Slack answers 400 and posts nothing, or names what is wrong with the webhook.
    outcome = await postOnce(target.url, '{}', SLACK_TIMEOUT_MS);
  } catch (e) {
    return {
      check: 'slack',
      status: 'fail',
      detail: messageOf(e),
      fix: 'store the webhook URL (https://hooks.slack.com/services/…) or {"url": "…", "channel": "#ops"} in the secret',
    };
  }
  if (outcome.kind !== 'response')
    return {
      check: 'slack',
      status: 'fail',
      detail: `cannot reach ${host}: ${outcome.kind === 'timeout' ? 'timed out' : outcome.message}`,
      fix: `allow HTTPS to ${host} from where Headroom runs (NAT or proxy)`,
    };
  const code = outcome.slackError ? ` ${outcome.slackError}` : '';
  if (outcome.status === 200 || outcome.status === 400)
    return {
      check: 'slack',
      status: 'pass',
      detail: `webhook at ${host} answered HTTP ${outcome.status}${code} to an empty test message (nothing posted)`,
    };
  return {
    check: 'slack',
    status: 'fail',
    detail: `webhook at ${host} answered HTTP ${outcome.status}${code}`,
    fix: 'the webhook was revoked, or its channel archived or removed: create a new incoming webhook and store its URL in the secret',
  };
}

async function killSwitchCheck(
  clients: OperateClients,
  stackName: string,
  stack: StackDescription,
): Promise<CheckResult> {
  try {
    const on = await stateStoreOf(clients, stackName, stack.outputs).isKillSwitchOn();
    return {
      check: 'kill switch',
      status: 'pass',
      detail: on ? 'ON: no action is taken (advice continues)' : 'off: actions allowed within guardrails',
      ...(on ? { fix: "'headroom kill-switch off' allows actions again" } : {}),
    };
  } catch (e) {
    return {
      check: 'kill switch',
      status: 'fail',
      detail: `cannot read the state table: ${nameOf(e)}: ${messageOf(e)}`,
      fix: 'allow dynamodb:GetItem on the stack’s state table; check the region',
    };
  }
}
