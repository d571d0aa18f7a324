/**
 * template.yaml's policies as one deployment would hold them: intrinsic functions resolved for
 * given parameter values (Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Join and the condition functions),
 * so that scripts/iamEvaluate.ts can evaluate requests against them.
 */
import { asList, isRecord, type SamTemplate, type TemplateValue } from './iamTemplate.js';
import type { ContextValue, IamStatement } from './iamEvaluate.js';

export interface Deployment {
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
  /** Template parameters; a parameter not given takes its Default. */
  parameters: Readonly<Record<string, string>>;
}

export const DEPLOYMENT: Deployment = {
  stackName: 'headroom',
  region: 'eu-west-1',
  accountId: '123456789012',
  partition: 'aws',
  parameters: {},
};

/** The ARN a resource of the stack would have (names as CloudFormation would generate them). */
function arnOf(template: SamTemplate, id: string, d: Deployment): string {
  const type = template.Resources[id]?.Type ?? '';
  const at = `${d.partition}:%s:${d.region}:${d.accountId}`;
  const arn = (service: string, rest: string) => `arn:${at.replace('%s', service)}:${rest}`;
  switch (type) {
    case 'AWS::DynamoDB::Table':
      return arn('dynamodb', `table/${d.stackName}-${id}-1ABC`);
    case 'AWS::SQS::Queue':
      return arn('sqs', `${d.stackName}-${id}-1ABC`);
    case 'AWS::Events::EventBus':
      return arn('events', `event-bus/${d.stackName}-advisor`);
    case 'AWS::Events::Rule':
      return arn('events', `rule/${d.stackName}-${id}-1ABC`);
    case 'AWS::Serverless::Function':
      return arn('lambda', `function:${d.stackName}-${id}-1ABC`);
    case 'AWS::Serverless::StateMachine':
      return arn('states', `stateMachine:${d.stackName}-${id}`);
    default:
      throw new Error(`${id}: no ARN known for type ${type || '(not in the template)'}`);
  }
}

export class Resolver {
  constructor(
    private readonly template: SamTemplate & { Conditions?: Record<string, TemplateValue> },
    private readonly d: Deployment,
  ) {}

  parameter(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::StackName': this.d.stackName,
      'AWS::Region': this.d.region,
      'AWS::AccountId': this.d.accountId,
      'AWS::Partition': this.d.partition,
    };
    if (name in pseudo) return pseudo[name]!;
    if (name in this.d.parameters) return this.d.parameters[name]!;
    const declared = this.template.Parameters?.[name];
    if (isRecord(declared) && declared.Default !== undefined) return String(declared.Default);
    if (this.template.Resources[name] !== undefined) return `${this.d.stackName}-${name}-1ABC`;
    throw new Error(`!Ref ${name}: no parameter value or resource`);
  }

  condition(name: string): boolean {
    const body = this.template.Conditions?.[name];
    if (body === undefined) throw new Error(`condition ${name} is not in the template`);
    return this.truth(body);
  }

  private truth(value: TemplateValue): boolean {
    if (!isRecord(value)) throw new Error(`condition ${JSON.stringify(value)} is not a function`);
    if (typeof value.Condition === 'string') return this.condition(value.Condition);
    const [name, args] = Object.entries(value)[0] ?? [];
    const items = asList(args);
    if (name === 'Fn::Not') return !this.truth(items[0] ?? null);
    if (name === 'Fn::And') return items.every((i) => this.truth(i));
    if (name === 'Fn::Or') return items.some((i) => this.truth(i));
    if (name === 'Fn::Equals')
      return String(this.value(items[0] ?? null)) === String(this.value(items[1] ?? null));
    throw new Error(`condition function ${String(name)} is not supported`);
  }

  /** A value with its intrinsic functions resolved; `undefined` for AWS::NoValue. */
  value(value: TemplateValue): TemplateValue | undefined {
    if (Array.isArray(value)) return value.map((v) => this.value(v)).filter((v) => v !== undefined);
    if (!isRecord(value)) return value;
    if (typeof value.Ref === 'string')
      return value.Ref === 'AWS::NoValue' ? undefined : this.parameter(value.Ref);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      if (getAtt[1] !== 'Arn') throw new Error(`!GetAtt ${getAtt.join('.')}: only Arn is supported`);
      return arnOf(this.template, String(getAtt[0]), this.d);
    }
    if (value['Fn::Sub'] !== undefined) return this.sub(value['Fn::Sub']);
    const ifArgs = value['Fn::If'];
    if (Array.isArray(ifArgs))
      return this.value((this.condition(String(ifArgs[0])) ? ifArgs[1] : ifArgs[2]) ?? null);
    const join = value['Fn::Join'];
    if (Array.isArray(join))
      return asList(this.value(join[1] ?? null) ?? null)
        .map(String)
        .join(String(join[0]));
    return Object.fromEntries(
      Object.entries(value).flatMap(([k, v]) => {
        const resolved = this.value(v);
        return resolved === undefined ? [] : [[k, resolved]];
      }),
    );
  }

  private sub(sub: TemplateValue): string {
    const [text, vars] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
    const local = isRecord(vars) ? vars : {};
    return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in local) return String(this.value(local[name] ?? null));
      const [id, attr] = name.split('.');
      if (attr !== undefined) return String(this.value({ 'Fn::GetAtt': [id!, attr] }));
      return this.parameter(name);
    });
  }
}

const strings = (value: TemplateValue | undefined): string[] => asList(value ?? null).map(String);

function statementOf(raw: TemplateValue, origin: string): IamStatement {
  if (!isRecord(raw)) throw new Error(`${origin}: not a statement`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')
    throw new Error(`${origin}: Effect ${String(raw.Effect)}`);
  const condition: Record<string, Record<string, ContextValue>> = {};
  for (const [operator, keys] of Object.entries(isRecord(raw.Condition) ? raw.Condition : {})) {
    condition[operator] = Object.fromEntries(
      Object.entries(isRecord(keys) ? keys : {}).map(([k, v]) => [
        k,
        Array.isArray(v) ? strings(v) : String(v),
      ]),
    );
  }
  const principal = raw.Principal;
  const principals =
    principal === undefined
      ? undefined
      : principal === '*'
        ? ['*']
        : isRecord(principal)
          ? Object.values(principal).flatMap((p) => strings(p))
          : strings(principal);
  return {
    ...(typeof raw.Sid === 'string' ? { sid: raw.Sid } : {}),
    effect: raw.Effect,
    actions: strings(raw.Action),
    resources: strings(raw.Resource),
    ...(principals === undefined ? {} : { principals }),
    ...(Object.keys(condition).length > 0 ? { condition } : {}),
  };
}

/** The statements of a resource's inline `Policies` (SAM) or of a resource policy document, resolved. */
export function resolvedStatements(resolver: Resolver, document: TemplateValue | undefined, origin: string) {
  const resolved = resolver.value(document ?? null);
  const documents = Array.isArray(resolved) ? resolved : [resolved ?? null];
  return documents.flatMap((doc, i) => {
    if (!isRecord(doc) || doc.Statement === undefined) {
      throw new Error(`${origin}[${i}]: only inline policy documents can be evaluated`);
    }
    return asList(doc.Statement).map((s, j) => statementOf(s, `${origin}[${i}] Statement[${j}]`));
  });
}

/** Every function and state machine with its own (inline) policy statements, for one deployment. */
export function identityPolicies(
  template: SamTemplate,
  d: Deployment = DEPLOYMENT,
): Map<string, IamStatement[]> {
  const resolver = new Resolver(template, d);
  const out = new Map<string, IamStatement[]>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function' && resource.Type !== 'AWS::Serverless::StateMachine')
      continue;
    if (resource.Condition !== undefined && !resolver.condition(resource.Condition)) continue;
    const policies = resource.Properties?.Policies;
    out.set(id, policies === undefined ? [] : resolvedStatements(resolver, policies, `${id} Policies`));
  }
  return out;
}

/** The ARN SAM's generated role (`<Id>Role`) has in this deployment, under its RolePath. */
export function roleArn(template: SamTemplate, id: string, d: Deployment = DEPLOYMENT): string {
  const resource = template.Resources[id];
  if (resource === undefined) throw new Error(`${id}: no such resource`);
  const kind = resource.Type === 'AWS::Serverless::StateMachine' ? 'StateMachine' : 'Function';
  const globals = template.Globals?.[kind] as Record<string, TemplateValue> | undefined;
  const path = resource.Properties?.RolePath ?? globals?.RolePath ?? '/';
  return `arn:${d.partition}:iam::${d.accountId}:role${String(new Resolver(template, d).value(path))}${d.stackName}-${id}Role-1ABC`;
}
