/** The IAM policy evaluator the escalation table relies on (scripts/iamEvaluate.ts), on its own. */
import { describe, expect, it } from '@jest/globals';
import { conditionHolds, evaluate, wildcardMatch, type IamStatement } from '../../scripts/iamEvaluate.js';
import { parseTemplate } from '../../scripts/iamTemplate.js';
import { identityPolicies, roleArn } from '../../scripts/iamResolve.js';

const DB = 'arn:aws:rds:eu-west-1:123456789012:db';
const allow = (
  actions: string[],
  resources: string[],
  condition?: IamStatement['condition'],
): IamStatement => ({
  effect: 'Allow',
  actions,
  resources,
  ...(condition ? { condition } : {}),
});

describe('wildcards', () => {
  it('match * and ? and nothing more', () => {
    expect(wildcardMatch('db:headroom-replica-*', 'db:headroom-replica-orders-1')).toBe(true);
    expect(wildcardMatch('db:headroom-replica-*', 'db:prod-primary')).toBe(false);
    expect(wildcardMatch('service#?', 'service#a')).toBe(true);
    expect(wildcardMatch('service#?', 'service#ab')).toBe(false);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
  });
});

describe('evaluate', () => {
  const tagged = allow(['rds:DeleteDBInstance'], [`${DB}:*`], {
    StringEquals: { 'aws:ResourceTag/headroom:created-by': 'headroom' },
  });

  it('allows only what a statement names, case-insensitively for actions', () => {
    expect(
      evaluate([allow(['rds:Describe*'], ['*'])], { action: 'RDS:DescribeDBInstances', resource: 'x' }),
    ).toBe('allow');
    expect(
      evaluate([allow(['rds:Describe*'], ['*'])], { action: 'rds:DeleteDBInstance', resource: 'x' }),
    ).toBe('implicit-deny');
  });

  it('holds resources to their ARN pattern, case-sensitively', () => {
    const prefix = allow(['rds:DeleteDBInstance'], [`${DB}:headroom-replica-*`]);
    expect(
      evaluate([prefix], { action: 'rds:DeleteDBInstance', resource: `${DB}:headroom-replica-x-1` }),
    ).toBe('allow');
    expect(
      evaluate([prefix], { action: 'rds:DeleteDBInstance', resource: `${DB}:HEADROOM-replica-x-1` }),
    ).toBe('implicit-deny');
    expect(evaluate([prefix], { action: 'rds:DeleteDBInstance', resource: `${DB}:prod` })).toBe(
      'implicit-deny',
    );
  });

  it('needs the condition key present for a positive operator', () => {
    const request = { action: 'rds:DeleteDBInstance', resource: `${DB}:prod` };
    expect(evaluate([tagged], request)).toBe('implicit-deny');
    expect(
      evaluate([tagged], { ...request, context: { 'aws:resourcetag/headroom:created-by': 'headroom' } }),
    ).toBe('allow');
  });

  it('lets an explicit Deny win over any Allow', () => {
    const deny: IamStatement = { effect: 'Deny', actions: ['*'], resources: ['*'] };
    expect(evaluate([allow(['*'], ['*']), deny], { action: 's3:GetObject', resource: 'x' })).toBe(
      'explicit-deny',
    );
  });

  it('matches a resource policy’s principal against aws:PrincipalArn', () => {
    const only: IamStatement = {
      ...allow(['events:PutEvents'], ['*']),
      principals: ['arn:aws:iam::1:role/a/*'],
    };
    const request = { action: 'events:PutEvents', resource: 'bus' };
    expect(evaluate([only], { ...request, context: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/a/x' } })).toBe(
      'allow',
    );
    expect(evaluate([only], { ...request, context: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/b' } })).toBe(
      'implicit-deny',
    );
  });
});

describe('condition operators', () => {
  it('Null tests presence', () => {
    expect(conditionHolds('Null', 'k', 'false', { k: 'v' })).toBe(true);
    expect(conditionHolds('Null', 'k', 'false', {})).toBe(false);
    expect(conditionHolds('Null', 'k', 'true', {})).toBe(true);
  });

  it('ForAllValues holds for every value, and vacuously for none', () => {
    const keys = { 'dynamodb:LeadingKeys': ['service#web'] };
    expect(conditionHolds('ForAllValues:StringLike', 'dynamodb:LeadingKeys', ['service#*'], keys)).toBe(true);
    expect(
      conditionHolds('ForAllValues:StringLike', 'dynamodb:LeadingKeys', ['service#*'], {
        'dynamodb:LeadingKeys': ['service#web', 'advisor'],
      }),
    ).toBe(false);
    expect(conditionHolds('ForAllValues:StringEquals', 'aws:TagKeys', ['a'], {})).toBe(true);
  });

  it('ForAnyValue needs one matching value', () => {
    expect(
      conditionHolds('ForAnyValue:StringEquals', 'events:source', ['a'], { 'events:source': ['b', 'a'] }),
    ).toBe(true);
    expect(conditionHolds('ForAnyValue:StringEquals', 'events:source', ['a'], {})).toBe(false);
  });

  it('negated operators hold when the key is absent', () => {
    expect(conditionHolds('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::1:role/h/*', {})).toBe(true);
    expect(
      conditionHolds('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::1:role/h/*', {
        'aws:PrincipalArn': 'arn:aws:iam::1:role/h/x',
      }),
    ).toBe(false);
    expect(conditionHolds('StringNotEquals', 'k', 'a', { k: 'b' })).toBe(true);
  });

  it('refuses an operator it does not know rather than guessing', () => {
    expect(() => conditionHolds('DateGreaterThan', 'aws:CurrentTime', '2020', {})).toThrow(/not supported/);
  });
});

describe('reading a template', () => {
  const template = parseTemplate(`
Parameters:
  Id: { Type: String, Default: '' }
Conditions:
  HasId: !Not [!Equals [!Ref Id, '']]
Globals:
  Function:
    RolePath: !Sub /headroom/\${AWS::StackName}/
Resources:
  Table: { Type: AWS::DynamoDB::Table }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: !GetAtt Table.Arn
            - !If
              - HasId
              - Effect: Allow
                Action: cloudfront:CreateInvalidation
                Resource: !Sub arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${Id}
              - !Ref AWS::NoValue
`);

  it('resolves Sub, GetAtt and If for the parameters given', () => {
    const base = { stackName: 's', region: 'eu-west-1', accountId: '123456789012', partition: 'aws' };
    expect(
      identityPolicies(template, { ...base, parameters: {} })
        .get('Fn')
        ?.map((s) => s.resources),
    ).toEqual([['arn:aws:dynamodb:eu-west-1:123456789012:table/s-Table-1ABC']]);
    expect(
      identityPolicies(template, { ...base, parameters: { Id: 'E1' } })
        .get('Fn')
        ?.map((s) => s.resources[0]),
    ).toContain('arn:aws:cloudfront::123456789012:distribution/E1');
    expect(roleArn(template, 'Fn', { ...base, parameters: {} })).toBe(
      'arn:aws:iam::123456789012:role/headroom/s/s-FnRole-1ABC',
    );
  });
});
