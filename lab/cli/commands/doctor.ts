/** `headroom doctor`: can the deployed stack read metrics, find its groups, reach Slack, read the kill switch. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runDoctor, type CheckResult } from '../../operate/doctor.js';
import { awsClients, type OperateClients } from '../../operate/stack.js';
import { parseCommandArgs, text } from '../args.js';
import { paint, styleFor, type Style } from '../colour.js';
import { checkOutputFile, STDOUT } from '../outputPaths.js';
import type { Command } from './command.js';

const HELP = `Usage: headroom doctor [--stack NAME] [--json FILE|-]

Checks a deployed stack with your AWS credentials, through the adapters the Lambdas use:
  stack        the stack exists and is a Headroom stack (its StateTableName output)
  groups       the managed services are found (ServicesJson and headroom:managed tags)
               and each names an Auto Scaling group that exists
  metrics      one GetMetricData call reads CPU, p99 and requests of every managed service
               over the last 30 minutes; each service needs CPU datapoints
  slack        the webhook secret is readable and Slack answers an empty test message
               (Slack refuses it, so nothing is posted); skipped when Slack is not configured
  kill switch  the state table can be read; says whether the switch is on
Prints PASS, FAIL or SKIP per check with what to fix; exits 1 when a check fails.

Options:
  --stack NAME      the Headroom stack (default headroom); its outputs name the table
  --json FILE       also write the checks as JSON; '-' writes them to standard output
  -h, --help        this help
`;

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
const COLOUR = { pass: 'green', fail: 'red', skip: 'yellow' } as const;

export function formatChecks(results: readonly CheckResult[], style: Style): string {
  const width = Math.max(...results.map((r) => r.check.length));
  return results
    .map((r) => {
      const head = `${paint(style, COLOUR[r.status], LABEL[r.status])}  ${r.check.padEnd(width)}  ${r.detail}`;
      return r.fix === undefined ? head : `${head}\n      ${' '.repeat(width)}  fix: ${r.fix}`;
    })
    .join('\n');
}

export function doctorCommand(clients: () => OperateClients = awsClients): Command {
  return {
    name: 'doctor',
    summary: 'check a deployed stack: metrics, groups, Slack, kill switch; says what to fix',
    help: HELP,
    async run(argv, io) {
      const { values } = parseCommandArgs('doctor', argv, {
        stack: { type: 'string' },
        json: { type: 'string' },
      });
      const json = text(values.json);
      checkOutputFile('doctor', 'json', io.cwd, json);
      const stackName = text(values.stack) ?? 'headroom';
      const results = await runDoctor(clients(), stackName, io.now());
      const failed = results.filter((r) => r.status === 'fail').length;
      // With `--json -` standard output carries only the JSON; what people read goes to stderr.
      const say = json === STDOUT ? io.stderr : io.stdout;
      say.write(
        `${formatChecks(results, styleFor(say))}\n${failed === 0 ? 'No check failed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`}\n`,
      );
      const document = { stack: stackName, ok: failed === 0, checks: results };
      const out = `${JSON.stringify(document, null, 2)}\n`;
      if (json === STDOUT) io.stdout.write(out);
      else if (json !== undefined) {
        const file = resolve(io.cwd, json);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, out);
        say.write(`JSON: ${file}\n`);
      }
      return failed === 0 ? 0 : 1;
    },
  };
}
