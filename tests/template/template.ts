/** The repository's template.yaml and the offline schemas in schemas/ (third-party, with licences), for the template tests. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readTemplate, type SamTemplate, type TemplateValue } from '../../scripts/iamTemplate.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SCHEMAS = resolve(ROOT, 'schemas');
export const TEMPLATE_PATH = resolve(ROOT, 'template.yaml');

export const loadTemplate = (): SamTemplate => readTemplate(TEMPLATE_PATH);
export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** `{Ref: x}` or `{"Fn::…": …}`: a value CloudFormation computes, which a schema cannot type-check. */
export function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

/** Every node of a value with its JSON pointer, parents before children. */
export function* walk(value: TemplateValue | undefined, pointer = ''): Generator<[string, TemplateValue]> {
  if (value === undefined) return;
  yield [pointer, value];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, `${pointer}/${i}`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      yield* walk(item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

/** The value at a JSON pointer, and whether it or one of its parents is an intrinsic function. */
export function underIntrinsic(root: TemplateValue, pointer: string): boolean {
  let node: TemplateValue | undefined = root;
  if (isIntrinsic(node)) return true;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null) return false;
    node = Array.isArray(node) ? node[Number(key)] : node[key];
    if (isIntrinsic(node)) return true;
  }
  return false;
}

export function functions(template: SamTemplate) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
}
