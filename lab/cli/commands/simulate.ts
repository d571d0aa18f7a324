/**
 * `headroom simulate`: a generated workload (seeded) replayed through one policy, or through all
 * of them with --compare, on the simulated account. No AWS account is involved.
 */
import { generateWorkload } from '../../workloads/generator.js';
import { oneOf, parseCommandArgs, text, wholeNumber } from '../args.js';
import {
  POLICY_NAMES,
  SERVICE,
  SIMULATION_START,
  replayPolicies,
  type ScenarioOptions,
} from '../scenario.js';
import { writeOutputs } from '../outputs.js';
import { addRemediationToRuns, remediationNote, simulateRemediation } from '../../remediation/simulate.js';
import { DEFAULT_PROFILE, profileNamed, SERVICE_PROFILES } from '../../world/profiles.js';
import { resolve } from 'node:path';
import { checkOutputFile } from '../outputPaths.js';
import { readServiceFile, serviceLine } from '../serviceFile.js';
import type { Command } from './command.js';

const HELP = `Usage: headroom simulate [options]

Replays a generated workload (daily and weekly cycles, trend, flash crowds, noise) through a
scaling policy on the simulated account, prints a summary table and writes an HTML report.

Options:
  --days N             length of the workload in days (default 30)
  --seed N             seed of the workload; the same seed gives the same traffic (default 1)
  --policy NAME        policy to replay (default headroom); one of:
                       ${POLICY_NAMES.join(', ')}
  --compare            replay every policy above on the same workload
  --profile NAME       the simulated service's profile (default ${DEFAULT_PROFILE.name}); one of:
                       ${SERVICE_PROFILES.map((p) => p.name).join(', ')}
  --peak-instances N   scale the load so that its peak needs N instances at the SLO (default 20)
  --service FILE       your service's settings (a ServicesJson file, or its headroom:* tags as JSON)
  --service-id ID      which service of a ServicesJson file with several
  --report FILE        HTML report path (default reports/simulate-<seed>.html, with --compare
                       reports/simulate-<seed>-compare.html)
  --json FILE          also write the summary records (one per policy);
                       '-' writes them to standard output (the table goes to stderr)
  --no-progress        no progress bar or progress lines
  -h, --help           this help

Example:
  npm start                                   # a month, headroom only
  npx headroom simulate --days 7 --compare --json out/week.json
`;

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'replay a generated workload through one policy, or all of them (--compare)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs('simulate', argv, {
      days: { type: 'string' },
      seed: { type: 'string' },
      policy: { type: 'string' },
      compare: { type: 'boolean' },
      'peak-instances': { type: 'string' },
      profile: { type: 'string' },
      service: { type: 'string' },
      'service-id': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'string' },
      'no-progress': { type: 'boolean' },
    });
    const days = wholeNumber('simulate', 'days', values.days, 30);
    const seed = wholeNumber('simulate', 'seed', values.seed, 1, 0);
    const names = POLICY_NAMES;
    const policy = oneOf('simulate', 'policy', values.policy, names, 'headroom');
    if (values.compare && values.policy !== undefined) {
      io.stderr.write('headroom: --compare replays every policy; --policy is ignored\n');
    }
    const serviceFile = text(values.service);
    const options: ScenarioOptions = {
      traceName: `generated (seed ${seed}, ${days} days)`,
      load: generateWorkload({ seed, startAt: SIMULATION_START, days }),
      startAt: SIMULATION_START,
      peakInstances: wholeNumber('simulate', 'peak-instances', values['peak-instances'], 20, 1),
      profile: profileNamed(
        oneOf(
          'simulate',
          'profile',
          values.profile,
          SERVICE_PROFILES.map((p) => p.name),
          DEFAULT_PROFILE.name,
        ),
      ),
      policies: values.compare ? names : [policy],
      progress: values['no-progress'] !== true,
      ...(serviceFile !== undefined
        ? { service: readServiceFile(resolve(io.cwd, serviceFile), text(values['service-id'])) }
        : {}),
    };
    if (options.service) io.stdout.write(`${serviceLine(options.service, serviceFile as string)}\n`);
    const report = text(values.report) ?? `reports/simulate-${seed}${values.compare ? '-compare' : ''}.html`;
    checkOutputFile('simulate', 'report', io.cwd, report);
    checkOutputFile('simulate', 'json', io.cwd, text(values.json));
    const started = io.now();
    const replayed = await replayPolicies(options, io);
    const wallMs = io.now() - started;
    // Alarms of the same workload, with database and cache tiers, run the real remediation workflow.
    const remediation = await simulateRemediation({ load: options.load, startAt: SIMULATION_START });
    const runs = addRemediationToRuns(replayed, remediation);
    writeOutputs(io, {
      runs,
      title: 'Headroom simulation',
      subtitle: values.compare
        ? `${options.traceName}, ${options.profile?.name} profile, every policy`
        : `${options.traceName}, ${options.profile?.name} profile, policy ${policy}`,
      notes: [
        `Generated workload, seed ${seed}, starting ${new Date(SIMULATION_START).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
        remediationNote(remediation),
      ],
      report,
      json: text(values.json),
      wallMs,
      slo: (options.service ?? SERVICE).slo,
    });
    return 0;
  },
};
