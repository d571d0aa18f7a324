/**
 * A built function laid out as Lambda runs it, for the cold-start benchmark and the build tests:
 * the function's artifacts in <root>/task, and the environment the template sets, with every
 * intrinsic replaced by the value CloudFormation would give and the variables the runtime adds.
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from './build.js';
import { isRecord, type SamTemplate, type TemplateValue } from './iamTemplate.js';

export const SAMPLE_REGION = 'eu-west-1';
export const SAMPLE_ACCOUNT = '123456789012';
export const SAMPLE_STACK = 'headroom';

/** What CloudFormation's pseudo parameters say in the sample account. */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': SAMPLE_ACCOUNT,
  'AWS::Region': SAMPLE_REGION,
  'AWS::Partition': 'aws',
  'AWS::StackName': SAMPLE_STACK,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The value of `!Ref <name>` once deployed: a parameter's default, or the resource's name/URL. */
export function sampleRef(template: SamTemplate, name: string): string {
  const pseudo = PSEUDO_PARAMETERS[name];
  if (pseudo !== undefined) return pseudo;
  const parameter = template.Parameters?.[name];
  if (isRecord(parameter)) {
    const value = parameter.Default === undefined ? '' : String(parameter.Default);
    // An empty ARN parameter turns its function off (a Condition); a deployed function has one.
    if (value === '' && name.endsWith('Arn'))
      return `arn:aws:secretsmanager:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:secret:${SAMPLE_STACK}/${name}-AbCdEf`;
    return value;
  }
  const resource = template.Resources[name];
  if (resource === undefined) throw new Error(`template.yaml: !Ref ${name} names nothing`);
  const physical = `${SAMPLE_STACK}-${name}-1A2B3C4D5E6F`;
  if (resource.Type === 'AWS::SQS::Queue')
    return `https://sqs.${SAMPLE_REGION}.amazonaws.com/${SAMPLE_ACCOUNT}/${physical}`;
  return physical;
}

function sampleValue(template: SamTemplate, key: string, value: TemplateValue): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (isRecord(value) && typeof value.Ref === 'string') return sampleRef(template, value.Ref);
  throw new Error(
    `template.yaml: environment variable ${key} is ${JSON.stringify(value)}; only plain values and !Ref are sampled`,
  );
}

const variables = (resource: Record<string, TemplateValue> | undefined): Record<string, TemplateValue> => {
  const env = resource?.Environment;
  return isRecord(env) && isRecord(env.Variables) ? env.Variables : {};
};

/** Globals' variables overlaid by the function's own, plus what the Lambda runtime itself sets. */
export function lambdaEnvironment(template: SamTemplate, logicalId: string): Record<string, string> {
  const fn = template.Resources[logicalId];
  if (fn?.Type !== 'AWS::Serverless::Function')
    throw new Error(`template.yaml: ${logicalId} is not a function`);
  const memory = fn.Properties?.MemorySize ?? template.Globals?.Function?.MemorySize ?? 128;
  const merged = { ...variables(template.Globals?.Function), ...variables(fn.Properties) };
  const env: Record<string, string> = {
    AWS_REGION: SAMPLE_REGION,
    AWS_DEFAULT_REGION: SAMPLE_REGION,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: `${SAMPLE_STACK}-${logicalId}-1A2B3C4D5E6F`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    AWS_SESSION_TOKEN: 'example',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _HANDLER: String(fn.Properties?.Handler),
  };
  for (const [key, value] of Object.entries(merged)) env[key] = sampleValue(template, key, value);
  return env;
}

/** Where Lambda finds the handler: <file>.js (CommonJS here), .mjs or .cjs, in that order. */
const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** Copies the function's artifacts to <root>/task, as Lambda unpacks them into /var/task. */
export function layOut(
  template: SamTemplate,
  results: readonly BuildResult[],
  logicalId: string,
  root: string,
) {
  const result = results.find((r) => r.target.logicalId === logicalId);
  if (result === undefined) throw new Error(`${logicalId} was not built`);
  const taskDir = join(root, 'task');
  cpSync(result.outDir, taskDir, { recursive: true });
  const handler = String(template.Resources[logicalId]!.Properties?.Handler);
  const [file, exported] = handler.split('.') as [string, string];
  const extension = HANDLER_EXTENSIONS.find((ext) => existsSync(join(taskDir, file + ext)));
  if (extension === undefined) throw new Error(`${logicalId}: no ${file}.js, .mjs or .cjs in its build`);
  return { taskDir, handlerFile: join(taskDir, file + extension), exported };
}
