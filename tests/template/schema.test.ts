/**
 * template.yaml against the SAM schema (Globals and the AWS::Serverless::* resources) and every
 * other resource's Properties against its CloudFormation registry schema, as SOURCES.md describes.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv as Ajv07, type ErrorObject } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { TemplateValue } from '../../scripts/iamTemplate.js';
import { loadTemplate, readJson, SCHEMAS, underIntrinsic } from './template.js';

const template = loadTemplate();
const cfnSchemaPath = (type: string) =>
  resolve(SCHEMAS, 'cfn', `${type.toLowerCase().replace(/::/g, '-')}.json`);

/**
 * cfn-lint's patterns are Python regexes: `\Z` is JavaScript's `$`, and a few use `\p{L}`-style
 * classes that need the `u` flag while others are invalid under it.
 */
const regExp = Object.assign(
  (pattern: string, flags: string) => {
    const js = pattern.replace(/\\Z/g, '$');
    try {
      return new RegExp(js, flags);
    } catch {
      return new RegExp(js, flags.replace('u', ''));
    }
  },
  { code: 'new RegExp' },
);

/** Errors left once those caused by an intrinsic function (a value only CloudFormation knows) are set aside. */
function realErrors(errors: readonly ErrorObject[] | null | undefined, data: TemplateValue): string[] {
  return (errors ?? [])
    .filter((e) => !underIntrinsic(data, e.instancePath))
    .filter((e) => !(e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if'))
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const samValidate = new AjvDraft04({ strict: false, allErrors: true }).compile(
  readJson<object>(resolve(SCHEMAS, 'sam.schema.json')),
);

function samErrors(data: object): string[] {
  samValidate(data);
  return realErrors(samValidate.errors, data as TemplateValue);
}

function cfnErrors(type: string, data: TemplateValue): string[] {
  const schema = readJson<Record<string, unknown>>(cfnSchemaPath(type));
  // Read-only properties are outputs (Arn, StreamArn, …), never inputs.
  const readOnly = new Set(
    ((schema.readOnlyProperties as string[] | undefined) ?? []).map((p) => p.replace('/properties/', '')),
  );
  const properties = Object.fromEntries(
    Object.entries(schema.properties as Record<string, unknown>).filter(([name]) => !readOnly.has(name)),
  );
  const required = ((schema.required as string[] | undefined) ?? []).filter((name) => !readOnly.has(name));
  const ajv = new Ajv07({ strict: false, allErrors: true, validateFormats: false, code: { regExp } });
  const validate = ajv.compile({ ...schema, $schema: undefined, properties, required });
  validate(data);
  return realErrors(validate.errors, data);
}

describe('template.yaml against the SAM schema', () => {
  it('has Globals and Resources the SAM transform accepts', () => {
    expect(samErrors(template)).toEqual([]);
  });

  it('declares the SAM transform', () => {
    expect((template as unknown as { Transform: string }).Transform).toBe('AWS::Serverless-2016-10-31');
  });

  it('would catch a misspelt function property (the check is not vacuous)', () => {
    const broken = structuredClone(template);
    const [id, fn] = Object.entries(broken.Resources).find(
      ([, r]) => r.Type === 'AWS::Serverless::Function',
    )!;
    fn.Properties = { ...fn.Properties, Handlr: 'handler.handler' };
    expect(samErrors(broken).join('\n')).toContain(`/Resources/${id}`);
  });
});

describe('non-serverless resources against their CloudFormation schemas', () => {
  const cfnResources = Object.entries(template.Resources).filter(
    ([, r]) => !r.Type.startsWith('AWS::Serverless::'),
  );

  it('has a registry schema in schemas/cfn for every resource type used', () => {
    expect(
      cfnResources.filter(([, r]) => !existsSync(cfnSchemaPath(r.Type))).map(([id, r]) => `${id}: ${r.Type}`),
    ).toEqual([]);
  });

  it.each(cfnResources.filter(([, r]) => existsSync(cfnSchemaPath(r.Type))))(
    '%s has valid Properties',
    (_id, resource) => {
      expect(cfnErrors(resource.Type, (resource.Properties ?? {}) as TemplateValue)).toEqual([]);
    },
  );

  it('would catch a wrong value and an unknown property (the check is not vacuous)', () => {
    const errors = cfnErrors('AWS::DynamoDB::Table', {
      BillingMode: 42,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLive: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(errors.some((e) => e.startsWith('/BillingMode'))).toBe(true);
    expect(errors.some((e) => e.includes('TimeToLive'))).toBe(true);
  });
});
