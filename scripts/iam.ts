/**
 * `npx tsx scripts/iam.ts [--write-docs]`: prints, for each function and state machine of
 * template.yaml, the AWS calls derived from its code and any mismatch with its grants; with
 * --write-docs it also refreshes the table in docs/operations.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'prettier';
import { auditTemplate, type IamAudit } from './iamCheck.js';
import { grantRows, grantTable, GRANTS_END, GRANTS_START } from './iamPurpose.js';
import { readTemplate } from './iamTemplate.js';

export function auditTable(audits: readonly IamAudit[]): string {
  const rows = audits.map((audit) => {
    const actions = audit.derived.map((d) => `\`${d.action}\``).join(', ') || '(none)';
    const platform = [...new Set(audit.platform.map((p) => p.why.split(':')[0] ?? p.why))].join(', ') || '-';
    return `| ${audit.logicalId} | \`${audit.source}\` | ${actions} | ${platform} |`;
  });
  return [
    '| Resource | Code | AWS calls derived from the code | Platform grants (not called by the code) |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export const TABLE_START = '<!-- iam-table:start (npx tsx scripts/iam.ts --write-docs) -->';
export const TABLE_END = '<!-- iam-table:end -->';

/** The table as docs/operations.md holds it, between its markers. */
export function tableInDocs(
  docs: string,
  markers: readonly [string, string] = [TABLE_START, TABLE_END],
): string | undefined {
  const [startMarker, endMarker] = markers;
  const start = docs.indexOf(startMarker);
  const end = docs.indexOf(endMarker);
  if (start < 0 || end < start) return undefined;
  return docs.slice(start + startMarker.length, end).trim();
}

/** A markdown table's cells without padding, so the comparison ignores how prettier aligned it. */
export function tableCells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .replace(/^\s*\|/, '')
        .replace(/\|\s*$/, '')
        .split(' | ')
        .map((cell) => cell.trim().replace(/^:?-+:?$/, '---')),
    );
}

export function withTable(
  docs: string,
  table: string,
  markers: readonly [string, string] = [TABLE_START, TABLE_END],
): string {
  const [startMarker, endMarker] = markers;
  const start = docs.indexOf(startMarker);
  const end = docs.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`docs: markers ${startMarker} ... ${endMarker} not found`);
  return `${docs.slice(0, start + startMarker.length)}\n${table}\n${docs.slice(end)}`;
}

export const REPO_ROOT = resolve(import.meta.dirname, '..');

export function repoAuditPaths(root = REPO_ROOT) {
  return {
    root,
    template: resolve(root, 'template.yaml'),
    iamActions: resolve(root, 'schemas/iam-actions.json'),
    policyTemplates: resolve(root, 'schemas/sam-policy-templates.json'),
  };
}

async function main(): Promise<void> {
  const audits = await auditTemplate(repoAuditPaths());
  const table = auditTable(audits);
  console.log(table);
  if (process.argv.includes('--write-docs')) {
    const docs = resolve(REPO_ROOT, 'docs/operations.md');
    const grants = grantTable(grantRows(readTemplate(repoAuditPaths().template)).rows);
    const text = withTable(withTable(readFileSync(docs, 'utf8'), table), grants, [GRANTS_START, GRANTS_END]);
    writeFileSync(docs, await format(text, { filepath: docs }));
  }
  const findings = audits.flatMap((a) => a.findings);
  if (findings.length > 0) {
    console.error(`\n${findings.length} IAM finding(s):\n${findings.map((f) => `- ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

if (import.meta.filename === process.argv[1]) await main();
