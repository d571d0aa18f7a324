/**
 * Least privilege, checked: each function's and state machine's grants must equal the calls its code
 * (or ASL) makes, plus what the platform needs for its configuration, with no wildcard action and no
 * `Resource: "*"` where AWS supports resource-level permissions, unless a tag condition scopes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveCodeCalls } from './iamCodeCalls.js';
import { deriveAslCalls } from './iamStateMachine.js';
import {
  grantStatements,
  loadPolicyTemplates,
  platformActions,
  type GrantStatement,
  type PlatformAction,
} from './iamGrants.js';
import { asList, isRecord, readTemplate, type SamTemplate, type TemplateValue } from './iamTemplate.js';

type IamActions = Record<string, { Actions: Record<string, { Resources?: string[] }> }>;

/**
 * Actions whose only resource type is one a normal call does not name, so `Resource: "*"` is the
 * documented way to grant them. Each entry says why.
 */
export const RESOURCE_STAR_ALLOWED: Readonly<Record<string, string>> = {
  'cloudwatch:getmetricdata':
    'its resource type is the account-wide "dataset"; reads of standard namespaces (AWS/EC2, ...) are granted on "*"',
  'cloudwatch:putmetricdata':
    'same "dataset" resource type as GetMetricData; metrics are scoped by the cloudwatch:namespace condition',
  'cloudwatch:listmetrics': 'same "dataset" resource type as GetMetricData',
};

/**
 * Actions AWS authorizes alongside a call when the request carries tags ("dependent actions" in the
 * Service Authorization Reference). The code cannot be read for whether it passes tags, so these
 * are allowed next to the call, never required.
 */
export const TAG_ON_CREATE: Readonly<Record<string, string>> = {
  'rds:createdbinstancereadreplica': 'rds:AddTagsToResource',
  'rds:createdbinstance': 'rds:AddTagsToResource',
  'elasticache:createreplicationgroup': 'elasticache:AddTagsToResource',
  'elasticache:createcachecluster': 'elasticache:AddTagsToResource',
  'autoscaling:createautoscalinggroup': 'autoscaling:CreateOrUpdateTags',
  'sqs:createqueue': 'sqs:TagQueue',
  'events:putrule': 'events:TagResource',
  'scheduler:createschedule': 'scheduler:TagResource',
};

export interface Derived {
  action: string;
  via: string;
}

export interface IamAudit {
  logicalId: string;
  type: 'AWS::Serverless::Function' | 'AWS::Serverless::StateMachine';
  /** Handler source or ASL file the calls were derived from. */
  source: string;
  derived: Derived[];
  granted: string[];
  platform: PlatformAction[];
  findings: string[];
}

export interface AuditPaths {
  root: string;
  template: string;
  iamActions: string;
  policyTemplates: string;
}

const lower = (action: string): string => action.toLowerCase();

function toRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Expands `svc:Get*` against the known actions; `*` and `svc:*` are refused outright. */
function expandAction(action: string, known: IamActions, origin: string, findings: string[]): string[] {
  const [service = '', name = ''] = action.split(':', 2);
  if (action === '*' || name === '*' || !action.includes(':')) {
    findings.push(`${origin}: wildcard action "${action}"`);
    return [];
  }
  const entry = known[service.toLowerCase()];
  if (entry === undefined) {
    findings.push(`${origin}: "${action}": no IAM service "${service}"`);
    return [];
  }
  if (!/[*?]/.test(name)) {
    if (entry.Actions[name.toLowerCase()] === undefined)
      findings.push(`${origin}: "${action}" is not an IAM action`);
    return [lower(action)];
  }
  const pattern = toRegExp(name);
  const matches = Object.keys(entry.Actions).filter((a) => pattern.test(a));
  if (matches.length === 0) findings.push(`${origin}: "${action}" matches no IAM action`);
  return matches.map((m) => `${service.toLowerCase()}:${m}`);
}

function hasTagCondition(condition: Record<string, TemplateValue> | undefined): boolean {
  return Object.values(condition ?? {}).some(
    (test) => isRecord(test) && Object.keys(test).some((key) => /ResourceTag\//i.test(key)),
  );
}

function checkStatements(statements: GrantStatement[], known: IamActions, findings: string[]): Set<string> {
  const granted = new Set<string>();
  for (const statement of statements) {
    const star = statement.resources.some((r) => r === '*');
    for (const action of statement.actions.flatMap((a) =>
      expandAction(a, known, statement.origin, findings),
    )) {
      granted.add(action);
      const [service = '', name = ''] = action.split(':');
      const resourceTypes = known[service]?.Actions[name]?.Resources ?? [];
      if (
        star &&
        resourceTypes.length > 0 &&
        !hasTagCondition(statement.condition) &&
        !RESOURCE_STAR_ALLOWED[action]
      ) {
        findings.push(
          `${statement.origin}: ${action} on Resource "*" although it supports resource-level permissions ` +
            `(${resourceTypes.join(', ')}); name the resources or add an aws:ResourceTag condition`,
        );
      }
    }
  }
  return granted;
}

function functionEntry(template: SamTemplate, logicalId: string, root: string): string {
  const resource = template.Resources[logicalId];
  const codeUri = resource?.Properties?.CodeUri ?? template.Globals?.Function?.CodeUri;
  if (typeof codeUri !== 'string') throw new Error(`${logicalId}: CodeUri must be a local path`);
  const build = resource?.Metadata?.BuildProperties;
  const entryPoints = isRecord(build) ? asList(build.EntryPoints) : [];
  const handler = resource?.Properties?.Handler ?? template.Globals?.Function?.Handler;
  const file =
    typeof entryPoints[0] === 'string'
      ? entryPoints[0]
      : typeof handler === 'string'
        ? `${handler.slice(0, handler.lastIndexOf('.'))}.ts`
        : undefined;
  if (file === undefined)
    throw new Error(`${logicalId}: neither Metadata.BuildProperties.EntryPoints nor Handler names the code`);
  const entry = join(root, codeUri, file);
  if (!existsSync(entry)) throw new Error(`${logicalId}: entry point ${entry} does not exist`);
  return entry;
}

function stateMachineDefinition(
  template: SamTemplate,
  logicalId: string,
  root: string,
): { source: string; definition: TemplateValue } {
  const properties = template.Resources[logicalId]?.Properties ?? {};
  if (typeof properties.DefinitionUri === 'string') {
    const path = join(root, properties.DefinitionUri);
    return {
      source: properties.DefinitionUri,
      definition: JSON.parse(readFileSync(path, 'utf8')) as TemplateValue,
    };
  }
  if (isRecord(properties.Definition))
    return { source: `${logicalId}.Definition`, definition: properties.Definition };
  throw new Error(`${logicalId}: no local DefinitionUri or inline Definition`);
}

function functionPlaceholders(template: SamTemplate, logicalId: string): (name: string) => boolean {
  const substitutions = template.Resources[logicalId]?.Properties?.DefinitionSubstitutions;
  return (name) => {
    const value = isRecord(substitutions) ? substitutions[name] : undefined;
    if (!isRecord(value)) return false;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
      const type = template.Resources[getAtt[0]]?.Type;
      return type === 'AWS::Serverless::Function' || type === 'AWS::Lambda::Function';
    }
    const sub = value['Fn::Sub'];
    return typeof sub === 'string' && sub.includes(':function:');
  };
}

/** Audits every SAM function and state machine of the template; new ones are picked up by type. */
export async function auditTemplate(paths: AuditPaths): Promise<IamAudit[]> {
  const template = readTemplate(paths.template);
  const known = JSON.parse(readFileSync(paths.iamActions, 'utf8')) as IamActions;
  const policyTemplates = loadPolicyTemplates(paths.policyTemplates);
  const audits: IamAudit[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function' && resource.Type !== 'AWS::Serverless::StateMachine')
      continue;
    const findings: string[] = [];
    let derived: Derived[] = [];
    let source = '';
    if (resource.Type === 'AWS::Serverless::Function') {
      source = functionEntry(template, logicalId, paths.root);
      derived = (await deriveCodeCalls(source, paths.root)).calls;
      source = source.slice(paths.root.length + 1);
    } else {
      const machine = stateMachineDefinition(template, logicalId, paths.root);
      source = machine.source;
      const calls = deriveAslCalls(machine.definition as never, functionPlaceholders(template, logicalId));
      const byAction = new Map<string, Derived>();
      for (const call of calls) {
        const previous = byAction.get(call.action);
        byAction.set(call.action, {
          action: call.action,
          via: previous ? `${previous.via}, ${call.state}` : `state ${call.state}`,
        });
      }
      derived = [...byAction.values()].sort((a, b) => a.action.localeCompare(b.action));
    }
    for (const call of derived) {
      const [service = '', name = ''] = lower(call.action).split(':');
      if (known[service]?.Actions[name] === undefined)
        findings.push(`${logicalId}: code calls ${call.action}, not an IAM action`);
    }
    const statements = grantStatements(template, logicalId, policyTemplates);
    const granted = checkStatements(statements, known, findings);
    const platform = platformActions(
      template,
      logicalId,
      derived.map((d) => d.action),
    );
    for (const call of derived) {
      const tagging = TAG_ON_CREATE[lower(call.action)];
      if (tagging !== undefined) {
        platform.push({
          action: tagging,
          why: `tags on create: ${call.action} with Tags`,
          addedBySam: false,
        });
      }
    }
    const needed = new Set(derived.map((d) => lower(d.action)));
    const allowed = new Set(platform.map((p) => lower(p.action)));
    const samGranted = new Set(platform.filter((p) => p.addedBySam).map((p) => lower(p.action)));
    for (const action of granted) {
      if (!needed.has(action) && !allowed.has(action)) {
        findings.push(`${logicalId}: granted ${action}, which its code does not call`);
      }
    }
    for (const call of derived) {
      if (!granted.has(lower(call.action)) && !samGranted.has(lower(call.action))) {
        findings.push(`${logicalId}: calls ${call.action} (${call.via}) without a grant`);
      }
    }
    audits.push({
      logicalId,
      type: resource.Type,
      source,
      derived,
      granted: [...granted].sort(),
      platform,
      findings,
    });
  }
  return audits;
}
