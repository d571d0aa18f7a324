/**
 * Conventions every function in template.yaml keeps (issue 6), checked for functions added later
 * with no list to update: esbuild Metadata as the design says, an entry point that exists and
 * exports the handler, SAM policy templates that exist with their parameters, IAM actions that
 * exist, and no wildcard action.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SamTemplate, TemplateResource, TemplateValue } from '../../scripts/iamTemplate.js';
import { functions, loadTemplate, readJson, ROOT, SCHEMAS } from './template.js';

const template = loadTemplate();
const fns = functions(template);
const globals = template.Globals?.Function ?? {};

interface PolicyTemplates {
  Templates: Record<string, { Parameters: Record<string, unknown>; Definition: { Statement: Statement[] } }>;
}
interface Statement {
  Action?: TemplateValue;
  NotAction?: TemplateValue;
}
type IamActions = Record<string, { Actions: Record<string, unknown> }>;

const policyTemplates = readJson<PolicyTemplates>(resolve(SCHEMAS, 'sam-policy-templates.json')).Templates;
const iamActions = readJson<IamActions>(resolve(SCHEMAS, 'iam-actions.json'));

const setting = (resource: TemplateResource, key: string) => resource.Properties?.[key] ?? globals[key];

describe.each(fns)('%s', (id, fn) => {
  const props = (fn.Metadata?.BuildProperties ?? {}) as Record<string, TemplateValue>;
  const codeUri = String(setting(fn, 'CodeUri') ?? '.');

  it('is built by esbuild into one CommonJS file for Node.js 22 on arm64, with small source maps and no layer', () => {
    expect(fn.Metadata?.BuildMethod).toBe('esbuild');
    expect(props).toMatchObject({
      // CommonJS: an ES module bundle imports node:http statically, and Node 22 then builds its
      // namespace, which loads undici (fetch, WebSocket) too: about 40 ms at every cold start.
      Format: 'cjs',
      OutExtension: ['.js=.cjs'],
      Target: 'node22',
      // The SDK's and Powertools' ES builds: esbuild drops what a function does not use.
      MainFields: 'module,main',
      Minify: true,
      Sourcemap: true,
      // A string: SAM pastes Python's str() of the value into --sources-content=, so a YAML false
      // would become "False", which esbuild refuses.
      SourcesContent: 'false',
    });
    // Everything a function runs is in its own bundle, once: no layer, nothing external.
    expect(props.External).toBeUndefined();
    expect(props.Banner).toBeUndefined();
    expect(setting(fn, 'Runtime')).toBe('nodejs22.x');
    expect(setting(fn, 'Architectures')).toEqual(['arm64']);
    expect([globals.Layers, fn.Properties?.Layers].filter((l) => l !== undefined)).toEqual([]);
  });

  it('has an entry point that exists and exports the handler the template names', () => {
    const entries = props.EntryPoints as string[];
    expect(entries).toHaveLength(1);
    const entry = resolve(ROOT, codeUri, entries[0]!);
    expect(existsSync(entry)).toBe(true);
    const [file, exported] = String(fn.Properties?.Handler).split('.');
    // esbuild names the bundle after the entry file: handler.ts -> handler.cjs.
    expect(
      entries[0]!
        .split('/')
        .at(-1)!
        .replace(/\.[cm]?[jt]s$/, ''),
    ).toBe(file);
    const source = readFileSync(entry, 'utf8');
    expect(source).toMatch(
      new RegExp(
        `export (const|async function|function|let) ${exported}\\b|export \\{[^}]*\\b${exported}\\b`,
      ),
    );
  });

  it('is traced by X-Ray and starts without parsing its source map', () => {
    expect(setting(fn, 'Tracing')).toBe('Active');
    const variables = {
      ...((globals.Environment as { Variables?: Record<string, TemplateValue> } | undefined)?.Variables ??
        {}),
      ...((fn.Properties?.Environment as { Variables?: Record<string, TemplateValue> } | undefined)
        ?.Variables ?? {}),
    };
    // The handler maps traces when they are printed (runtime/stackTraces.ts); Node's flag would
    // read and parse the whole map at every cold start.
    expect(String(variables.NODE_OPTIONS ?? '')).not.toContain('--enable-source-maps');
    // Powertools' Tracer traces the AWS calls; no function makes another HTTP call under it.
    expect(variables.POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS).toBe('false');
  });

  it('has its own log group with a retention', () => {
    const logging = fn.Properties?.LoggingConfig as Record<string, TemplateValue> | undefined;
    const group = logging?.LogGroup as { Ref?: string } | undefined;
    expect(group?.Ref).toBeDefined();
    const resource = template.Resources[group!.Ref!];
    expect(resource?.Type).toBe('AWS::Logs::LogGroup');
    expect(resource?.Properties?.RetentionInDays).toBeDefined();
  });
});

/** Each statement's actions, with where they came from, from inline statements and SAM policy templates. */
export function policyActions(t: SamTemplate): { where: string; action: string }[] {
  const out: { where: string; action: string }[] = [];
  const collect = (where: string, statements: Statement[]) => {
    for (const [i, statement] of statements.entries()) {
      for (const key of ['Action', 'NotAction'] as const) {
        const value = statement[key];
        for (const action of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
          out.push({ where: `${where} statement ${i} ${key}`, action: String(action) });
        }
      }
    }
  };
  for (const [id, resource] of Object.entries(t.Resources)) {
    const policies = resource.Properties?.Policies;
    for (const [n, policy] of (Array.isArray(policies)
      ? policies
      : policies === undefined
        ? []
        : [policies]
    ).entries()) {
      if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) continue;
      if ('Statement' in policy) {
        collect(`${id} policy ${n}`, policy.Statement as Statement[]);
        continue;
      }
      for (const name of Object.keys(policy)) {
        const known = policyTemplates[name];
        if (known) collect(`${id} ${name}`, known.Definition.Statement);
      }
    }
    if (resource.Type.startsWith('AWS::IAM::')) {
      const documents = [
        resource.Properties?.PolicyDocument,
        ...((resource.Properties?.Policies as { PolicyDocument?: TemplateValue }[] | undefined) ?? []).map(
          (p) => p.PolicyDocument,
        ),
      ];
      for (const document of documents) {
        const statements = (document as { Statement?: Statement[] } | undefined)?.Statement;
        if (statements) collect(id, statements);
      }
    }
  }
  return out;
}

/** As cfn-lint does: lower-case service:action, wildcards matched against the known actions. */
export function actionExists(action: string): boolean {
  if (action === '*') return true;
  const [service, name] = action.toLowerCase().split(':');
  const known = service === undefined ? undefined : iamActions[service];
  if (known === undefined || name === undefined) return false;
  const pattern = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return Object.keys(known.Actions).some((a) => pattern.test(a));
}

/** SAM policy templates named in Policies that do not exist, or lack a parameter. */
export function policyTemplateProblems(t: SamTemplate): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(t.Resources)) {
    const policies = resource.Properties?.Policies;
    for (const policy of Array.isArray(policies) ? policies : policies === undefined ? [] : [policies]) {
      if (typeof policy !== 'object' || policy === null || Array.isArray(policy) || 'Statement' in policy)
        continue;
      for (const [name, given] of Object.entries(policy)) {
        const known = policyTemplates[name];
        if (known === undefined) {
          problems.push(`${id}: ${name} is not a SAM policy template`);
          continue;
        }
        const args = typeof given === 'object' && given !== null && !Array.isArray(given) ? given : {};
        for (const parameter of Object.keys(known.Parameters)) {
          if (!(parameter in args)) problems.push(`${id}: ${name} needs parameter ${parameter}`);
        }
      }
    }
  }
  return problems;
}

describe('IAM in template.yaml', () => {
  const actions = policyActions(template);

  it('grants something to check', () => {
    expect(actions.length).toBeGreaterThan(0);
  });

  it('names only IAM actions that exist', () => {
    expect(actions.filter((a) => !actionExists(a.action)).map((a) => `${a.where}: ${a.action}`)).toEqual([]);
  });

  it('has no wildcard action', () => {
    expect(actions.filter((a) => a.action.includes('*')).map((a) => `${a.where}: ${a.action}`)).toEqual([]);
  });

  it('uses only SAM policy templates that exist, with all their parameters', () => {
    expect(policyTemplateProblems(template)).toEqual([]);
  });

  it('would catch a made-up action, a wildcard and a bad policy template', () => {
    const broken: SamTemplate = {
      Resources: {
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            Policies: [
              {
                Statement: [
                  { Effect: 'Allow', Action: ['autoscaling:SetDesiredCapacityNow', 's3:*'], Resource: '*' },
                ],
              },
              { DynamoDBReadPolicy: {} },
              { DynamoDBReadEverything: { TableName: 't' } },
            ],
          },
        },
      },
    };
    const found = policyActions(broken);
    expect(found.filter((a) => !actionExists(a.action)).map((a) => a.action)).toEqual([
      'autoscaling:SetDesiredCapacityNow',
    ]);
    expect(found.filter((a) => a.action.includes('*')).map((a) => a.action)).toEqual(['s3:*']);
    expect(policyTemplateProblems(broken)).toEqual([
      'Fn: DynamoDBReadPolicy needs parameter TableName',
      'Fn: DynamoDBReadEverything is not a SAM policy template',
    ]);
  });
});

/** Functions an EventBridge Scheduler schedule invokes (asynchronously). */
const scheduled = fns.filter(([, fn]) =>
  Object.values((fn.Properties?.Events ?? {}) as Record<string, { Type?: string }>).some(
    (e) => e.Type === 'ScheduleV2' || e.Type === 'Schedule',
  ),
);

describe('scheduled functions', () => {
  it('are the evaluate and forecast functions', () => {
    expect(scheduled.map(([id]) => id).sort()).toEqual(['EvaluateFunction', 'ForecastFunction']);
  });

  // The scheduler's RetryPolicy covers only its own delivery; Lambda's asynchronous invoke retries a
  // failed or timed-out run twice more by default, overlapping the next scheduled runs.
  it.each(scheduled)('%s is not retried by Lambda when a run fails or times out', (_id, fn) => {
    const invoke = fn.Properties?.EventInvokeConfig as Record<string, TemplateValue> | undefined;
    expect(invoke?.MaximumRetryAttempts).toBe(0);
  });
});
