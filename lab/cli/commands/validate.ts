/** `headroom validate`: a ServicesJson file or a group's tags, checked offline, every problem named. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkServicesJson, checkTags, type Checked } from '../configProblems.js';
import { parseCommandArgs, text, UsageError } from '../args.js';
import { tagsOf } from '../serviceFile.js';
import type { Command } from './command.js';

const HELP = `Usage: headroom validate (--services FILE | --tags FILE [--group NAME])

Checks your configuration offline with the advisor's own parser and names every problem (entry,
key, value, what is wrong), then exits 1; with none, lists the services it read and exits 0.

Options:
  --services FILE   the ServicesJson parameter's value, as a file (a JSON array)
  --tags FILE       one Auto Scaling group's tags: a JSON object {"headroom:mode": "apply", …}
                    or 'aws autoscaling describe-tags' output
  --group NAME      the group the tags belong to (default: ResourceId in describe-tags output)
  -h, --help        this help

Example:
  npx headroom validate --services services.json
`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a ServicesJson file or headroom:* tags offline, naming every problem',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('validate', argv, {
      services: { type: 'string' },
      tags: { type: 'string' },
      group: { type: 'string' },
    });
    const services = text(values.services);
    const tags = text(values.tags);
    if ((services === undefined) === (tags === undefined))
      throw new UsageError('validate needs exactly one of --services FILE and --tags FILE', 'validate');
    const file = (services ?? tags) as string;
    let content: string;
    try {
      content = readFileSync(resolve(io.cwd, file), 'utf8');
    } catch (e) {
      io.stderr.write(
        `headroom: ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})\n`,
      );
      return 1;
    }
    const checked =
      services !== undefined ? checkServicesJson(content) : checkTagsFile(content, text(values.group));
    if (checked.problems.length > 0) {
      io.stderr.write(
        `${file}: ${checked.problems.length} problem${checked.problems.length === 1 ? '' : 's'}\n` +
          checked.problems.map((p) => `  ${p}\n`).join(''),
      );
      return 1;
    }
    io.stdout.write(
      `${file}: ${checked.services.length} service${checked.services.length === 1 ? '' : 's'}, no problems\n` +
        checked.services
          .map(
            (s) =>
              `  ${s.id}: group ${s.autoScalingGroupName}, mode ${s.mode}, ${s.capacity.min}–${s.capacity.max} instances, p99 SLO ${s.slo.p99LatencyMs} ms\n`,
          )
          .join(''),
    );
    return 0;
  },
};

function checkTagsFile(content: string, group: string | undefined): Checked {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (e) {
    return { services: [], problems: [`not valid JSON (${(e as Error).message})`] };
  }
  const tags = tagsOf(doc);
  if (tags === undefined) return { services: [], problems: ['not a tags object or describe-tags output'] };
  const resourceId = (doc as { Tags?: { ResourceId?: string }[] }).Tags?.[0]?.ResourceId;
  return checkTags(tags, group ?? resourceId ?? 'group');
}
