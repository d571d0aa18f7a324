/**
 * Every !Ref, !GetAtt, !Sub and condition in template.yaml names something that exists: a
 * parameter, a resource (or a resource SAM generates), a pseudo-parameter or a condition.
 */
import { describe, expect, it } from '@jest/globals';
import type { SamTemplate, TemplateValue } from '../../scripts/iamTemplate.js';
import { loadTemplate, PSEUDO_PARAMETERS, walk } from './template.js';

interface FullTemplate extends SamTemplate {
  Conditions?: Record<string, TemplateValue>;
  Outputs?: Record<string, TemplateValue>;
}

/** Resources SAM adds for a function or state machine without an explicit Role. */
function generatedNames(template: FullTemplate): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => ['AWS::Serverless::Function', 'AWS::Serverless::StateMachine'].includes(r.Type))
    .filter(([, r]) => r.Properties?.Role === undefined)
    .map(([id]) => `${id}Role`);
}

/** Names in a Fn::Sub string: ${Name} and ${Name.Attr}, not the ${!Literal} escape. */
export function subNames(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!.split('.')[0]!.trim());
}

export function danglingReferences(template: FullTemplate): string[] {
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resources = new Set([...Object.keys(template.Resources), ...generatedNames(template)]);
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const known = (name: string) => parameters.has(name) || resources.has(name) || PSEUDO_PARAMETERS.has(name);
  const problems: string[] = [];
  const sections = {
    Globals: template.Globals,
    Resources: template.Resources,
    Conditions: template.Conditions,
    Outputs: template.Outputs,
  };

  for (const [section, body] of Object.entries(sections)) {
    for (const [pointer, node] of walk(body as TemplateValue | undefined, `/${section}`)) {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) continue;
      if (typeof node.Ref === 'string' && !known(node.Ref)) problems.push(`${pointer}: !Ref ${node.Ref}`);
      const getAtt = node['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && !resources.has(getAtt[0])) {
        problems.push(`${pointer}: !GetAtt ${getAtt.join('.')}`);
      }
      const sub = node['Fn::Sub'];
      const [text, variables] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
      if (typeof text === 'string') {
        const local = new Set(
          variables && typeof variables === 'object' && !Array.isArray(variables)
            ? Object.keys(variables)
            : [],
        );
        for (const name of subNames(text)) {
          if (!known(name) && !local.has(name)) problems.push(`${pointer}: !Sub \${${name}}`);
        }
      }
      const ifArgs = node['Fn::If'];
      if (Array.isArray(ifArgs) && typeof ifArgs[0] === 'string' && !conditions.has(ifArgs[0])) {
        problems.push(`${pointer}: !If ${ifArgs[0]}`);
      }
      if (typeof node.Condition === 'string' && !conditions.has(node.Condition)) {
        problems.push(`${pointer}: Condition ${node.Condition}`);
      }
    }
  }
  return problems;
}

describe('template.yaml references', () => {
  const template = loadTemplate() as FullTemplate;

  it('all resolve to a parameter, resource, pseudo-parameter or condition', () => {
    expect(danglingReferences(template)).toEqual([]);
  });

  it('are actually there to check (the walk finds the template’s references)', () => {
    const found = [...walk(template.Resources as unknown as TemplateValue)].filter(
      ([, n]) =>
        typeof n === 'object' &&
        n !== null &&
        !Array.isArray(n) &&
        ('Ref' in n || 'Fn::GetAtt' in n || 'Fn::Sub' in n),
    );
    expect(found.length).toBeGreaterThan(3);
  });

  it('flags a dangling !Ref, !GetAtt, !Sub name and condition', () => {
    const broken: FullTemplate = {
      Parameters: { Mode: { Type: 'String' } },
      Conditions: { IsApply: { 'Fn::Equals': [{ Ref: 'Mode' }, 'apply'] } },
      Resources: {
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Condition: 'IsProd',
          Properties: {
            TableName: { 'Fn::Sub': '${AWS::StackName}-${Missing}-${!Literal}' },
            Other: { Ref: 'Nowhere' },
            Arn: { 'Fn::GetAtt': ['Ghost', 'Arn'] },
            Name: { 'Fn::Sub': ['${Local}-${Mode}', { Local: 'x' }] },
            Pick: { 'Fn::If': ['IsApply', 'a', { Ref: 'AWS::NoValue' }] },
          },
        },
      },
    };
    expect(danglingReferences(broken)).toEqual([
      '/Resources/Table: Condition IsProd',
      '/Resources/Table/Properties/TableName: !Sub ${Missing}',
      '/Resources/Table/Properties/Other: !Ref Nowhere',
      '/Resources/Table/Properties/Arn: !GetAtt Ghost.Arn',
    ]);
  });
});
