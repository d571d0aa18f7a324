/**
 * `npx tsx scripts/iam.ts [template.yaml]`: prints, for each function and state machine, the AWS
 * calls derived from its code and any mismatch with its grants (the table in docs/operations.md).
 */
import { resolve } from 'node:path';
import { auditTemplate, type IamAudit } from './iamCheck.js';

export function auditTable(audits: readonly IamAudit[]): string {
  const rows = audits.map((audit) => {
    const actions = audit.derived.map((d) => `\`${d.action}\``).join(', ') || '(none)';
    const platform = [...new Set(audit.platform.map((p) => p.why.split(':')[0] ?? p.why))].join('; ') || '-';
    return `| ${audit.logicalId} | \`${audit.source}\` | ${actions} | ${platform} |`;
  });
  return [
    '| Resource | Code | AWS calls derived from the code | Platform grants (not called by the code) |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  const audits = await auditTemplate({
    root,
    template: resolve(process.argv[2] ?? `${root}/template.yaml`),
    iamActions: resolve(root, '../shared/schemas/iam-actions.json'),
    policyTemplates: resolve(root, '../shared/schemas/sam-policy-templates.json'),
  });
  console.log(auditTable(audits));
  const findings = audits.flatMap((a) => a.findings);
  if (findings.length > 0) {
    console.error(`\n${findings.length} IAM finding(s):\n${findings.map((f) => `- ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

if (import.meta.filename === process.argv[1]) await main();
