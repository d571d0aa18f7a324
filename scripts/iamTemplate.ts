/**
 * Reads a SAM template as plain data: CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...)
 * become their long-form objects, so the IAM check can walk the template like CloudFormation does.
 */
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

export type TemplateValue =
  string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, TemplateValue>;
  Metadata?: Record<string, TemplateValue>;
  Condition?: string;
}

export interface SamTemplate {
  Globals?: { Function?: Record<string, TemplateValue>; StateMachine?: Record<string, TemplateValue> };
  Parameters?: Record<string, TemplateValue>;
  Resources: Record<string, TemplateResource>;
}

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'ToJsonString',
  'Length',
  'GetAtt',
];

function longForm(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function cfnTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const name of ['Ref', 'Condition', ...FUNCTIONS]) {
    const key = longForm(name);
    tags.push({
      tag: `!${name}`,
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.', 2) : value }),
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag: `!${name}`,
        collection,
        resolve: (value) => ({ [key]: value.toJSON() as TemplateValue }),
      });
    }
  }
  return tags;
}

export function parseTemplate(text: string, source = 'template'): SamTemplate {
  const doc: unknown = parse(text, { customTags: cfnTags(), uniqueKeys: true });
  if (typeof doc !== 'object' || doc === null || !('Resources' in doc)) {
    throw new Error(`${source}: not a SAM template (no Resources section)`);
  }
  return doc as SamTemplate;
}

export function readTemplate(path: string): SamTemplate {
  return parseTemplate(readFileSync(path, 'utf8'), path);
}

export function isRecord(value: unknown): value is Record<string, TemplateValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value that is a list in CloudFormation may also be written as a single item. */
export function asList(value: TemplateValue | undefined): TemplateValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
