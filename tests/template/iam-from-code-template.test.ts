/**
 * The repository's own template.yaml: every SAM function and state machine is granted exactly the
 * AWS calls its code or ASL makes (plus what its configuration needs), with no wildcard action and
 * no unscoped `Resource: "*"`. New functions are picked up by type, with no list to update.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditTemplate, type IamAudit } from '../../scripts/iamCheck.js';
import { auditTable, repoAuditPaths, REPO_ROOT, tableCells, tableInDocs } from '../../scripts/iam.js';
import { readTemplate } from '../../scripts/iamTemplate.js';

const paths = repoAuditPaths();

describe('template.yaml IAM matches the code', () => {
  let audits: IamAudit[];
  beforeAll(async () => {
    if (!existsSync(paths.template)) throw new Error(`${paths.template} does not exist`);
    audits = await auditTemplate(paths);
  });

  test('every SAM function and state machine is audited', () => {
    const resources = readTemplate(paths.template).Resources;
    const expected = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Serverless::Function' || r.Type === 'AWS::Serverless::StateMachine')
      .map(([id]) => id);
    expect(expected.length).toBeGreaterThan(0);
    expect(audits.map((a) => a.logicalId)).toEqual(expected);
  });

  test('no function or state machine is granted more or less than it calls', () => {
    const findings = Object.fromEntries(
      audits.filter((a) => a.findings.length > 0).map((a) => [a.logicalId, a.findings]),
    );
    expect(findings).toEqual({});
  });

  test('docs/operations.md shows the derived table as it is now', () => {
    const docs = readFileSync(resolve(REPO_ROOT, 'docs/operations.md'), 'utf8');
    const inDocs = tableInDocs(docs);
    expect(inDocs).toBeDefined();
    expect(tableCells(inDocs ?? '')).toEqual(tableCells(auditTable(audits)));
  });
});
