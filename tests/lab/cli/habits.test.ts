/** Habits of a command-line tool: --version, `--json -`, a closed pipe, output paths checked first. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { REPO_ROOT, runCli } from './runCli.js';

jest.setTimeout(180_000);
const dir = mkdtempSync(join(tmpdir(), 'headroom-habits-'));
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('headroom command-line habits', () => {
  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `headroom ${pkg.version}\n`, stderr: '' });
  });

  it('runs from any folder through the launcher (npx headroom outside the project)', async () => {
    const r = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'bin/headroom.mjs'), 'validate', '--help'],
        { cwd: tmpdir(), timeout: 60_000 },
        (error, stdout) => done({ code: error ? Number(error.code) : 0, stdout }),
      );
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: headroom validate /);
  });

  it('--json - writes only the JSON records on standard output, the table on stderr', async () => {
    const r = await runCli([
      'simulate',
      '--days',
      '1',
      '--no-progress',
      '--json',
      '-',
      '--report',
      join(dir, 's.html'),
    ]);
    expect(r.code).toBe(0);
    const records = JSON.parse(r.stdout) as { policy: string }[];
    expect(records.map((x) => x.policy)).toEqual(['headroom']);
    expect(r.stderr).toContain(`Report: ${join(dir, 's.html')}`);
  });

  it('refuses a report path that is a folder before replaying anything', async () => {
    const r = await runCli(['simulate', '--days', '30', '--report', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `headroom: --report ${dir} is a folder; give a file name, e.g. ${dir}/simulate.html\nSee 'headroom simulate --help'.\n`,
    );
  });

  it('ends quietly when the reader closes the pipe (headroom simulate | head -1)', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        'bash',
        ['-c', 'set -o pipefail; npx tsx lab/cli/main.ts simulate --days 2 --no-progress | head -1'],
        { cwd: REPO_ROOT, timeout: 120_000 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('\n');
  });
});
