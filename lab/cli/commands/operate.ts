/**
 * Looking after a deployed stack: the kill switch, the decisions of a service and one decision
 * explained. Each reads the stack's names from its outputs (--stack) and its state through the
 * advisor's own DynamoDB adapter.
 */
import type { DecisionRecord } from '@headroom/core/model/decision.js';
import { awsClients, stackStateStore, type OperateClients } from '../../operate/stack.js';
import { parseCommandArgs, text, UsageError } from '../args.js';
import type { Command } from './command.js';

const STACK = `  --stack NAME      the Headroom stack (default headroom); its outputs name the table`;
const stackOf = (raw: string | boolean | undefined) => text(raw) ?? 'headroom';
const iso = (at: number) => new Date(at).toISOString().replace('.000Z', 'Z');
/** A decision's id: its service and its time, as `decisions` prints it. */
const decisionId = (r: DecisionRecord) => `${r.decision.serviceId}@${iso(r.decision.at)}`;
/** How many of a service's newest decisions are read for `decisions` and `explain`. */
const READ_LIMIT = 500;

export function killSwitchCommand(clients: () => OperateClients = awsClients): Command {
  return {
    name: 'kill-switch',
    summary: 'turn every action off or on again, or show the switch (on | off | status)',
    help: `Usage: headroom kill-switch on|off|status [--stack NAME]

'on' stops every action of every service at once (advice continues); 'off' allows actions again;
'status' shows the switch. Writes the same item the advisor reads before every action.

Options:
${STACK}
  -h, --help        this help
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(
        'kill-switch',
        argv,
        { stack: { type: 'string' } },
        true,
      );
      const [what, ...extra] = positionals;
      if (!['on', 'off', 'status'].includes(what ?? '') || extra.length > 0)
        throw new UsageError('kill-switch needs one of on, off, status', 'kill-switch');
      const store = await stackStateStore(clients(), stackOf(values.stack));
      if (what !== 'status') await store.setKillSwitch(what === 'on', io.now());
      const on = await store.isKillSwitchOn();
      io.stdout.write(
        `Kill switch: ${on ? 'ON (no action is taken; advice continues)' : 'off (actions allowed within guardrails)'}\n`,
      );
      return 0;
    },
  };
}

export function decisionsCommand(clients: () => OperateClients = awsClients): Command {
  return {
    name: 'decisions',
    summary: "list a service's decisions, newest first (SERVICE [--since TIME])",
    help: `Usage: headroom decisions SERVICE [--since TIME] [--stack NAME]

Lists the service's recorded decisions, newest first: id, time, capacity change, outcome, rule,
reason. 'headroom explain ID' shows one in full.

Options:
  --since TIME      only decisions at or after TIME (ISO 8601, e.g. 2026-12-01T00:00Z)
${STACK}
  -h, --help        this help
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(
        'decisions',
        argv,
        { since: { type: 'string' }, stack: { type: 'string' } },
        true,
      );
      const [service, ...extra] = positionals;
      if (service === undefined || extra.length > 0)
        throw new UsageError('decisions needs one SERVICE', 'decisions');
      const since = text(values.since) === undefined ? 0 : Date.parse(text(values.since) as string);
      if (Number.isNaN(since))
        throw new UsageError(`--since must be an ISO 8601 time, got '${String(values.since)}'`, 'decisions');
      const store = await stackStateStore(clients(), stackOf(values.stack));
      const records = (await store.recentDecisions(service, READ_LIMIT)).filter(
        (r) => r.decision.at >= since,
      );
      if (records.length === 0) {
        io.stdout.write(`No decisions for ${service}${since ? ` since ${iso(since)}` : ''}.\n`);
        return 0;
      }
      for (const r of records) {
        const d = r.decision;
        io.stdout.write(
          `${decisionId(r)}  ${d.currentCapacity} → ${d.desiredCapacity}  ${r.outcome.padEnd(17)}  ${d.rule}  ${d.reason}\n`,
        );
      }
      return 0;
    },
  };
}

export function explainCommand(clients: () => OperateClients = awsClients): Command {
  return {
    name: 'explain',
    summary: 'one decision in full: what was measured, forecast, the rule, cost and risk (ID)',
    help: `Usage: headroom explain DECISION_ID [--stack NAME]

DECISION_ID is SERVICE@TIME as 'headroom decisions' prints it.

Options:
${STACK}
  -h, --help        this help
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs('explain', argv, { stack: { type: 'string' } }, true);
      const [id, ...extra] = positionals;
      const match = /^(.+)@(\d{4}-\d\d-\d\dT[\d:.]+Z)$/.exec(id ?? '');
      if (!match || extra.length > 0)
        throw new UsageError(
          `explain needs one DECISION_ID such as web@2026-12-01T10:05:00Z, got '${id ?? ''}'`,
          'explain',
        );
      const [, service, time] = match as unknown as [string, string, string];
      const store = await stackStateStore(clients(), stackOf(values.stack));
      const record = (await store.recentDecisions(service, READ_LIMIT)).find(
        (r) => r.decision.at === Date.parse(time),
      );
      if (!record) {
        io.stderr.write(`headroom: no decision ${id} among the ${READ_LIMIT} newest of ${service}\n`);
        return 1;
      }
      const d = record.decision;
      io.stdout.write(
        [
          `Decision ${decisionId(record)}: ${d.action} ${d.currentCapacity} → ${d.desiredCapacity} (${record.outcome})`,
          `Rule: ${d.rule}`,
          `Why: ${d.reason}`,
          `Measured and forecast: ${Object.entries(d.evidence)
            .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
            .join(', ')}`,
          `Cost: ${d.monthlyCostDeltaUsd >= 0 ? '+' : ''}${d.monthlyCostDeltaUsd.toFixed(2)} USD a month if held`,
          `Risk: ${String(d.risk)}; confidence ${(100 * d.confidence).toFixed(0)} %`,
          `Guardrails: ${record.guardrails.length ? record.guardrails.join(', ') : 'none'}`,
        ].join('\n') + '\n',
      );
      return 0;
    },
  };
}
