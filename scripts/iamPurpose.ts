/**
 * What each grant of template.yaml is for, by statement Sid, and the table docs/operations.md
 * shows: every function's statements with their actions, scope and purpose. A statement without
 * a Sid, or a Sid without a purpose here, is a finding (tests/template/iam-purpose.test.ts).
 */
import { asList, isRecord, type SamTemplate, type TemplateValue } from './iamTemplate.js';

export const PURPOSE: Readonly<Record<string, string>> = {
  ReadKpis:
    'Read the KPIs (CPU, latency, errors, database, cache, CDN); GetMetricData has no resource-level permissions.',
  ReadLoadHistory: 'Read 14 days of load for the forecast refit.',
  DiscoverAndDescribeGroups:
    'Find groups tagged headroom:managed and read their capacity and recent activities.',
  DiscoverGroups: 'Find managed groups and their in-service count (the forecast never scales).',
  DescribeGroups: 'Read the group’s capacity and recent activities before planning or scaling.',
  SetCapacityOfManagedGroups:
    'Set a group’s desired capacity, only for groups their owners tagged headroom:managed=true.',
  ReadKillSwitch: 'Read the kill-switch item (pk advisor); it can never be written by Headroom.',
  KeepServiceState: 'Per-service state, decision records and forecasts (pk service#<id>) only.',
  KeepForecasts: 'The stored forecast of each service (pk service#<id>) only.',
  ReadDatabaseOwners:
    'Read a database’s headroom:service tag (DescribeDBInstances returns tags) to bind it to a service.',
  ReadCacheOwners: 'Read a replication group’s headroom:service tag to bind it to a service.',
  ReadDistributionOwners: 'Read a distribution’s headroom:service tag to bind it to a service.',
  PublishAdvisorEvents: 'Publish Recommendation, ActionApplied and ApprovalRequested on the advisor bus.',
  DeadLetterAdvisorEventsAndSendShards:
    'Keep advisor events the bus would not take on their dead-letter queue; send evaluate shards to their queue.',
  SendShards: 'Send forecast shards to the forecast shard queue, a shard a message.',
  ReadWebhookSecret: 'Read the Slack incoming-webhook URL.',
  StoreApprovalRequests:
    'Store approval requests (pk approval#<id>); a stored one is never overwritten (code).',
  Idempotency:
    'Its own idempotency records only (dynamodb:LeadingKeys on its key prefix; the change worker also keeps its targets, change-target#*).',
  ClaimInState: 'Claim the action in the service’s state (pk service#<id>) with one conditional write.',
  ConfirmApprovalRequestPosted:
    'Heartbeat the waiting workflow (token calls have no resource-level permissions); cannot answer.',
  ServiceModes:
    'Read each service’s mode right before a change (describe calls have no resource-level permissions).',
  CreateAuroraReaders:
    'Add an Aurora reader to a managed service’s cluster, only under Headroom’s replica name prefix.',
  DescribeAuroraClusters:
    'Read an Aurora cluster’s engine, mode and members before adding or removing a reader.',
  AskForApproval:
    'Start the remediation workflow for an evaluate decision that needs a person (the workflow asks in Slack).',
  SettleApprovals: 'Settle an approval’s final status (pk approval#<id>) from what Step Functions was told.',
  ReadSigningSecret: 'Read the Slack signing secret that verifies every request.',
  ClaimApprovals: 'Claim an approval (pk approval#<id>) for the one click that answers it.',
  AnswerApprovals: 'Answer the approval the click claimed (token calls have no resource-level permissions).',
  InvokeSteps: 'Run the remediation workflow’s five Lambda steps, and no other function.',
  SendChangesKeepRejected:
    'Send replica and cache changes to the change queue; keep rejected alarms on the dead-letter queue.',
  NotifyAndAskForApproval:
    'Publish remediation outcomes and approval requests (with their task token) on the advisor bus.',
  LogDelivery: 'Step Functions vended log delivery (no resource-level permissions).',
  Tracing: 'Step Functions X-Ray traces (no resource-level permissions).',
  DescribeDatabases: 'Read a database’s status, replicas and tags before and after a change.',
  ReplicateServiceDatabases:
    'Create a read replica only from a database tagged headroom:service (its service’s own).',
  CreateReplicasUnderPrefix:
    'Name and tag the new replica: only headroom-replica-*, only with Headroom’s three tags.',
  DeleteOnlyHeadroomReplicas:
    'Delete only replicas named headroom-replica-* that carry headroom:created-by=headroom.',
  DescribeCaches: 'Read a replication group’s shards, replicas and tags before and after a change.',
  ChangeServiceCacheReplicas:
    'Add or remove cache replicas only on replication groups tagged headroom:service.',
  FollowChanges: 'Put a change in progress back on the delayed follow-up queue.',
  ReportChanges: 'Report RemediationCompleted or ActionFailed on the advisor bus.',
  InvalidateServiceDistributions:
    'Invalidate distributions tagged headroom:service (the code also requires them configured).',
  InvalidateConfiguredDistribution: 'Invalidate the distribution CdnDistributionId names, by ARN.',
  CountPaths: 'The month’s count of invalidation paths (pk cdn-invalidation-paths#<month>) only.',
  DeferRequests: 'Put invalidation requests past CloudFront’s in-progress limits back on the queue, delayed.',
};

/** A template value as a reader wants it: ARNs without their partition/region/account prefix. */
export function shortValue(value: TemplateValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(shortValue).join(', ');
  if (!isRecord(value)) return String(value);
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const text = String(Array.isArray(sub) ? sub[0] : sub);
    return text
      .replace(/^arn:\$\{AWS::Partition\}:([a-z-]+):(\$\{AWS::Region\})?:(\$\{AWS::AccountId\})?:/, '$1:')
      .replace(/\$\{([^}]+)\}/g, '<$1>');
  }
  return JSON.stringify(value);
}

function conditionText(condition: TemplateValue | undefined): string {
  if (!isRecord(condition)) return '';
  return Object.entries(condition)
    .flatMap(([op, keys]) =>
      Object.entries(isRecord(keys) ? keys : {}).map(([key, v]) => `${key} ${op} \`${shortValue(v)}\``),
    )
    .join('; ');
}

export interface GrantRow {
  resource: string;
  sid: string;
  actions: string;
  scope: string;
  purpose: string;
}

/** Every inline statement of every function and state machine, both branches of an `!If`. */
export function grantRows(template: SamTemplate): { rows: GrantRow[]; findings: string[] } {
  const rows: GrantRow[] = [];
  const findings: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function' && resource.Type !== 'AWS::Serverless::StateMachine')
      continue;
    for (const policy of asList(resource.Properties?.Policies)) {
      if (!isRecord(policy)) continue;
      const statements = asList(policy.Statement).flatMap((s) => {
        const ifArgs = isRecord(s) ? s['Fn::If'] : undefined;
        return Array.isArray(ifArgs)
          ? ifArgs.slice(1).filter((b) => isRecord(b) && b.Ref !== 'AWS::NoValue')
          : [s];
      });
      for (const statement of statements) {
        if (!isRecord(statement)) continue;
        const sid = typeof statement.Sid === 'string' ? statement.Sid : '';
        const purpose = PURPOSE[sid];
        if (sid === '') findings.push(`${id}: a statement has no Sid`);
        else if (purpose === undefined) findings.push(`${id} ${sid}: no purpose in scripts/iamPurpose.ts`);
        const condition = conditionText(statement.Condition);
        rows.push({
          resource: id,
          sid,
          actions: asList(statement.Action)
            .map((a) => `\`${String(a)}\``)
            .join(', '),
          scope: `\`${shortValue(statement.Resource)}\`${condition ? ` if ${condition}` : ''}`,
          purpose: purpose ?? '',
        });
      }
    }
  }
  return { rows, findings };
}

export function grantTable(rows: readonly GrantRow[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| Resource | Statement | Actions | On | What it is for |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.resource} | ${r.sid} | ${escape(r.actions)} | ${escape(r.scope)} | ${escape(r.purpose)} |`,
    ),
  ].join('\n');
}

export const GRANTS_START = '<!-- iam-grants:start (npx tsx scripts/iam.ts --write-docs) -->';
export const GRANTS_END = '<!-- iam-grants:end -->';
