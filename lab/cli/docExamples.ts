/**
 * The command outputs the docs show, produced by running the commands: `npm run docs:examples`
 * writes each to docs/examples/<name>.txt, docs include them verbatim (after a marker naming the
 * file), and tests/docs check both that the docs match the files and, for the examples whose
 * inputs are in the project, that running them again gives the same output. Wall-clock numbers
 * (the speed column, the replay time) differ from run to run and are masked when comparing.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';

/** Where the examples seem to run: a project checkout in the reader's home. */
export const SHOWN_CWD = '/home/me/headroom';
export const EXAMPLES_DIR = 'docs/examples';

export interface DocExample {
  name: string;
  argv: readonly string[];
  /** Files the command reads, written into its folder first. */
  files?: Record<string, string>;
  /** A path (relative to the project) that must exist: the example needs data from outside it. */
  needs?: string;
}

const BAD_SERVICES = JSON.stringify(
  [
    { autoScalingGroup: 'web', max: 'abc' },
    { autoScalingGroup: 'api', min: 30, max: 20 },
    { autoScalingGroup: 'web' },
  ],
  null,
  2,
);

export const DOC_EXAMPLES: readonly DocExample[] = [
  {
    name: 'simulate-week',
    argv: ['simulate', '--days', '7', '--compare', '--no-progress', '--json', 'out/week.json'],
  },
  {
    name: 'backtest-nab',
    argv: [
      'backtest',
      '--trace',
      '../shared/data/traces/nab/realAWSCloudwatch/elb_request_count_8c0756.csv',
      '--no-progress',
      '--json',
      'out/elb.json',
    ],
    needs: '../shared/data/traces/nab/realAWSCloudwatch/elb_request_count_8c0756.csv',
  },
  {
    name: 'validate-bad',
    argv: ['validate', '--services', 'services.json'],
    files: { 'services.json': BAD_SERVICES },
  },
  { name: 'usage-dayz', argv: ['simulate', '--dayz', '3'] },
  { name: 'usage-days', argv: ['simulate', '--days', 'two'] },
  { name: 'cost-100', argv: ['cost', '--services', '100', '--schedule', 'rate(1 minute)'] },
];

/** True when the example can run here (its outside data, if any, is present). */
export function canRun(example: DocExample, projectRoot: string): boolean {
  return example.needs === undefined || existsSync(resolve(projectRoot, example.needs));
}

/**
 * Runs the example as `npx headroom …` would in a fresh checkout: the project's launcher, in a
 * scratch folder laid out like one (the sibling `shared` folder linked); what it printed on
 * standard output, then on standard error (the examples write to one or the other).
 */
export async function runExample(example: DocExample, projectRoot: string): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'headroom-doc-'));
  const cwd = join(scratch, 'headroom');
  mkdirSync(cwd);
  const shared = resolve(projectRoot, '../shared');
  if (existsSync(shared)) symlinkSync(shared, join(scratch, 'shared'));
  for (const [file, content] of Object.entries(example.files ?? {})) writeFileSync(join(cwd, file), content);
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((done, fail) => {
      execFile(
        process.execPath,
        [join(projectRoot, 'bin/headroom.mjs'), ...example.argv],
        {
          cwd,
          timeout: 300_000,
          killSignal: 'SIGKILL',
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, NO_COLOR: '1' },
        },
        (error, out, err) =>
          error?.killed
            ? fail(new Error(`${example.name} did not finish`))
            : done({ stdout: out, stderr: err }),
      );
    });
    return `$ npx headroom ${example.argv.map(quoted).join(' ')}\n${(stdout + stderr).split(cwd).join(SHOWN_CWD)}`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const quoted = (arg: string) => (/^[\w./:=@-]+$/.test(arg) ? arg : `'${arg}'`);

/**
 * The output with what the wall clock decides masked: the speed column and the replay time (and
 * so the table's spacing, which follows the widest speed).
 */
export function withoutWallClock(text: string): string {
  return text
    .replace(
      /^Replayed ([\d,]+) simulated minutes in [\d.]+ s \([\d,]+ simulated minutes per second\)\.$/gm,
      'Replayed $1 simulated minutes in … s (… simulated minutes per second).',
    )
    .replace(/^((?:static|aws|headroom|oracle|k8s)[\w-]*\s.*?)\s+[\d,]+$/gm, '$1 …')
    .replace(/ +/g, ' ')
    .replace(/─+/g, '─');
}

/** The marker before a generated block: the example names, then the fenced output. */
export const EXAMPLE_BLOCK =
  /(<!-- examples: ([\w\s-]+?) \(docs\/examples\/[^>]*-->\n\n```text\n)([\s\S]*?)```/g;

/** `markdown` with every marked block replaced by the named examples' files, as `read` gives them. */
export function withExamples(markdown: string, read: (name: string) => string): string {
  return markdown.replace(
    EXAMPLE_BLOCK,
    (_all, head: string, names: string) => `${head}${names.split(/\s+/).map(read).join('')}\`\`\``,
  );
}
