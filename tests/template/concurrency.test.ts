/**
 * No setting fails a deploy on a new account's quota: AWS refuses any reserved concurrency that
 * leaves fewer than 10 executions unreserved, and a new account's quota can be 10. So no function
 * reserves concurrency unless a parameter that defaults to 0 (off) asks for it.
 */
import { describe, expect, it } from '@jest/globals';
import { isRecord, type TemplateValue } from '../../scripts/iamTemplate.js';
import { Resolver, DEPLOYMENT } from '../../scripts/iamResolve.js';
import { loadTemplate } from './template.js';

const template = loadTemplate();
const reserved = (parameters: Record<string, string>) => {
  const resolver = new Resolver(template, { ...DEPLOYMENT, parameters });
  return Object.entries(template.Resources).flatMap(([id, r]) => {
    const raw =
      r.Properties?.ReservedConcurrentExecutions ?? template.Globals?.Function?.ReservedConcurrentExecutions;
    if (r.Type !== 'AWS::Serverless::Function' || raw === undefined) return [];
    const value = resolver.value(raw as TemplateValue);
    return value === undefined ? [] : [[id, Number(value)] as const];
  });
};
const slack = {
  SlackWebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:w-AbCdEf',
  SlackSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
};

describe('concurrency that deploys everywhere', () => {
  it('reserves nothing with the default parameters, Slack on or off', () => {
    expect(reserved({})).toEqual([]);
    expect(reserved(slack)).toEqual([]);
  });

  it('reserves for the interactions function only when InteractionsReservedConcurrency asks', () => {
    expect(reserved({ ...slack, InteractionsReservedConcurrency: '5' })).toEqual([
      ['InteractionsFunction', 5],
    ]);
    const parameter = template.Parameters?.InteractionsReservedConcurrency;
    expect(isRecord(parameter) && parameter.Default).toBe(0);
  });
});
