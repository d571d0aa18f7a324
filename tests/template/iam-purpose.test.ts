/** docs/operations.md says what each grant of template.yaml is for (scripts/iamPurpose.ts). */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT, tableCells, tableInDocs } from '../../scripts/iam.js';
import { grantRows, grantTable, GRANTS_END, GRANTS_START, PURPOSE } from '../../scripts/iamPurpose.js';
import { parseTemplate } from '../../scripts/iamTemplate.js';
import { loadTemplate } from './template.js';

describe('what each grant is for', () => {
  const { rows, findings } = grantRows(loadTemplate());

  it('has a Sid and a purpose for every statement of every function and state machine', () => {
    expect(findings).toEqual([]);
    expect(rows.length).toBeGreaterThan(40);
  });

  it('keeps no purpose for a statement the template no longer has', () => {
    const used = new Set(rows.map((r) => r.sid));
    expect(Object.keys(PURPOSE).filter((sid) => !used.has(sid))).toEqual([]);
  });

  it('would name a statement without a Sid or without a purpose (the check is not vacuous)', () => {
    const template = parseTemplate(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - { Effect: Allow, Action: s3:GetObject, Resource: '*' }
            - { Sid: Unheard, Effect: Allow, Action: s3:GetObject, Resource: '*' }
`);
    expect(grantRows(template).findings).toEqual([
      'Fn: a statement has no Sid',
      'Fn Unheard: no purpose in scripts/iamPurpose.ts',
    ]);
  });

  it('is shown in docs/operations.md as it is now', () => {
    const docs = readFileSync(resolve(REPO_ROOT, 'docs/operations.md'), 'utf8');
    const inDocs = tableInDocs(docs, [GRANTS_START, GRANTS_END]);
    expect(inDocs).toBeDefined();
    expect(tableCells(inDocs ?? '')).toEqual(tableCells(grantTable(rows)));
  });
});
