/** Every command answers --help with its usage and exits 0; --version names the project's version. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { CliIo } from '@headroom/lab/cli/commands/command';
import { COMMANDS, runCli } from '@headroom/lab/cli/run';
import { REPO_ROOT } from './runCli.js';

async function headroom(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    cwd: REPO_ROOT,
    now: () => 0,
  } as unknown as CliIo;
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** The operator's commands the help must cover, by name, besides the replaying ones. */
const NAMED = ['status', 'decisions', 'explain', 'kill-switch', 'validate', 'doctor', 'calibrate'];

describe('headroom --help', () => {
  it('lists every command, the operator commands among them', async () => {
    const r = await headroom(['--help']);
    expect(r.code).toBe(0);
    for (const name of [...NAMED, 'simulate', 'backtest', 'bench', 'cost'])
      expect(r.out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(
      [...NAMED, 'simulate', 'backtest', 'bench', 'cost'].sort(),
    );
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help and -h print its usage and exit 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const r = await headroom([name, flag]);
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toMatch(new RegExp(`^Usage: headroom ${name}\\b`));
      expect(r.out).toMatch(/^ {2}-h, --help +this help$/m);
    }
  });

  it('--version and -V print the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string };
    for (const flag of ['--version', '-V'])
      expect(await headroom([flag])).toEqual({ code: 0, out: `headroom ${version}\n`, err: '' });
  });
});
