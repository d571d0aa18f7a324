/** `headroom calibrate`: fits a service model from CloudWatch exports and a k6 summary. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { calibrate, readSeries } from '../../calibrate/calibrate.js';
import { modelLines } from '../../calibrate/model.js';
import { oneOf, parseCommandArgs, text, UsageError, wholeNumber } from '../args.js';
import { checkOutputFile, STDOUT } from '../outputPaths.js';
import type { Command } from './command.js';

const HELP = `Usage: headroom calibrate --requests FILE --instances FILE [options]

Fits your service's model from what CloudWatch recorded: requests per second one instance serves
(from p99 against the per-instance rate, from CPU, or from a k6 test against one instance), how
p99 grows with utilisation, and boot + warm-up (desired capacity against instances in service).
Prints each fit with its R² and writes the model for 'headroom backtest --model'.

Each FILE is an 'aws cloudwatch get-metric-data' export (one page or an array of pages) or a
'get-metric-statistics' output; FILE#ID picks a result by Id or Label, or a statistic (Sum, p99).
The exact export commands are in the README.

Options:
  --requests FILE    request count per period (ALB RequestCount, Sum) (required)
  --instances FILE   instances in service (GroupInServiceInstances, Average) (required)
  --p99 FILE         p99 latency per period (ALB TargetResponseTime p99)
  --p99-unit U       seconds (default, as TargetResponseTime) or ms
  --cpu FILE         CPU % per period (EC2 CPUUtilization of the group, Average)
  --desired FILE     desired capacity (GroupDesiredCapacity, Maximum), for boot + warm-up
  --k6 FILE          k6 summary export (--summary-export) of a test against one instance
  --slo-ms N         p99 objective, ms (default 500)
  --out FILE         where to write the model (default service-model.json; '-' for standard output)
  -h, --help         this help

Example:
  npx headroom calibrate --requests req.json --instances inservice.json --p99 p99.json --cpu cpu.json --out web-model.json
`;

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: "fit your service's capacity, latency and boot time from CloudWatch and k6 exports",
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('calibrate', argv, {
      requests: { type: 'string' },
      instances: { type: 'string' },
      p99: { type: 'string' },
      'p99-unit': { type: 'string' },
      cpu: { type: 'string' },
      desired: { type: 'string' },
      k6: { type: 'string' },
      'slo-ms': { type: 'string' },
      out: { type: 'string' },
    });
    const requests = text(values.requests);
    const instances = text(values.instances);
    if (requests === undefined || instances === undefined)
      throw new UsageError('calibrate needs --requests FILE and --instances FILE', 'calibrate');
    const out = text(values.out) ?? 'service-model.json';
    checkOutputFile('calibrate', 'json', io.cwd, out);
    const unit = oneOf('calibrate', 'p99-unit', values['p99-unit'], ['seconds', 'ms'] as const, 'seconds');
    const at = (spec: string | undefined) =>
      spec === undefined ? undefined : readSeries(resolve(io.cwd, spec));
    const model = calibrate({
      requests: at(requests) as Map<number, number>,
      instances: at(instances) as Map<number, number>,
      ...(values.p99 !== undefined ? { p99: at(text(values.p99)) } : {}),
      ...(values.cpu !== undefined ? { cpu: at(text(values.cpu)) } : {}),
      ...(values.desired !== undefined ? { desired: at(text(values.desired)) } : {}),
      ...(values.k6 !== undefined ? { k6File: resolve(io.cwd, text(values.k6) as string) } : {}),
      p99ToMs: unit === 'seconds' ? 1000 : 1,
      sloP99Ms: wholeNumber('calibrate', 'slo-ms', values['slo-ms'], 500),
    });
    const json = `${JSON.stringify(model, null, 2)}\n`;
    const say = out === STDOUT ? io.stderr : io.stdout;
    say.write(
      `Read ${model.periods} periods of ${model.periodSeconds} s.\n${modelLines(model).join('\n')}\n`,
    );
    if (out === STDOUT) {
      io.stdout.write(json);
    } else {
      const path = resolve(io.cwd, out);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, json);
      say.write(`Model: ${path}\n`);
    }
    return 0;
  },
};
